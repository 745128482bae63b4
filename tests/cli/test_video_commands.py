"""Videos through the CLI: `bank add` keeps a video as one group of frame hashes,
`hash --json` lists them, `match` and `scan` find a clip of it, and a withdrawal of
the group ends every match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_bank_commands import database, run
from tests.videos import make_video, reencode

__all__ = ["database"]


@pytest.fixture
def footage(tmp_path: Path) -> Path:
    folder = tmp_path / "footage"
    folder.mkdir()
    make_video(folder / "walk.mp4", seed=21, seconds=24, scene_seconds=3)
    make_video(folder / "other.webm", seed=22, seconds=12, codec="libvpx-vp9")
    return folder


def test_a_video_in_a_bank_finds_its_clips_and_leaves_with_its_withdrawal(
    footage: Path, tmp_path: Path
) -> None:
    assert run("bank", "create", "ncii").exit_code == 0
    added = run("bank", "add", "ncii", str(footage / "walk.mp4"), "--status", "confirmed")
    assert added.exit_code == 0, added.output
    assert "1 file," in added.stdout
    assert "frames" in added.stderr

    hashed = json.loads(run("hash", "--json", str(footage / "walk.mp4")).stdout)
    frames = hashed["vpdq"]
    assert len(frames) >= 10
    assert {"t", "pdq", "quality"} == set(frames[0])
    assert hashed["md5"]
    assert hashed["format"] == "mov"

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    reencode(footage / "walk.mp4", uploads / "clip.mp4", start=9, length=10, scale=0.5)
    (uploads / "unrelated.webm").write_bytes((footage / "other.webm").read_bytes())
    found = run("match", "--json", str(uploads / "clip.mp4"))
    assert found.exit_code == 0
    [match] = json.loads(found.stdout)["matches"]
    assert (match["signal_type"], match["label"], match["tier"]) == ("vpdq", "walk.mp4", "review")
    assert match["query_share"] >= 80
    assert match["bank_share"] < 80
    [segment] = match["segments"]
    assert segment["query"][0] <= 1
    assert 8 <= segment["bank"][0] <= 10

    scanned = run("scan", str(uploads), "--bank", "ncii")
    assert scanned.exit_code == 0
    assert "2 queried, 1 matched (0 auto, 1 review), 0 failed" in scanned.stderr
    assert "%" in scanned.stdout  # the shares column

    withdrawn = run("bank", "withdraw", "ncii", frames[0]["pdq"], "--signal", "vpdq")
    assert withdrawn.exit_code == 0, withdrawn.output
    again = json.loads(run("match", "--json", str(footage / "walk.mp4")).stdout)
    assert again["matches"] == []  # every frame and both digests went with the group


def test_a_broken_video_is_reported_and_the_rest_still_added(footage: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes((footage / "walk.mp4").read_bytes()[:1500])
    assert run("bank", "create", "ncii").exit_code == 0
    added = run("bank", "add", "ncii", str(broken), str(footage / "other.webm"))
    assert added.exit_code == 1
    assert "unsupported_format" in added.stderr
    assert "1 file," in added.stdout


def test_a_banks_video_shares_are_set_and_checked() -> None:
    assert run("bank", "create", "ncii").exit_code == 0
    changed = run("bank", "set", "ncii", "--video-shares", "70", "90")
    assert changed.exit_code == 0, changed.output
    assert "video shares 70% / 90%" in changed.stdout
    refused = run("bank", "set", "ncii", "--video-shares", "0", "90")
    assert refused.exit_code != 0
    assert "percentage" in refused.output
