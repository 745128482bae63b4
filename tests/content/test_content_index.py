"""The content index: a platform registers what it holds; a hash confirmed later finds
the copies already posted, and content registered later is checked against the banks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Scope
from consentry.actions.models import ActionRequest, OutboxMessage
from consentry.actions.service import add_endpoint
from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.cases.models import Item, ItemStatus
from consentry.content.models import ContentAction, ContentChange, ContentHash
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.cases.support import LOOPBACK, PDQ, eventually, notice
from tests.helpers import key_headers


def _flip(value: str, bits: int) -> str:
    number = int(value, 16) ^ ((1 << bits) - 1)
    return f"{number:064x}"


def _engine(client: TestClient) -> Any:
    return client.app.state.engine  # type: ignore[attr-defined]


def _webhook_endpoint(client: TestClient) -> None:
    with session_scope(_engine(client)) as session:
        add_endpoint(actor=SYSTEM, session=session, url="http://127.0.0.1:9/hook", allowed=LOOPBACK)


def _matched(client: TestClient) -> list[dict[str, Any]]:
    with session_scope(_engine(client)) as session:
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.event == "content.matched")
        )
        return [m.payload["data"] for m in messages]


def test_registering_needs_its_scope_and_is_idempotent(client: TestClient) -> None:
    items = {"items": [{"content_id": "post-1", "pdq": PDQ, "md5": "ab" * 16}]}
    assert client.post("/v1/content/batch", json=items).status_code == 401
    scan_only = key_headers(client, Scope.SCAN)
    refused = client.post("/v1/content/batch", json=items, headers=scan_only)
    assert refused.status_code == 403
    assert "content:write" in refused.json()["detail"]
    writer = key_headers(client, Scope.CONTENT_WRITE)
    assert client.post("/v1/content/batch", json=items, headers=writer).json() == {
        "added": 2,
        "unchanged": 0,
    }
    assert client.post("/v1/content/batch", json=items, headers=writer).json() == {
        "added": 0,
        "unchanged": 2,
    }
    invalid: tuple[dict[str, Any], ...] = (
        {"items": []},
        {"items": [{"content_id": "post-2"}]},  # no hash
        {"items": [{"content_id": "", "pdq": PDQ}]},
        {"items": [{"content_id": "x", "pdq": "zz" * 32}]},
        {"items": [{"content_id": "x", "pdq": PDQ, "vpdq": []}]},  # frames are not content
        {"items": [{"content_id": f"p{n}", "pdq": PDQ} for n in range(1001)]},
    )
    for bad in invalid:
        answer = client.post("/v1/content/batch", json=bad, headers=writer)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"] == "application/problem+json"
    # Another platform's key neither sees nor removes this key's content.
    other = key_headers(client, Scope.CONTENT_WRITE)
    gone = client.post("/v1/content/batch/delete", json={"content_ids": ["post-1"]}, headers=other)
    assert gone.json() == {"removed": 0}
    gone = client.post("/v1/content/batch/delete", json={"content_ids": ["post-1"]}, headers=writer)
    assert gone.json() == {"removed": 2}
    with session_scope(_engine(client)) as session:
        assert session.scalars(select(ContentHash)).all() == []  # deleted, not marked
        actions = session.scalars(select(ContentChange.action).order_by(ContentChange.seq))
        assert [a.value for a in actions] == ["added"] * 2 + ["removed"] * 2


def test_a_request_confirmed_later_finds_the_copies_already_posted(client: TestClient) -> None:
    _webhook_endpoint(client)
    writer = key_headers(client, Scope.CONTENT_WRITE)
    near = _flip(PDQ, 6)
    registered = client.post(
        "/v1/content/batch",
        json={
            "items": [
                {"content_id": "old-post-7", "pdq": PDQ},
                {"content_id": "old-post-8", "pdq": near},
                {"content_id": "old-post-9", "pdq": PDQ},
                {"content_id": "unrelated", "pdq": _flip(PDQ, 120)},
            ]
        },
        headers=writer,
    )
    assert registered.json()["added"] == 4
    removed = client.post(
        "/v1/content/batch/delete", json={"content_ids": ["old-post-9"]}, headers=writer
    )
    assert removed.json() == {"removed": 1}  # taken down before the request came

    filed = client.post(
        "/v1/notices", json=notice(), headers=key_headers(client, Scope.NOTICES_WRITE)
    )
    reference = filed.json()["reference"]
    decider = key_headers(client, Scope.CASES_DECIDE)
    decided = client.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider
    )
    assert decided.status_code == 200

    def found() -> dict[str | None, Item]:
        with session_scope(_engine(client)) as session:
            items = session.scalars(select(Item).where(Item.found_by == "content"))
            return {item.content_id: item for item in items}

    eventually(lambda: len(found()) == 2)
    items = found()
    assert set(items) == {"old-post-7", "old-post-8"}
    exact, close = items["old-post-7"], items["old-post-8"]
    assert exact.status is ItemStatus.ACTION_REQUESTED  # removal requested at once
    assert close.status is ItemStatus.NEEDS_REVIEW  # a human confirms a near copy
    assert exact.deadline_id is not None
    assert close.deadline_id is not None
    with session_scope(_engine(client)) as session:
        actions = session.scalars(select(ActionRequest).where(ActionRequest.item_id == exact.id))
        assert [a.automated for a in actions] == [True]
    eventually(lambda: len(_matched(client)) == 2)
    told = {data["content_id"]: data["matches"] for data in _matched(client)}
    assert [m["tier"] for m in told["old-post-7"]] == ["auto"]
    assert told["old-post-8"][0]["distance"] == 6
    assert PDQ not in str(told)  # the webhook names the bank, never the hash


def test_content_registered_later_is_checked_against_the_banks(client: TestClient) -> None:
    _webhook_endpoint(client)
    with session_scope(_engine(client)) as session:
        bank = create_bank(actor=SYSTEM, session=session, name="stopncii", auto_max_distance=0)
        add_entry(
            session=session,
            bank=bank,
            new=NewEntry("md5", "cd" * 16, status=EntryStatus.CONFIRMED),
        )
    writer = key_headers(client, Scope.CONTENT_WRITE)
    items = [
        {"content_id": "library-1", "md5": "cd" * 16},
        {"content_id": "library-2", "md5": "ef" * 16},
    ]
    client.post("/v1/content/batch", json={"items": items}, headers=writer)
    eventually(lambda: len(_matched(client)) == 1)
    [data] = _matched(client)
    assert data["content_id"] == "library-1"
    assert [(m["bank"], m["signal_type"], m["tier"]) for m in data["matches"]] == [
        ("stopncii", "md5", "auto")
    ]


def test_a_scan_registers_its_upload_when_asked(client: TestClient) -> None:
    body = {"pdq": PDQ, "content_id": "upload-3", "index_content": True}
    scanner = key_headers(client, Scope.SCAN)
    refused = client.post("/v1/scan", json=body, headers=scanner)
    assert refused.status_code == 403
    assert "content:write" in refused.json()["detail"]
    no_id = client.post("/v1/scan", json={"pdq": PDQ, "index_content": True}, headers=scanner)
    assert no_id.status_code == 422
    batch = {"items": [{"pdq": PDQ}, body]}
    assert client.post("/v1/scan/batch", json=batch, headers=scanner).status_code == 403
    both = key_headers(client, Scope.SCAN, Scope.CONTENT_WRITE)
    assert client.post("/v1/scan", json=body, headers=both).json()["verdict"] == "no_match"
    with session_scope(_engine(client)) as session:
        stored = session.execute(select(ContentHash.content_id, ContentHash.signal_type)).all()
        assert [tuple(row) for row in stored] == [("upload-3", "pdq")]
        assert list(session.scalars(select(ContentChange.action))) == [ContentAction.SCANNED]


def test_values_arriving_together_each_find_their_own_copies(client: TestClient) -> None:
    """An import or exchange page brings many values at once: searched in one batch, each
    hit is credited to the value that made it."""
    _webhook_endpoint(client)
    writer = key_headers(client, Scope.CONTENT_WRITE)
    items = [{"content_id": f"old-{n}", "md5": f"{n:02x}" * 16} for n in (1, 2, 3)]
    client.post("/v1/content/batch", json={"items": items}, headers=writer)
    with session_scope(_engine(client)) as session:
        bank = create_bank(actor=SYSTEM, session=session, name="import", auto_max_distance=0)
        for n in (3, 1, 9):
            add_entry(
                session=session,
                bank=bank,
                new=NewEntry("md5", f"{n:02x}" * 16, status=EntryStatus.CONFIRMED),
            )
    eventually(lambda: len(_matched(client)) == 2)
    found = {data["content_id"]: data["matches"] for data in _matched(client)}
    assert sorted(found) == ["old-1", "old-3"]
    assert all(len(matches) == 1 for matches in found.values())
