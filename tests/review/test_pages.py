"""The console as plain HTTP on SQLite and PostgreSQL: sign-in, roles, CSRF, the queue's
filters and order, decisions, hand-overs, comments, requests for information, settings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role, User
from consentry.accounts.users import create_user
from consentry.actions.models import OutboxMessage
from consentry.audit.models import AuditEvent
from consentry.cases.intake import file_notice
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.review.models import Claim, Comment
from tests.cases.support import notice
from tests.review.pages_support import (
    PASSWORD,
    case_of,
    claim,
    engine_of,
    file_case,
    rows,
    sign_in,
    where,
)


def test_pages_need_a_signed_in_reviewer(client: TestClient) -> None:
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/login"
    sign_in(client, "root@example.org", Role.ADMIN)
    assert client.get("/console").status_code == 403
    assert client.get("/console/admin").status_code == 200
    policy = client.get("/console/admin").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy


def test_a_change_without_the_csrf_token_is_refused(client: TestClient) -> None:
    reference = file_case(client, locations=where(1))
    sign_in(client, "rev@example.org", Role.REVIEWER)
    claim(client, reference)
    refused = client.post(f"/console/cases/{reference}/release", data={"csrf_token": "forged"})
    assert refused.status_code == 403


def test_the_queue_is_ordered_by_time_left_and_filtered(client: TestClient) -> None:
    later = file_case(client, locations=where(1))
    sooner = file_case(client, request_types=["third_party"], locations=where(2))
    threat = file_case(client, grounds=["threat_to_share"], locations=where(3))
    minor = file_case(client, under_18="not_sure", locations=where(4))
    sign_in(client, "rev@example.org", Role.REVIEWER)
    assert rows(client.get("/console").text) == [sooner, later, threat]
    assert rows(client.get("/console?priority=2").text) == [threat]
    assert rows(client.get("/console?request_type=third_party").text) == [sooner]
    assert rows(client.get("/console?queue=restricted").text) == []
    assert rows(client.get("/console?priority=banana&bank=%3Cb%3E").text) == []
    assert client.get(f"/console/cases/{minor}").status_code == 403
    lead = TestClient(client.app)
    with lead:
        sign_in(lead, "lead@example.org", Role.LEAD)
        assert rows(lead.get("/console?queue=restricted").text) == [minor]
        assert rows(lead.get("/console?priority=1").text) == [minor]


def test_decisions_comments_and_information_requests(client: TestClient) -> None:
    reference = file_case(client, locations=where(1))
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    claim(client, reference)
    form = {"csrf_token": token}
    comment = client.post(
        f"/console/cases/{reference}/comment", data={**form, "text": "<b>check</b> the date"}
    )
    assert "&lt;b&gt;check&lt;/b&gt; the date" in comment.text
    asked = client.post(
        f"/console/cases/{reference}/decide",
        data={**form, "decision": "information", "message": "Which account posted it?"},
    )
    assert asked.status_code == 200
    refused = client.post(f"/console/cases/{reference}/decide", data={**form, "decision": "keep"})
    assert refused.status_code == 403
    kept = client.post(
        f"/console/cases/{reference}/decide",
        data={**form, "decision": "keep", "reason_code": "not_intimate", "reason": "a landscape"},
    )
    assert f"Decision recorded for {reference}." in kept.text
    with session_scope(engine_of(client)) as session:
        case = case_of(session, reference)
        assert case.status == "declined"
        assert session.get(Claim, case.id) is None  # released with the decision
        assert session.scalars(select(Comment.text)).all() == ["<b>check</b> the date"]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == str(case.id))
        ).all()
        commented = [e for e in events if e.action == "case.commented"]
        assert len(commented) == 1
        assert "check" not in str(commented[0].details)  # the text stays out of the log
        assert "case.information_requested" in {e.action for e in events}
        mails = session.scalars(select(OutboxMessage.event)).all()
        assert "information_request" in mails


def test_hand_over_passes_the_case_with_its_comment(client: TestClient) -> None:
    reference = file_case(client, locations=where(1))
    with session_scope(engine_of(client)) as session:
        other, _ = create_user(
            actor=SYSTEM, session=session, email="next@example.org", role=Role.REVIEWER
        )
        other_id = other.id
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    claim(client, reference)
    client.post(
        f"/console/cases/{reference}/handover",
        data={"csrf_token": token, "to_user": str(other_id), "note": "needs a second look"},
    )
    with session_scope(engine_of(client)) as session:
        held = session.get_one(Claim, case_of(session, reference).id)
        assert held.user_id == other_id
        assert held.note == "needs a second look"
    taken = client.post(
        f"/console/cases/{reference}/decide", data={"csrf_token": token, "decision": "escalate"}
    )
    assert taken.status_code == 409


def test_media_settings_override_the_organisation_default(client: TestClient) -> None:
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    assert (
        'id="blur-default" name="blur" value="default" checked'
        in client.get("/console/settings").text
    )
    client.post("/console/settings", data={"csrf_token": token, "blur": "off"})
    page = client.get("/console/settings").text
    assert "Blur previews (now: off)" in page
    assert "Show previews in greyscale (now: on)" in page


def test_admin_creates_a_user_and_the_link_is_shown_once(client: TestClient) -> None:
    token = sign_in(client, "root@example.org", Role.ADMIN)
    created = client.post(
        "/console/admin/users",
        data={"csrf_token": token, "email": "new@example.org", "role": "lead"},
    )
    assert "/setup#token=" in created.text
    with session_scope(engine_of(client)) as session:
        user = session.scalars(select(User).where(User.email == "new@example.org")).one()
        assert user.role == "lead"
        user_id = user.id
    client.post(
        f"/console/admin/users/{user_id}/role", data={"csrf_token": token, "role": "reviewer"}
    )
    with session_scope(engine_of(client)) as session:
        assert session.get_one(User, user_id).role == "reviewer"


@pytest.mark.parametrize(
    "path", ["/console/cases/CS-NONE-NONE-NONE", "/console/cases/%3Cscript%3E"]
)
def test_unknown_cases_get_a_plain_answer(client: TestClient, path: str) -> None:
    sign_in(client, "rev@example.org", Role.REVIEWER)
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.text


def test_appeals_have_their_own_queue_decided_by_a_lead(client: TestClient) -> None:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(engine_of(client)) as session:
        filed = file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice(hashes=[], locations=where(5))),
            filed_by=SYSTEM,
            settings=settings,
        )
        reference, pin = filed.case.reference, filed.pin
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    claim(client, reference)
    client.post(
        f"/console/cases/{reference}/decide",
        data={"csrf_token": token, "decision": "keep", "reason_code": "not_intimate"},
    )
    appealed = client.post(
        f"/v1/cases/{reference}/appeals", json={"pin": pin, "explanation": "It is intimate."}
    )
    assert appealed.status_code == 201
    lead = TestClient(client.app)
    with lead:
        lead_token = sign_in(lead, "lead@example.org", Role.LEAD)
        queue = lead.get("/console/appeals").text
        assert reference in queue
        appeal_id = appealed.json()["id"]
        lead.post(
            f"/console/appeals/{appeal_id}", data={"csrf_token": lead_token, "outcome": "upheld"}
        )
        assert reference not in lead.get("/console/appeals").text
    with session_scope(engine_of(client)) as session:
        assert case_of(session, reference).status == "confirmed"


def test_breached_and_escalated_cases_are_marked_in_words_too(client: TestClient) -> None:
    from datetime import timedelta

    from consentry.cases.clocks import ClockSettings, fire_due
    from consentry.cases.models import Deadline
    from consentry.db.base import utcnow

    breached = file_case(client, locations=where(1))
    escalated = file_case(client, locations=where(2), grounds=["threat_to_share"])
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(engine_of(client)) as session:
        case = case_of(session, breached)
        for deadline in session.scalars(select(Deadline).where(Deadline.case_id == case.id)):
            deadline.due_at = utcnow() - timedelta(hours=1)
    with session_scope(engine_of(client)) as session:
        fire_due(session=session, now=utcnow(), clocks=ClockSettings.of(settings))
    token = sign_in(client, "rev@example.org", Role.REVIEWER)
    claim(client, escalated)
    client.post(
        f"/console/cases/{escalated}/decide", data={"csrf_token": token, "decision": "escalate"}
    )
    page = client.get("/console").text
    assert f'class="case-row breached" data-reference="{breached}"' in page
    assert f'class="case-row escalated" data-reference="{escalated}"' in page
    assert "breached</strong>" in page
    assert "escalated</strong>" in page
    assert rows(page)[0] == breached  # overdue comes first


def test_the_report_page_and_downloads_are_for_admins_and_auditors(client: TestClient) -> None:
    file_case(client, locations=where(1))
    sign_in(client, "audit@example.org", Role.AUDITOR)
    page = client.get("/console/admin/report?from=2000-01-01&to=2100-01-01")
    assert page.status_code == 200
    assert "img-src 'self' data:;" in page.headers["content-security-policy"]
    assert "notices · received by request type · depicted person</td><td>&lt;5" in page.text
    download = client.get("/console/admin/report.csv?from=2000-01-01&to=2100-01-01")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "notices.valid,<5" in download.text
    assert client.get("/console/admin/report.xml").status_code == 404
    assert client.get("/console/admin").status_code == 403  # users are for admins only
    reviewer = TestClient(client.app)
    with reviewer:
        sign_in(reviewer, "rev@example.org", Role.REVIEWER)
        assert reviewer.get("/console/admin/report").status_code == 403


def test_reading_a_case_claims_nothing_and_the_login_form_refuses_other_sites(
    client: TestClient,
) -> None:
    """F23: a GET changes nothing; a sign-in posted from another site is refused."""
    reference = file_case(client, locations=where(1))
    sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}").text
    assert "Nobody holds this case." in page
    assert 'id="claim-form"' in page
    claim(client, reference)
    assert "You hold this case" in client.get(f"/console/cases/{reference}").text
    stranger = TestClient(client.app)
    with stranger:
        forged = stranger.post(
            "/console/login",
            data={"email": "rev@example.org", "password": PASSWORD, "login_token": "mine"},
        )
        assert forged.status_code == 403
        assert "came from another site" in forged.text
