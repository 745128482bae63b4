"""Error level, noise level and JPEG ghosts each find (and place) the trace they were
built for on a generated forgery, stay low on the same picture untouched, and step aside
from files they cannot read."""

from __future__ import annotations

import pytest
from PIL import Image

from consentry.detection.base import Applicability
from consentry.detection.forensics import ErrorLevel, JpegGhost, NoiseLevel
from tests.detection.forensics.support import (
    inspected,
    located,
    margin,
    pasted,
    photo,
    resaved,
)
from tests.images import encode, jpeg, png


def test_error_level_finds_a_region_pasted_after_the_last_saves() -> None:
    # The host went through quality 75 before its last save and barely changes at 75
    # again; the pasted region never did and changes more.
    host = resaved(photo(1), 75)
    edited = inspected(ErrorLevel(), jpeg(pasted(host, photo(2)), 90))
    untouched = inspected(ErrorLevel(), jpeg(host, 90))
    assert edited.applicability is Applicability.APPLICABLE
    assert margin(edited, untouched) > 0.2
    assert located(edited)


def test_noise_level_finds_a_region_from_a_grainier_photo() -> None:
    host = photo(3, grain=2.0)
    edited = inspected(NoiseLevel(), png(pasted(host, photo(4, grain=9.0))))
    untouched = inspected(NoiseLevel(), png(host))
    assert margin(edited, untouched) > 0.2
    assert located(edited)


def test_jpeg_ghost_finds_a_region_from_a_low_quality_jpeg_off_the_grid() -> None:
    host = photo(5, grain=6.0)
    donor = resaved(photo(6, grain=6.0), 60)
    edited = inspected(JpegGhost(), png(pasted(host, donor, shift=(3, 5))))
    untouched = inspected(JpegGhost(), png(host))
    assert margin(edited, untouched) > 0.2
    assert edited.details["probe_quality"] == JpegGhost.quality
    assert located(edited)


def test_error_level_needs_a_jpeg_file() -> None:
    finding = inspected(ErrorLevel(), png(photo(7)))
    assert finding.applicability is Applicability.NOT_APPLICABLE
    assert "not JPEG" in finding.explanation


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_jpeg_ghost_steps_aside_where_another_coding_overwrote_the_history(fmt: str) -> None:
    finding = inspected(JpegGhost(), encode(photo(8), fmt))
    assert finding.applicability is Applicability.NOT_APPLICABLE


@pytest.mark.parametrize("detector", [ErrorLevel(), NoiseLevel(), JpegGhost()])
def test_too_small_to_compare_regions(detector: object) -> None:
    finding = inspected(detector, jpeg(Image.new("RGB", (48, 300), (90, 120, 30))))
    assert finding.applicability is Applicability.NOT_APPLICABLE


@pytest.mark.parametrize("detector", [ErrorLevel(), NoiseLevel(), JpegGhost()])
def test_a_flat_picture_scores_nothing(detector: object) -> None:
    # Nothing to compare: every block is alike (and clipped blocks are ignored).
    finding = inspected(detector, jpeg(Image.new("RGB", (320, 240), (255, 255, 255))))
    assert finding.score == 0.0
