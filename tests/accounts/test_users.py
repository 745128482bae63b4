import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.accounts import users
from consentry.accounts.errors import AccountError
from consentry.accounts.models import Role
from consentry.db.session import session_scope

PASSWORD = "correct horse battery staple"


def new_user(client: TestClient, email: str, role: Role) -> str:
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        _, token = users.create_user(session=session, email=email, role=role)
    return token


def test_setup_token_works_once_and_needs_a_long_password(session: Session) -> None:
    _, token = users.create_user(session=session, email="Ada@Example.org", role=Role.ADMIN)
    with pytest.raises(AccountError, match="12 characters"):
        users.set_password(session=session, token=token, password="short")
    result = users.set_password(session=session, token=token, password=PASSWORD)
    assert result.user.email == "ada@example.org"
    assert result.totp_uri is None  # admins see no case content
    with pytest.raises(AccountError, match="not valid"):
        users.set_password(session=session, token=token, password=PASSWORD)
    with pytest.raises(AccountError, match="exists"):
        users.create_user(session=session, email="ada@example.org", role=Role.LEAD)


def test_reviewer_signs_in_with_password_and_totp(client: TestClient) -> None:
    token = new_user(client, "rev@example.org", Role.REVIEWER)
    setup = client.post("/auth/setup", json={"token": token, "password": PASSWORD}).json()
    secret = pyotp.parse_uri(setup["totp_uri"]).secret
    without_code = client.post(
        "/auth/login", json={"email": "rev@example.org", "password": PASSWORD}
    )
    assert without_code.status_code == 401
    assert without_code.headers["content-type"] == "application/problem+json"
    response = client.post(
        "/auth/login",
        json={"email": "rev@example.org", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    csrf = response.json()["csrf_token"]
    assert client.get("/auth/me").json()["role"] == "reviewer"
    assert client.post("/auth/logout").status_code == 403  # no CSRF token
    assert client.post("/auth/logout", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/auth/me").status_code == 401


def test_repeated_failures_are_throttled(client: TestClient) -> None:
    token = new_user(client, "admin@example.org", Role.ADMIN)
    client.post("/auth/setup", json={"token": token, "password": PASSWORD})
    codes = [
        client.post(
            "/auth/login", json={"email": "admin@example.org", "password": "nope"}
        ).status_code
        for _ in range(users.MAX_FAILURES)
    ]
    assert codes == [401] * users.MAX_FAILURES
    locked = client.post("/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    unknown = client.post("/auth/login", json={"email": "nobody@example.org", "password": "x"})
    assert unknown.json()["detail"] == "the e-mail address, password or code is not right"
