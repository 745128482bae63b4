"""The portal as plain HTTP (what it does without JavaScript), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.audit.models import AuditEvent
from consentry.banks.models import BankEntry
from consentry.cases.models import Case
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from tests.helpers import running
from tests.portal.forms import COMPLETE, codes

# Counts up to limits in fixed windows: on a clock where none ends mid-test.
pytestmark = pytest.mark.usefixtures("fresh_windows")


PDQ = "f" * 16 + "0" * 16 + "a5" * 16


@pytest.mark.parametrize("path", ["/", "/request", "/status"])
def test_every_page_has_a_strict_policy_and_is_not_cached(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "connect-src 'none'" in policy
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert 'href="/"' in response.text  # the process page is linked from every footer (IN-01)


def test_the_hashing_worker_is_served_under_its_own_policy(client: TestClient) -> None:
    response = client.get("/portal/static/hasher.js")
    assert response.status_code == 200
    assert "connect-src 'none'" in response.headers["content-security-policy"]


def test_a_complete_request_without_javascript_is_filed(client: TestClient) -> None:
    response = client.post("/request", data={**COMPLETE, "hash": [f"pdq:{PDQ}:90"]})
    assert response.status_code == 201
    reference, pin = codes(response.text)
    assert "cannot be recovered" in response.text
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    engine = make_engine(settings.resolved_database_url())
    with session_scope(engine) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        assert case.filed_by == "portal"
        assert case.status == "open"
        entry = session.scalar(select(BankEntry).where(BankEntry.value == PDQ))
        assert entry is not None
        assert entry.status == "pending"
    engine.dispose()
    status = client.post("/status", data={"reference": reference, "pin": pin})
    assert status.status_code == 200
    assert "We are reviewing your request." in status.text


def test_an_incomplete_request_is_not_filed_and_keeps_every_answer(client: TestClient) -> None:
    hostile = "<script>alert(1)</script>"
    data = {**COMPLETE, "good_faith": "", "explanation": hostile, "hash": [f"pdq:{PDQ}:90"]}
    response = client.post("/request", data=data)
    assert response.status_code == 422
    assert 'id="good_faith-error"' in response.text
    assert hostile not in response.text
    assert "&lt;script&gt;" in response.text
    assert f'name="hash" value="pdq:{PDQ}:90"' in response.text
    assert 'value="person@example.org"' in response.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"urls": "not a link"}, "urls"),
        ({"email": "nobody"}, "email"),
        ({"country": "England"}, "country"),
        ({"hash": ["pdq:zz:90"]}, "photos"),
        ({"email": "", "urls": ""}, "email"),
    ],
)
def test_each_bad_answer_is_shown_at_its_field(
    client: TestClient, change: dict[str, object], field: str
) -> None:
    response = client.post("/request", data={**COMPLETE, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert f'href="#{field}"' in response.text


def test_a_file_part_is_refused_before_anything_is_stored(client: TestClient) -> None:
    response = client.post(
        "/request", data=COMPLETE, files={"photo": ("x.jpg", b"\xff\xd8\xff" + b"0" * 100)}
    )
    assert response.status_code == 400


def test_a_hash_only_request_needs_no_name_or_contact(client: TestClient) -> None:
    data = {"kind": "block", "good_faith": "on", "hash": [f"pdq:{PDQ}:80"]}
    response = client.post("/request", data=data)
    assert response.status_code == 201


def test_a_possible_minor_goes_to_the_specialist_team(client: TestClient) -> None:
    data = {"kind": "remove", "under_18": "not_sure", "good_faith": "on", "urls": COMPLETE["urls"]}
    response = client.post("/request", data=data)
    assert response.status_code == 201
    assert "specialist team" in response.text
    assert "Take It Down" in response.text


def test_the_status_page_appeals_a_declined_request(client: TestClient) -> None:
    reference, pin = codes(client.post("/request", data=COMPLETE).text)
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    engine = make_engine(settings.resolved_database_url())
    from consentry.cases.decisions import decide
    from consentry.cases.schemas import DecisionIn

    with session_scope(engine) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        decide(
            session=session,
            case=case,
            decision=DecisionIn(decision="decline", reason_code="not_intimate"),
            actor=Actor.user(1),
            settings=settings,
        )
    engine.dispose()
    page = client.post("/status", data={"reference": reference, "pin": pin})
    assert "We decided not to remove the content." in page.text
    assert "appeal-form" in page.text
    appealed = client.post(
        "/status/appeal", data={"reference": reference, "pin": pin, "explanation": "It is me."}
    )
    assert "Your appeal was received." in appealed.text
    assert "appeal-form" not in appealed.text


def test_wrong_pins_are_throttled(client: TestClient) -> None:
    reference, _ = codes(client.post("/request", data=COMPLETE).text)
    answers = [
        client.post("/status", data={"reference": reference, "pin": "AAAA-BBBB-CCCC"}).status_code
        for _ in range(6)
    ]
    assert answers == [404] * 5 + [429]


@pytest.fixture
def strict(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(
        update={"portal_requests_per_network_hour": 2, "portal_requests_per_contact_day": 1}
    )
    with running(limited) as test_client:
        yield test_client


def test_a_network_over_its_limit_is_asked_to_wait(strict: TestClient) -> None:
    answers = [strict.post("/request", data=COMPLETE).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    page = strict.post("/request", data=COMPLETE).text
    assert "minutes" in page
    assert "helpline" in page


def test_many_requests_naming_one_contact_are_filed_and_flagged(strict: TestClient) -> None:
    first, _ = codes(strict.post("/request", data=COMPLETE).text)
    other = {**COMPLETE, "urls": "https://example.org/post/2"}  # another item: not merged
    second, _ = codes(strict.post("/request", data=other).text)
    settings: Settings = strict.app.state.settings  # type: ignore[attr-defined]
    engine = make_engine(settings.resolved_database_url())
    with session_scope(engine) as session:
        cases = {c.reference: c for c in session.scalars(select(Case))}
        assert not cases[first].escalated
        assert cases[second].escalated
        flags = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.flagged"))
        assert [f.subject_id for f in flags] == [str(cases[second].id)]
    engine.dispose()
