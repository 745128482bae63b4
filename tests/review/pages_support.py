"""Working the console as a member of staff over plain HTTP: signing in, claiming, filing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.accounts.users import create_user, set_password
from consentry.cases.intake import file_notice
from consentry.cases.models import Case
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.cases.support import eventually, notice

PASSWORD = "a long enough password"


def engine_of(client: TestClient) -> Any:
    return client.app.state.engine  # type: ignore[attr-defined]


def sign_in(client: TestClient, email: str, role: Role) -> str:
    """Create and sign in a member of staff; returns the page's CSRF token."""
    with session_scope(engine_of(client)) as session:
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
    return csrf(response.text)


def claim(client: TestClient, reference: str) -> None:
    """Claim a case as a reviewer does: a POST from the case page (never a GET)."""
    page = client.get(f"/console/cases/{reference}")
    claimed = client.post(f"/console/cases/{reference}/open", data={"csrf_token": csrf(page.text)})
    assert claimed.status_code == 200, claimed.text


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def file_case(client: TestClient, **overrides: Any) -> str:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with session_scope(engine_of(client)) as session:
        filed = file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice(hashes=[], **overrides)),
            filed_by=SYSTEM,
            settings=settings,
        )
        return filed.case.reference


def where(n: int) -> list[dict[str, str]]:
    return [{"content_id": f"item-{n}"}]


def rows(page: str) -> list[str]:
    return re.findall(r'class="case-row[^"]*" data-reference="([^"]+)"', page)


def case_of(session: Session, reference: str) -> Case:
    return session.scalars(select(Case).where(Case.reference == reference)).one()


def page_once_matched(app: TestClient, reference: str, scan: Callable[[], Response]) -> str:
    """Scan until the upload matches (the matcher follows the case's confirmation), then
    the case page as a reviewer sees it."""
    eventually(lambda: bool(scan().json()["matches"]))
    sign_in(app, "rev@example.org", Role.REVIEWER)
    page: str = app.get(f"/console/cases/{reference}").text
    return page
