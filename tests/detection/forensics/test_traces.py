"""Error level, noise level and JPEG ghosts each find (and place) the trace they were
built for on a generated forgery, stay low on the same picture untouched, and step aside
from files they cannot read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from consentry.detection.base import Applicability, Detector
from consentry.detection.forensics import CopyMove, ErrorLevel, JpegGhost, NoiseLevel
from consentry.detection.service import inspect
from tests.detection.forensics.support import (
    heat,
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


@pytest.mark.parametrize("detector", [ErrorLevel(), NoiseLevel(), JpegGhost()])
def test_an_upscaled_picture_is_not_one_big_anomaly(detector: Detector) -> None:
    # Upscaling leaves nearly every block without noise: the typical spread collapses,
    # and without a floor any remaining detail read as a glaring outlier (score 1.0).
    small = photo(10).resize((160, 120), Image.Resampling.LANCZOS)
    finding = inspected(detector, jpeg(small.resize((800, 600), Image.Resampling.BICUBIC), 85))
    assert finding.score is not None
    assert finding.score < 0.5


def test_error_level_needs_a_jpeg_file() -> None:
    finding = inspected(ErrorLevel(), png(photo(7)))
    assert finding.applicability is Applicability.NOT_APPLICABLE
    assert "not JPEG" in finding.explanation


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_jpeg_ghost_steps_aside_where_another_coding_overwrote_the_history(fmt: str) -> None:
    finding = inspected(JpegGhost(), encode(photo(8), fmt))
    assert finding.applicability is Applicability.NOT_APPLICABLE


@pytest.mark.parametrize("detector", [ErrorLevel(), NoiseLevel(), JpegGhost()])
def test_too_small_to_compare_regions(detector: Detector) -> None:
    finding = inspected(detector, jpeg(Image.new("RGB", (48, 300), (90, 120, 30))))
    assert finding.applicability is Applicability.NOT_APPLICABLE


def test_past_its_time_budget_each_stops_with_no_result() -> None:
    findings = inspect(
        jpeg(photo(9)),
        detectors=[ErrorLevel(), NoiseLevel(), JpegGhost(), CopyMove()],
        seconds_per_megapixel=0.0,
    )
    assert [f.applicability for f in findings] == [Applicability.TIMED_OUT] * 4
    assert all(f.score is None for f in findings)


@pytest.mark.parametrize("detector", [ErrorLevel(), NoiseLevel(), JpegGhost()])
def test_a_flat_picture_scores_nothing(detector: Detector) -> None:
    # Nothing to compare: every block is alike (and clipped blocks are ignored).
    finding = inspected(detector, jpeg(Image.new("RGB", (320, 240), (255, 255, 255))))
    assert finding.score == 0.0


@settings(max_examples=12, deadline=None)
@given(
    width=st.integers(64, 220),
    height=st.integers(64, 220),
    seed=st.integers(0, 2**16),
    fmt=st.sampled_from(["JPEG", "PNG"]),
)
def test_any_picture_gets_a_score_in_range_and_a_heatmap_of_its_size(
    width: int, height: int, seed: int, fmt: str
) -> None:
    data = encode(photo(seed).resize((width, height)), fmt)
    for detector in (ErrorLevel(), NoiseLevel(), JpegGhost()):
        finding = inspected(detector, data)
        if finding.applicability is Applicability.NOT_APPLICABLE:
            continue
        assert finding.score is not None
        assert 0.0 <= finding.score <= 1.0
        assert heat(finding).shape == (height, width)
