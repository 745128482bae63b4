"""Requester appeals (AP-04), independence of the appeal decision (AP-06), withdrawal
(MC-05) with and without kept adjudicated hashes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.accounts.users import create_user
from consentry.banks.models import BankEntry
from consentry.cases.appeals import decide_appeal, file_uploader_appeal
from consentry.cases.decisions import decide
from consentry.cases.errors import NotPermitted
from consentry.cases.models import AppealGround, Outcome, Statement
from consentry.cases.schemas import DecisionIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM, Actor
from consentry.db.session import session_scope
from tests.cases.support import Mailbox, notice, removed_case, staff_headers
from tests.conftest import running


def _entry_statuses(client: TestClient) -> set[str]:
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return set(session.scalars(select(BankEntry.status)))


def test_requester_appeals_a_decline_and_another_lead_upholds_it(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], mailbox: Mailbox
) -> None:
    receipt = app.post("/v1/notices", json=notice(), headers=filer).json()
    reference, pin = receipt["reference"], {"X-Case-PIN": receipt["pin"]}
    no_reason = app.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "decline"}, headers=decider
    )
    assert no_reason.status_code == 422
    assert "reason_code" in no_reason.json()["detail"]
    declined = app.post(
        f"/v1/cases/{reference}/decisions",
        json={"decision": "decline", "reason_code": "not_intimate"},
        headers=decider,
    )
    assert declined.json()["status"] == "declined"
    assert declined.json()["deadlines"][0]["stop_reason"] == "declined"
    decline_mail = mailbox.wait_for(2)[1]
    assert "appeal" in decline_mail["body"]
    assert "why the content is intimate" in decline_mail["body"]

    appeal = app.post(
        f"/v1/cases/{reference}/appeals", json={"explanation": "It is intimate."}, headers=pin
    )
    assert appeal.status_code == 201, appeal.text
    again = app.post(f"/v1/cases/{reference}/appeals", json={"explanation": "x"}, headers=pin)
    assert again.status_code == 409
    lead = staff_headers(app, "lead@example.org", Role.LEAD)
    outcome = app.post(
        f"/v1/appeals/{appeal.json()['id']}/decision", json={"outcome": "upheld"}, headers=lead
    )
    assert outcome.status_code == 200, outcome.text
    view = app.get(f"/v1/cases/{reference}", headers=pin).json()
    assert view["status"] == "confirmed"
    assert not view["appeal_pending"]
    assert view["items"][0]["status"] == "action_requested"
    assert _entry_statuses(app) == {"confirmed"}
    assert "changed our decision" in mailbox.wait_for(4)[-1]["body"]


def test_the_original_decision_maker_cannot_decide_the_appeal(
    app: TestClient, filer: dict[str, str]
) -> None:
    receipt = app.post("/v1/notices", json=notice(), headers=filer).json()
    reference, pin = receipt["reference"], {"X-Case-PIN": receipt["pin"]}
    lead = staff_headers(app, "lead@example.org", Role.LEAD)
    app.post(
        f"/v1/cases/{reference}/decisions",
        json={"decision": "decline", "reason_code": "not_depicted_person"},
        headers=lead,
    )
    appeal = app.post(
        f"/v1/cases/{reference}/appeals", json={"explanation": "It is me."}, headers=pin
    )
    refused = app.post(
        f"/v1/appeals/{appeal.json()['id']}/decision", json={"outcome": "upheld"}, headers=lead
    )
    assert refused.status_code == 403
    assert "took no decision" in refused.json()["detail"]


def test_anyone_who_took_a_decision_on_the_case_cannot_decide_its_appeal(
    session: Session, settings: Settings
) -> None:
    """F11: a lead confirms; someone else confirms again later; the first lead still
    may not decide the uploader's appeal, and a lead who took no decision may."""
    first, other = (
        create_user(actor=SYSTEM, session=session, email=f"{name}@example.org", role=Role.LEAD)[0]
        for name in ("first", "other")
    )
    case = removed_case(session=session, settings=settings)  # confirmed by user:7
    decide(
        session=session,
        case=case,
        decision=DecisionIn(decision="confirm"),
        actor=Actor.user(first.id),
        settings=settings,
    )
    decide(
        session=session,
        case=case,
        decision=DecisionIn(decision="confirm"),
        actor=Actor.key(3),
        settings=settings,
    )
    statement = session.scalars(select(Statement)).first()
    assert statement is not None
    appeal = file_uploader_appeal(
        session=session,
        statement_reference=statement.reference,
        grounds=AppealGround.OTHER,
        explanation="Not what it is.",
        actor=Actor.key(2),
        content_id="post-1",
    )
    with pytest.raises(NotPermitted, match="took no decision"):
        decide_appeal(
            session=session,
            appeal_id=appeal.id,
            outcome=Outcome.REJECTED,
            user=first,
            settings=settings,
        )
    decided = decide_appeal(
        session=session,
        appeal_id=appeal.id,
        outcome=Outcome.REJECTED,
        user=other,
        settings=settings,
    )
    assert decided.status == Outcome.REJECTED.value


def test_appeals_are_never_decided_by_an_api_key(app: TestClient, decider: dict[str, str]) -> None:
    assert (
        app.post("/v1/appeals/1/decision", json={"outcome": "upheld"}, headers=decider).status_code
        == 401
    )


def test_withdrawal_withdraws_every_hash_of_the_case(
    app: TestClient, filer: dict[str, str], decider: dict[str, str]
) -> None:
    receipt = app.post("/v1/notices", json=notice(), headers=filer).json()
    reference = receipt["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)
    withdrawn = app.post(f"/v1/cases/{reference}/withdraw", json={"pin": receipt["pin"]})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["withdrawn_hashes"] == 1
    assert withdrawn.json()["kept_hashes"] == 0
    assert _entry_statuses(app) == {"withdrawn"}
    view = app.get(f"/v1/cases/{reference}", headers={"X-Case-PIN": receipt["pin"]}).json()
    assert view["status"] == "withdrawn"
    assert all(d["stopped_at"] for d in view["deadlines"])


def test_a_deployment_may_keep_adjudicated_hashes_and_says_so(
    case_settings: Settings, filer: dict[str, str]
) -> None:
    del filer
    from consentry.accounts.models import Scope
    from tests.conftest import key_headers

    with running(case_settings.model_copy(update={"keep_adjudicated_hashes": True})) as client:
        filer_key = key_headers(client, Scope.NOTICES_WRITE)
        decider_key = key_headers(client, Scope.CASES_DECIDE)
        pending = notice(
            locations=[{"content_id": "other"}],
            hashes=[{"signal_type": "md5", "value": "3" * 32}],
        )
        kept_case = client.post("/v1/notices", json=notice(), headers=filer_key).json()
        client.post(
            f"/v1/cases/{kept_case['reference']}/decisions",
            json={"decision": "confirm"},
            headers=decider_key,
        )
        answer = client.post(
            f"/v1/cases/{kept_case['reference']}/withdraw", json={"pin": kept_case["pin"]}
        ).json()
        assert answer["kept_hashes"] == 1
        assert "legal duty" in answer["message"]
        open_case = client.post("/v1/notices", json=pending, headers=filer_key).json()
        answer = client.post(
            f"/v1/cases/{open_case['reference']}/withdraw", json={"pin": open_case["pin"]}
        ).json()
        assert answer["withdrawn_hashes"] == 1  # unconfirmed hashes always go
