"""The whole lifecycle, on SQLite and PostgreSQL: notice -> validation -> decision ->
copies found by scan -> webhook -> ack -> statement of reasons -> appeal -> reversal."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role
from consentry.audit.service import verify
from consentry.banks.models import BankEntry
from consentry.cases.events import history, project, state_of
from consentry.cases.models import Case, Deadline
from consentry.db.session import session_scope
from tests.cases.support import PDQ, Mailbox, Receiver, eventually, notice, staff_headers, verified


def test_full_lifecycle(
    app: TestClient,
    receiver: tuple[Receiver, str],
    mailbox: Mailbox,
    filer: dict[str, str],
    decider: dict[str, str],
    platform: dict[str, str],
) -> None:
    hook, secret = receiver
    engine = app.app.state.engine  # type: ignore[attr-defined]

    # 1. The notice: valid at receipt, so the 48-hour clock starts now.
    filed = app.post("/v1/notices", json=notice(), headers=filer)
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    assert receipt["valid"]
    assert receipt["status"] == "open"
    assert receipt["missing"] == []
    reference, pin = receipt["reference"], receipt["pin"]
    (clock,) = [d for d in receipt["deadlines"] if d["regime"] == "removal"]
    assert clock["due_at"] > receipt["valid_at"]
    (mail,) = mailbox.wait_for(1)
    assert mail["to"] == "person@example.org"
    assert reference in mail["body"]
    assert pin not in mail["body"]  # the PIN is never sent by e-mail

    # 2. A decision by the platform's integration (no console needed).
    decided = app.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed"
    assert decided.json()["hashes"]["confirmed"] == 1
    (first,) = hook.wait_for("action.requested")
    assert first["data"]["content_id"] == "post-1"
    assert first["data"]["kind"] == "remove"
    assert all(verified(d, secret) for d in hook.deliveries)
    assert hook.wait_for("bank.updated")[0]["data"] == {"bank": "cases"}

    # 3. A copy uploaded elsewhere is found by a scan against the confirmed hash.
    def scanned_copy() -> bool:
        result = app.post("/v1/scan", json={"pdq": PDQ, "content_id": "copy-2"}, headers=platform)
        return bool(result.json()["verdict"] == "auto_action")

    eventually(scanned_copy)
    copies = hook.wait_for("action.requested", 2)
    copy = next(c for c in copies if c["data"]["content_id"] == "copy-2")
    assert copy["data"]["automated"] is True

    # 4. The platform removes both; each acknowledgement issues a statement of reasons.
    for action_id in (first["data"]["action_id"], copy["data"]["action_id"]):
        acked = app.post(f"/v1/actions/{action_id}/ack", json={"result": "done"}, headers=platform)
        assert acked.status_code == 200, acked.text
    statements = hook.wait_for("statement.issued", 2)
    statement = next(s for s in statements if s["data"]["statement"]["content_id"] == "post-1")
    body = statement["data"]["statement"]
    assert body["source"] == "notice"
    assert body["automated_detection"] is False
    assert "A. Person" not in str(statements)
    assert "person@example.org" not in str(statements)
    assert body["redress"]["internal_complaint"] == "https://consentry.example.test/appeal"
    view = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": pin}).json()
    assert {i["status"] for i in view["items"]} == {"removed"}
    removal = next(d for d in view["deadlines"] if d["regime"] == "removal")
    assert removal["stop_reason"] == "removed"
    assert not removal["breached"]

    # 5. The uploader appeals through the platform; a lead (not the decider) upholds it.
    appeal = app.post(
        "/v1/appeals",
        json={
            "statement_reference": body["reference"],
            "content_id": "post-1",
            "grounds": "consent_to_publication",
            "explanation": "I have a signed release.",
        },
        headers=platform,
    )
    assert appeal.status_code == 201, appeal.text
    lead = staff_headers(app, "lead@example.test", Role.LEAD)
    outcome = app.post(
        f"/v1/appeals/{appeal.json()['id']}/decision", json={"outcome": "upheld"}, headers=lead
    )
    assert outcome.status_code == 200, outcome.text

    # 6. The reversal restores the content through a webhook and revokes the hashes.
    restores = [e for e in hook.wait_for("action.requested", 3) if e["data"]["kind"] == "restore"]
    assert restores[0]["data"]["content_id"] == "post-1"
    assert hook.wait_for("appeal.decided")[0]["data"]["outcome"] == "upheld"
    with session_scope(engine) as session:
        statuses = set(session.scalars(select(BankEntry.status)))
        assert statuses == {"revoked"}
        case = session.scalars(select(Case)).one()
        # The case's columns are exactly the projection of its audit events.
        assert project(history(session=session, case_id=case.id)) == state_of(case)
        kinds = [e.action for e in history(session=session, case_id=case.id)]
    for kind in (
        "received",
        "validated",
        "clock_started",
        "decided",
        "hash_confirmed",
        "action_requested",
        "content_located",
        "action_confirmed",
        "statement_sent",
        "appeal_filed",
        "appeal_decided",
    ):
        assert f"case.{kind}" in kinds, kind
    with session_scope(engine) as session:
        assert list(verify(session=session)) == []
        # Removed within the 48-hour clock: the removal deadline stopped before it was due.
        removals = session.scalars(select(Deadline).where(Deadline.regime == "removal")).all()
        assert removals
        for clock in removals:
            assert clock.stopped_at is not None
            assert clock.stopped_at - clock.started_at <= timedelta(hours=48)
            assert clock.stopped_at < clock.due_at
