"""A video match in the review console: a timeline of where the upload and the reported
video matched, and, where previews name a time, frames of the matched ranges only,
blurred and grey by default (MW-02: a keyframe grid, never playback)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.config import Settings
from consentry.review.timeline import VideoTimeline
from tests.cases.support import notice
from tests.conftest import key_headers
from tests.helpers import running
from tests.review.pages_support import page_once_matched

FRAMES = [random.Random(500 + n).getrandbits(256).to_bytes(32, "big").hex() for n in range(40)]


@pytest.fixture
def app_with_frames(case_settings: Settings) -> Iterator[TestClient]:
    template = "https://previews.example.org/p/{content_id}?t={seconds}"
    with running(case_settings.model_copy(update={"preview_url_template": template})) as app:
        yield app


def test_a_video_match_shows_its_timeline_and_matched_frames_only(
    app_with_frames: TestClient,
) -> None:
    app = app_with_frames
    hashes = [
        {"signal_type": "vpdq", "value": f, "quality": 90, "photo": 1, "t": n}
        for n, f in enumerate(FRAMES)
    ]
    filed = app.post(
        "/v1/notices", json=notice(hashes=hashes), headers=key_headers(app, Scope.NOTICES_WRITE)
    )
    reference = filed.json()["reference"]
    decide = key_headers(app, Scope.CASES_DECIDE)
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decide)
    platform = key_headers(app, Scope.SCAN)
    clip = {"vpdq": [{"t": n, "pdq": f} for n, f in enumerate(FRAMES[20:32])]}

    page = page_once_matched(
        app,
        reference,
        lambda: app.post("/v1/scan", json={**clip, "content_id": "reel-9"}, headers=platform),
    )
    assert "<td>cases</td><td>vpdq</td>" in page
    assert "12 frames of the reported video" in page
    assert "100% of the upload's frames match 30% of the reported video's" in page
    assert "Upload 0\u201311 s matches reported 20\u201331 s." in page
    assert '<svg viewBox="0 0 100 34"' in page
    frames = re.findall(r'src="https://previews\.example\.org/p/reel-9\?t=([0-9.]+)"', page)
    assert frames == ["0", "6", "11"]  # the matched range's start, middle and end
    assert 'class="preview keyframes blur blur-' in page  # blurred until revealed


def test_a_timeline_is_drawn_to_scale() -> None:
    line = VideoTimeline.of(
        {"query_share": 90, "bank_share": 40, "segments": [{"query": [0, 9], "bank": [30, 39]}]}
    )
    assert line is not None
    assert line.span == 40
    [segment] = line.segments
    assert segment.query_x == (0, 25)
    assert segment.bank_x == (75, 25)
    assert VideoTimeline.of({"segments": "not a list"}) is None
