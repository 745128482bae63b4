"""Edited copies of a video, made with FFmpeg's encoders and hashed as uploads are, found
in a bank that holds the original: re-encoded, resized, at another frame rate, clipped,
mirrored, letterboxed, watermarked; an unrelated video is not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from consentry.hashing.video import hash_video
from consentry.matching.matcher import Matcher, Query
from tests.videos import frames_of, make_video, reencode, video_matcher


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Matcher]:
    folder = tmp_path_factory.mktemp("bank")
    original = make_video(folder / "original.mp4", seed=61, seconds=24, scene_seconds=3)
    matcher = video_matcher([frames_of(hash_video(original))])
    return original, matcher


EDITS: dict[str, dict[str, Any]] = {
    "low quality": {"crf": 40},
    "half size": {"scale": 0.5},
    "24 fps": {"fps": 24},
    "10-s clip": {"start": 8, "length": 10},
    "mirrored": {"mirror": True},
    "letterboxed": {"bars": 0.25},
    "watermarked": {"mark": True},
    "clip, smaller, lower quality": {"start": 5, "length": 10, "scale": 0.5, "crf": 32},
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_copy_is_found(bank: tuple[Path, Matcher], edit: str, tmp_path: Path) -> None:
    original, matcher = bank
    copy = reencode(original, tmp_path / "copy.mp4", **EDITS[edit])
    [match] = matcher.match(Query.from_video(hash_video(copy, query=True)))
    assert match.query_share is not None
    assert match.query_share >= 80
    assert match.segments


def test_an_unrelated_video_is_not_found(bank: tuple[Path, Matcher], tmp_path: Path) -> None:
    _, matcher = bank
    other = make_video(tmp_path / "other.mp4", seed=62, seconds=24, scene_seconds=3)
    assert matcher.match(Query.from_video(hash_video(other, query=True))) == []
