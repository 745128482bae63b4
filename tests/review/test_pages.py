"""The console as plain HTTP on SQLite and PostgreSQL: sign-in, roles, CSRF, the queue's
filters and order, decisions, hand-overs, comments, requests for information, settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role, User
from consentry.accounts.users import create_user, set_password
from consentry.actions.models import OutboxMessage
from consentry.audit.models import AuditEvent
from consentry.cases.intake import file_notice
from consentry.cases.models import Case
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.review.models import Claim, Comment
from tests.cases.support import notice
from tests.helpers import running

PASSWORD = "a long enough password"


def _engine(client: TestClient) -> Any:
    return client.app.state.engine  # type: ignore[attr-defined]


def _sign_in(client: TestClient, email: str, role: Role) -> str:
    """Create and sign in a member of staff; returns the page's CSRF token."""
    with session_scope(_engine(client)) as session:
        _, token = create_user(actor=SYSTEM, session=session, email=email, role=role)
        secret = set_password(session=session, token=token, password=PASSWORD).totp_uri
    code = pyotp.TOTP(pyotp.parse_uri(secret).secret).now() if secret else ""
    form = client.get("/console/login").text
    login_token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert login_token is not None
    response = client.post(
        "/console/login",
        data={"email": email, "password": PASSWORD, "code": code, "login_token": login_token[1]},
    )
    assert response.status_code == 200, response.text
    return _csrf(response.text)


def _claim(client: TestClient, reference: str) -> None:
    """Claim a case as a reviewer does: a POST from the case page (never a GET)."""
    page = client.get(f"/console/cases/{reference}")
    claimed = client.post(f"/console/cases/{reference}/open", data={"csrf_token": _csrf(page.text)})
    assert claimed.status_code == 200, claimed.text


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _file(client: TestClient, **overrides: Any) -> str:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(_engine(client)) as session:
        filed = file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice(hashes=[], **overrides)),
            filed_by=SYSTEM,
            settings=settings,
        )
        return filed.case.reference


def _where(n: int) -> list[dict[str, str]]:
    return [{"content_id": f"item-{n}"}]


def _rows(page: str) -> list[str]:
    return re.findall(r'class="case-row[^"]*" data-reference="([^"]+)"', page)


def test_pages_need_a_signed_in_reviewer(client: TestClient) -> None:
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/login"
    _sign_in(client, "root@example.org", Role.ADMIN)
    assert client.get("/console").status_code == 403
    assert client.get("/console/admin").status_code == 200
    policy = client.get("/console/admin").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy


def test_a_change_without_the_csrf_token_is_refused(client: TestClient) -> None:
    reference = _file(client, locations=_where(1))
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    _claim(client, reference)
    refused = client.post(f"/console/cases/{reference}/release", data={"csrf_token": "forged"})
    assert refused.status_code == 403


def test_the_queue_is_ordered_by_time_left_and_filtered(client: TestClient) -> None:
    later = _file(client, locations=_where(1))
    sooner = _file(client, request_types=["third_party"], locations=_where(2))
    threat = _file(client, grounds=["threat_to_share"], locations=_where(3))
    minor = _file(client, under_18="not_sure", locations=_where(4))
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    assert _rows(client.get("/console").text) == [sooner, later, threat]
    assert _rows(client.get("/console?priority=2").text) == [threat]
    assert _rows(client.get("/console?request_type=third_party").text) == [sooner]
    assert _rows(client.get("/console?queue=restricted").text) == []
    assert _rows(client.get("/console?priority=banana&bank=%3Cb%3E").text) == []
    assert client.get(f"/console/cases/{minor}").status_code == 403
    lead = TestClient(client.app)
    with lead:
        _sign_in(lead, "lead@example.org", Role.LEAD)
        assert _rows(lead.get("/console?queue=restricted").text) == [minor]
        assert _rows(lead.get("/console?priority=1").text) == [minor]


def _case(session: Session, reference: str) -> Case:
    return session.scalars(select(Case).where(Case.reference == reference)).one()


def test_decisions_comments_and_information_requests(client: TestClient) -> None:
    reference = _file(client, locations=_where(1))
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    _claim(client, reference)
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
    with session_scope(_engine(client)) as session:
        case = _case(session, reference)
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
    reference = _file(client, locations=_where(1))
    with session_scope(_engine(client)) as session:
        other, _ = create_user(
            actor=SYSTEM, session=session, email="next@example.org", role=Role.REVIEWER
        )
        other_id = other.id
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    _claim(client, reference)
    client.post(
        f"/console/cases/{reference}/handover",
        data={"csrf_token": token, "to_user": str(other_id), "note": "needs a second look"},
    )
    with session_scope(_engine(client)) as session:
        claim = session.get_one(Claim, _case(session, reference).id)
        assert claim.user_id == other_id
        assert claim.note == "needs a second look"
    taken = client.post(
        f"/console/cases/{reference}/decide", data={"csrf_token": token, "decision": "escalate"}
    )
    assert taken.status_code == 409


def test_media_settings_override_the_organisation_default(client: TestClient) -> None:
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    assert (
        'id="blur-default" name="blur" value="default" checked'
        in client.get("/console/settings").text
    )
    client.post("/console/settings", data={"csrf_token": token, "blur": "off"})
    page = client.get("/console/settings").text
    assert "Blur previews (now: off)" in page
    assert "Show previews in greyscale (now: on)" in page


def test_admin_creates_a_user_and_the_link_is_shown_once(client: TestClient) -> None:
    token = _sign_in(client, "root@example.org", Role.ADMIN)
    created = client.post(
        "/console/admin/users",
        data={"csrf_token": token, "email": "new@example.org", "role": "lead"},
    )
    assert "/setup#token=" in created.text
    with session_scope(_engine(client)) as session:
        user = session.scalars(select(User).where(User.email == "new@example.org")).one()
        assert user.role == "lead"
        user_id = user.id
    client.post(
        f"/console/admin/users/{user_id}/role", data={"csrf_token": token, "role": "reviewer"}
    )
    with session_scope(_engine(client)) as session:
        assert session.get_one(User, user_id).role == "reviewer"


@pytest.mark.parametrize(
    "path", ["/console/cases/CS-NONE-NONE-NONE", "/console/cases/%3Cscript%3E"]
)
def test_unknown_cases_get_a_plain_answer(client: TestClient, path: str) -> None:
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.text


def test_the_case_page_shows_the_matches_of_a_copy_found_by_a_scan(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    from tests.cases.support import PDQ, eventually

    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)

    def scanned() -> bool:
        found = app.post("/v1/scan", json={"pdq": PDQ, "content_id": "copy-9"}, headers=platform)
        return bool(found.json()["matches"])

    eventually(scanned)
    _sign_in(app, "rev@example.org", Role.REVIEWER)
    page = app.get(f"/console/cases/{reference}").text
    assert "<caption>Matches</caption>" in page
    assert "<td>cases</td><td>pdq</td><td>0 of" in page
    assert "copy-9" in page


@pytest.fixture
def previews(settings: Settings) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "preview_url_template": "https://previews.example.org/p/{content_id}",
            "console_reveals_per_day": 2,
        }
    )
    with running(configured) as test_client:
        yield test_client


def test_reveals_are_counted_capped_and_shown_to_leads(previews: TestClient) -> None:
    client = previews
    reference = _file(client, locations=_where(1))
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}")
    assert "img-src 'self' https://previews.example.org;" in page.headers["content-security-policy"]
    assert 'class="preview blur blur-24 grey"' in page.text
    assert 'src="https://previews.example.org/p/item-1"' in page.text
    client.post("/console/settings", data={"csrf_token": token, "blur_strength": "40"})
    assert "blur-40" in client.get(f"/console/cases/{reference}").text
    _claim(client, reference)
    reveal = {"csrf_token": token, "item": "1"}
    answers = [client.post(f"/console/cases/{reference}/reveal", data=reveal) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 'class="preview"' in answers[0].text  # shown as it is, this once
    assert "take a break" in answers[2].text
    lead = TestClient(client.app)
    with lead:
        _sign_in(lead, "lead@example.org", Role.LEAD)
        team = lead.get("/console/settings").text
    assert "<td>rev@example.org</td><td>2</td>" in team


def test_appeals_have_their_own_queue_decided_by_a_lead(client: TestClient) -> None:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(_engine(client)) as session:
        filed = file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice(hashes=[], locations=_where(5))),
            filed_by=SYSTEM,
            settings=settings,
        )
        reference, pin = filed.case.reference, filed.pin
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    _claim(client, reference)
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
        lead_token = _sign_in(lead, "lead@example.org", Role.LEAD)
        queue = lead.get("/console/appeals").text
        assert reference in queue
        appeal_id = appealed.json()["id"]
        lead.post(
            f"/console/appeals/{appeal_id}", data={"csrf_token": lead_token, "outcome": "upheld"}
        )
        assert reference not in lead.get("/console/appeals").text
    with session_scope(_engine(client)) as session:
        assert _case(session, reference).status == "confirmed"


def test_breached_and_escalated_cases_are_marked_in_words_too(client: TestClient) -> None:
    from datetime import timedelta

    from consentry.cases.clocks import ClockSettings, fire_due
    from consentry.cases.models import Deadline
    from consentry.db.base import utcnow

    breached = _file(client, locations=_where(1))
    escalated = _file(client, locations=_where(2), grounds=["threat_to_share"])
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(_engine(client)) as session:
        case = _case(session, breached)
        for deadline in session.scalars(select(Deadline).where(Deadline.case_id == case.id)):
            deadline.due_at = utcnow() - timedelta(hours=1)
    with session_scope(_engine(client)) as session:
        fire_due(session=session, now=utcnow(), clocks=ClockSettings.of(settings))
    token = _sign_in(client, "rev@example.org", Role.REVIEWER)
    _claim(client, escalated)
    client.post(
        f"/console/cases/{escalated}/decide", data={"csrf_token": token, "decision": "escalate"}
    )
    page = client.get("/console").text
    assert f'class="case-row breached" data-reference="{breached}"' in page
    assert f'class="case-row escalated" data-reference="{escalated}"' in page
    assert "breached</strong>" in page
    assert "escalated</strong>" in page
    assert _rows(page)[0] == breached  # overdue comes first


def test_the_report_page_and_downloads_are_for_admins_and_auditors(client: TestClient) -> None:
    _file(client, locations=_where(1))
    _sign_in(client, "audit@example.org", Role.AUDITOR)
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
        _sign_in(reviewer, "rev@example.org", Role.REVIEWER)
        assert reviewer.get("/console/admin/report").status_code == 403


def test_a_copy_found_by_an_image_scan_shows_its_provenance_signals(
    app: TestClient, filer: dict[str, str], decider: dict[str, str], platform: dict[str, str]
) -> None:
    from consentry.hashing.signals import compute_signals
    from tests.cases.support import eventually
    from tests.detection.signing import ThrowawaySigner
    from tests.images import jpeg, pattern

    signed = ThrowawaySigner().sign(jpeg(pattern(8)), ai=True)
    pdq = compute_signals(signed).to_json()["pdq"]
    body = notice(hashes=[{"signal_type": "pdq", "value": pdq, "quality": 90}])
    reference = app.post("/v1/notices", json=body, headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)

    def scanned() -> bool:
        files = {"file": ("upload.jpg", signed, "image/jpeg")}
        found = app.post("/v1/scan", files=files, data={"content_id": "upload-3"}, headers=platform)
        return bool(found.json()["matches"])

    eventually(scanned)
    _sign_in(app, "rev@example.org", Role.REVIEWER)
    page = app.get(f"/console/cases/{reference}").text
    assert "Detection signals" in page
    assert "<strong>c2pa</strong>: valid" in page
    assert "trainedAlgorithmicMedia" in page
    assert "consent is the test" in page


def test_related_cases_stand_together_in_the_queue_and_are_listed_on_the_case_page(
    client: TestClient,
) -> None:
    first = _file(client, locations=_where(1))
    unrelated = _file(client, request_types=["third_party"], locations=_where(2))
    second = _file(client, locations=_where(1))  # the same content, from someone else
    minor = _file(client, under_18="not_sure", locations=_where(1))
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    queue = client.get("/console").text
    # The 24-hour third-party case is the most urgent; the two related ones follow together.
    assert _rows(queue) == [unrelated, first, second]
    assert f"related to {second}" in queue
    page = client.get(f"/console/cases/{first}").text
    related = page[page.index('id="related"') :]
    assert f">{second}</a> (open): same content ID" in related
    assert minor not in page  # a restricted case is not named to a reviewer


def test_reading_a_case_claims_nothing_and_the_login_form_refuses_other_sites(
    client: TestClient,
) -> None:
    """F23: a GET changes nothing; a sign-in posted from another site is refused."""
    reference = _file(client, locations=_where(1))
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}").text
    assert "Nobody holds this case." in page
    assert 'id="claim-form"' in page
    _claim(client, reference)
    assert "You hold this case" in client.get(f"/console/cases/{reference}").text
    stranger = TestClient(client.app)
    with stranger:
        forged = stranger.post(
            "/console/login",
            data={"email": "rev@example.org", "password": PASSWORD, "login_token": "mine"},
        )
        assert forged.status_code == 403
        assert "came from another site" in forged.text


def test_reviewers_see_exactly_what_was_sent(client: TestClient) -> None:
    """S3: an underscore in free text is not a space (`@jane_doe` is not `@jane doe`)."""
    reference = _file(
        client,
        locations=_where(1),
        explanation="posted by @jane_doe on snake_case_forum",
        grounds=["threat_to_share"],
    )
    _sign_in(client, "rev@example.org", Role.REVIEWER)
    page = client.get(f"/console/cases/{reference}").text
    assert "posted by @jane_doe on snake_case_forum" in page
    assert "threat to share" in page  # a code from a closed list, in words


@pytest.fixture
def app_with_previews(case_settings: Settings) -> Iterator[TestClient]:
    configured = case_settings.model_copy(
        update={"preview_url_template": "https://previews.example.org/p/{content_id}"}
    )
    with running(configured) as test_client:
        yield test_client


def test_a_window_match_is_outlined_on_the_preview(app_with_previews: TestClient) -> None:
    """A photo's windows sent with a request (grouped by photo), confirmed; a tilted,
    cropped copy uploaded by the platform: the reviewer sees which region matched."""
    from PIL import Image

    from consentry.accounts.models import Scope
    from consentry.hashing.signals import compute_signals
    from tests.cases.support import eventually
    from tests.conftest import key_headers
    from tests.images import blobs, jpeg, png

    app = app_with_previews
    original = blobs(12, 800, 600)
    signals = compute_signals(png(original), bank=True)
    hashes = [
        {"signal_type": "pdq_windows", "value": w.to_hex(), "quality": w.quality, "photo": 1}
        for w in signals.windows
    ]
    filed = app.post(
        "/v1/notices", json=notice(hashes=hashes), headers=key_headers(app, Scope.NOTICES_WRITE)
    )
    reference = filed.json()["reference"]
    decide = key_headers(app, Scope.CASES_DECIDE)
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decide)
    copy = original.rotate(3, resample=Image.Resampling.BICUBIC).crop((90, 70, 720, 540))
    upload = {"file": ("u.jpg", jpeg(copy), "image/jpeg")}
    platform = key_headers(app, Scope.SCAN)

    def scanned() -> bool:
        found = app.post("/v1/scan", files=upload, data={"content_id": "copy-7"}, headers=platform)
        return bool(found.json()["matches"])

    eventually(scanned)
    _sign_in(app, "rev@example.org", Role.REVIEWER)
    page = app.get(f"/console/cases/{reference}").text
    assert "<td>cases</td><td>pdq_windows</td>" in page
    assert "(a region of the image matched, not the whole)" in page
    assert 'src="https://previews.example.org/p/copy-7"' in page
    outline = re.search(
        r'<svg class="region" viewBox="0 0 630.0 470.0"[^>]*><polygon points="([^"]+)"', page
    )
    assert outline is not None
    corners = [tuple(map(float, p.split(","))) for p in outline.group(1).split()]
    assert len(corners) == 4
    assert all(-50 <= x <= 680 and -50 <= y <= 520 for x, y in corners)
