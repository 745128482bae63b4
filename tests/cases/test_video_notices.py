"""A notice may carry a video's frames (vpdq, each with its time): they are kept as one
group, a platform's scan of a clip finds it once confirmed, and the requester's
withdrawal takes every frame back."""

from __future__ import annotations

import random
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.banks.models import BankEntry, EntryGroup
from consentry.db.session import session_scope
from tests.cases.support import eventually, notice

FRAMES = [random.Random(n).getrandbits(256).to_bytes(32, "big").hex() for n in range(30)]


def _scan(app: TestClient, headers: dict[str, str], frames: list[str], start: int) -> Any:
    body = {"vpdq": [{"t": n, "pdq": f, "quality": 90} for n, f in enumerate(frames, start)]}
    answer = app.post("/v1/scan", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_reported_videos_frames_are_one_group_found_in_a_clip_and_withdrawn(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    hashes = [
        {"signal_type": "vpdq", "value": f, "quality": 90, "photo": 1, "t": n}
        for n, f in enumerate(FRAMES)
    ]
    hashes.append({"signal_type": "md5", "value": "c" * 32, "photo": 1})
    filed = app.post("/v1/notices", json=notice(hashes=hashes), headers=filer)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        rows = session.execute(
            select(BankEntry.signal_type, BankEntry.at_ms, EntryGroup.label).join(
                EntryGroup, EntryGroup.id == BankEntry.group_id
            )
        ).all()
    assert {label for _, _, label in rows} == {"reported video 1"}
    assert sorted(at or 0 for kind, at, _ in rows if kind == "vpdq") == [
        n * 1000 for n in range(30)
    ]

    decided = app.post(
        f"/v1/cases/{case['reference']}/decisions", json={"decision": "confirm"}, headers=decider
    )
    assert decided.status_code == 200, decided.text
    clip = FRAMES[10:22]  # a 12-second clip of it
    eventually(lambda: _scan(app, platform, clip, 0)["verdict"] == "review")
    [match] = _scan(app, platform, clip, 0)["matches"]
    assert match["segments"] == [{"query": [0.0, 11.0], "bank": [10.0, 21.0]}]

    withdrawn = app.post(f"/v1/cases/{case['reference']}/withdraw", json={"pin": case["pin"]})
    assert withdrawn.status_code == 200, withdrawn.text
    eventually(lambda: _scan(app, platform, clip, 0)["verdict"] == "no_match")


def test_a_frame_time_out_of_range_is_refused(app: TestClient, filer: dict[str, str]) -> None:
    bad = [{"signal_type": "vpdq", "value": FRAMES[0], "quality": 90, "photo": 1, "t": -2}]
    refused = app.post("/v1/notices", json=notice(hashes=bad), headers=filer)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_frame_must_say_when_and_which_video(app: TestClient, filer: dict[str, str]) -> None:
    loose = [{"signal_type": "vpdq", "value": FRAMES[0], "quality": 90}]
    refused = app.post("/v1/notices", json=notice(hashes=loose), headers=filer)
    assert refused.status_code == 422
    assert "video frame" in refused.text


def test_the_bank_api_refuses_loose_frames(app: TestClient) -> None:
    from consentry.accounts.models import Scope
    from tests.conftest import key_headers

    writer = key_headers(app, Scope.BANKS_WRITE)
    app.post("/v1/banks", json={"name": "videos"}, headers=writer)
    added = app.post(
        "/v1/banks/videos/entries",
        json={"entries": [{"signal_type": "vpdq", "value": FRAMES[1]}]},
        headers=writer,
    )
    assert added.status_code == 422
    assert "video frame" in added.json()["detail"]
