"""F18: a member of staff deciding through the API is bound by claims as in the console."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role, User
from consentry.cases.models import Case
from consentry.db.session import session_scope
from consentry.review.claims import claim_case, holder
from tests.cases.support import notice, staff_headers


def test_a_case_another_reviewer_holds_cannot_be_decided_through_the_api(
    app: TestClient, filer: dict[str, str]
) -> None:
    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    staff_headers(app, "first@example.org", Role.REVIEWER)
    app.cookies.clear()
    second = staff_headers(app, "second@example.org", Role.REVIEWER)
    engine = app.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        first = session.scalars(select(User).where(User.email == "first@example.org")).one()
        claim_case(session=session, case=case, user_id=first.id)
    refused = app.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=second
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("case-held")
    with session_scope(engine) as session:
        current = holder(session=session, case_id=case.id)
        assert current is not None
        assert current.user_id == first.id
        assert session.get_one(Case, case.id).status == "open"


def test_deciding_through_the_api_claims_the_case(app: TestClient, filer: dict[str, str]) -> None:
    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    reviewer = staff_headers(app, "rev@example.org", Role.REVIEWER)
    decided = app.post(
        f"/v1/cases/{reference}/decisions", json={"decision": "escalate"}, headers=reviewer
    )
    assert decided.status_code == 200, decided.text
    with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
        case = session.scalars(select(Case).where(Case.reference == reference)).one()
        current = holder(session=session, case_id=case.id)
        assert current is not None
