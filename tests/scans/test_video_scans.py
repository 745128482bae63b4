"""Videos through the API: /v1/hash gives a video's frames, /v1/scan matches an uploaded
video or a platform's own frame list, keeps the shares and segments of a matched scan,
and keeps no file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.banks import batches, service
from consentry.banks.images import video_entries
from consentry.banks.models import EntryStatus
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing.video import hash_video
from consentry.scans.models import ScanMatch
from tests.videos import make_video, reencode

Headers = dict[str, str]


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("footage")
    make_video(folder / "bank.mp4", seed=31, seconds=20, scene_seconds=2)
    reencode(folder / "bank.mp4", folder / "clip.mp4", start=5, length=10, scale=0.5)
    return folder


def _bank_video(client: TestClient, path: Path) -> None:
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        bank = service.create_bank(session=session, name="ncii", actor=SYSTEM)
        entries = video_entries(hash_video(path), label="bank.mp4", status=EntryStatus.CONFIRMED)
        batches.add_entries(session=session, bank=bank, batch=entries, actor=SYSTEM)


def _scan(client: TestClient, headers: Headers, **kwargs: Any) -> dict[str, Any]:
    """The service follows the bank change log: a new entry matches within a second."""
    deadline = time.monotonic() + 5
    while True:
        response = client.post("/v1/scan", headers=headers, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["verdict"] != "no_match" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_hash_a_video_upload(client: TestClient, scan_headers: Headers, footage: Path) -> None:
    data = (footage / "bank.mp4").read_bytes()
    response = client.post(
        "/v1/hash", files={"file": ("v.mp4", data, "video/mp4")}, headers=scan_headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vpdq"] == hash_video(footage / "bank.mp4").to_json()["vpdq"]
    assert (body["width"], body["height"], body["format"]) == (320, 240, "mov")


def test_scan_a_video_upload_and_a_frame_list(
    client: TestClient, scan_headers: Headers, footage: Path
) -> None:
    _bank_video(client, footage / "bank.mp4")
    clip = (footage / "clip.mp4").read_bytes()
    uploaded = _scan(
        client,
        scan_headers,
        files={"file": ("clip.mp4", clip, "video/mp4")},
        data={"content_id": "v-1"},
    )
    assert uploaded["verdict"] == "review"
    [match] = uploaded["matches"]
    assert match["signal_type"] == "vpdq"
    assert match["query_share"] >= 80
    assert match["segments"][0]["bank"][0] == pytest.approx(5, abs=1)
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        [kept] = session.scalars(select(ScanMatch)).all()
        assert kept.video is not None
        assert kept.video["segments"] == match["segments"]

    frames = [f.to_json() for f in hash_video(footage / "bank.mp4").frames]
    listed = _scan(client, scan_headers, json={"vpdq": frames, "content_id": "v-2"})
    assert listed["verdict"] == "auto_action"  # the same frames, confirmed, in a bank that acts
    for quality in (10, 0):  # unreliable frames are not looked up, quality 0 included
        dull = [{**f, "quality": quality} for f in frames]
        none: dict[str, Any] = client.post(
            "/v1/scan", json={"vpdq": dull}, headers=scan_headers
        ).json()
        assert none["verdict"] == "no_match"


def test_bad_frame_lists_are_problems(client: TestClient, scan_headers: Headers) -> None:
    frame: dict[str, Any] = {"t": 0, "pdq": "ab" * 32, "quality": 90}
    bodies: tuple[dict[str, Any], ...] = (
        {"vpdq": []},
        {"vpdq": ["ab" * 32]},
        {"vpdq": [{**frame, "t": -1}]},
        {"vpdq": [{**frame, "pdq": "xyz"}]},
        {"vpdq": [{**frame, "extra": 1}]},
        {"vpdq": [frame] * 10_801},
    )
    for body in bodies:
        response = client.post("/v1/scan", json=body, headers=scan_headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    batch = {"items": [{"vpdq": [frame] * 200}] * 60}  # 12,000 frames in all
    assert client.post("/v1/scan/batch", json=batch, headers=scan_headers).status_code == 422


def test_a_broken_video_upload_is_a_problem(
    client: TestClient, scan_headers: Headers, footage: Path
) -> None:
    cut = (footage / "bank.mp4").read_bytes()[:1500]
    for path in ("/v1/hash", "/v1/scan"):
        response = client.post(
            path, files={"file": ("v.mp4", cut, "video/mp4")}, headers=scan_headers
        )
        assert response.status_code in (415, 422), response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
