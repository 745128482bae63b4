"""Videos in the portal, in a real headless Chromium: frames are read and hashed on the
device (one a second, as vPDQ samples them), agree with the server's vPDQ, and only
their hashes leave the page."""

from __future__ import annotations

from pathlib import Path

from consentry.hashing.pdq import PdqHash
from consentry.hashing.video import hash_video
from consentry.matching.matcher import Query
from tests.portal.browser_support import fill_request, pick_photos, portal, recording_page
from tests.videos import make_video, video_matcher


def _frames(tokens: list[str], photo: int) -> list[tuple[float, str, int]]:
    """The vpdq tokens of one chosen file: vpdq:PDQ:quality:photo:seconds."""
    found = []
    for token in tokens:
        kind, value, quality, number, seconds = [*token.split(":"), "", ""][:5]
        if kind == "vpdq" and int(number) == photo:
            found.append((float(seconds), value, int(quality)))
    return found


def _matches(browser_frames: list[tuple[float, str, int]], server_query: Query) -> bool:
    """Does the server's hash of a file find the browser's hash of it, as a bank video?"""
    matcher = video_matcher([[(at, value) for at, value, _ in browser_frames]])
    return any(m.signal_type == "vpdq" for m in matcher.match(server_query))


def test_video_frames_hashed_in_the_browser_match_the_servers(tmp_path: Path) -> None:
    videos = [
        make_video(tmp_path / "walk.mp4", seed=41, seconds=12, scene_seconds=2),
        make_video(tmp_path / "park.webm", seed=42, seconds=8, fps=25, codec="libvpx-vp9"),
    ]
    video_bytes = [v.read_bytes() for v in videos]
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        page = recorded.page
        page.goto(f"{base}/request")
        tokens = pick_photos(page, videos)
        statuses = page.locator("#photo-list .photo-status").all_inner_texts()
        readers = page.locator("#photo-list li").evaluate_all(
            "items => items.map(i => i.dataset.reader)"
        )
        fill_request(page)
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("heading", name="Your request was received").wait_for()

    assert all("Video fingerprinted" in s for s in statuses)
    # An MP4 is decoded frame by frame (WebCodecs); WebM is read by seeking <video>.
    assert readers == ["decoded", "seeked"]
    for number, path in enumerate(videos, start=1):
        ours = _frames(tokens, number)
        server = hash_video(path)
        assert len(ours) >= len(server.frames) - 2  # collapsed alike, give or take a frame
        by_time = {f.at: f.pdq for f in server.frames}
        distances = [by_time[t].distance(PdqHash.from_hex(v)) for t, v, _ in ours if t in by_time]
        assert distances
        assert max(distances) <= 10  # the same frames, by another decoder: PDQ's tolerance
        assert _matches(ours, Query.from_video(server))

    # Privacy: only the form and its hashes left the page, never a video byte.
    assert recorded.errors == []
    sent = [r for r in recorded.requests if r.method != "GET"]
    assert [r.url for r in sent] == [f"{base}/request"]
    body = sent[0].post_data_buffer or b""
    assert all(r.url.startswith((base, f"blob:{base}")) for r in recorded.requests)
    for data in video_bytes:
        for start in range(0, len(data) - 32, max(1, len(data) // 50)):
            assert data[start : start + 32] not in body
