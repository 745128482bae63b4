"""Every endpoint x every scope x anonymous: who gets in."""

import pyotp
import pytest
from fastapi.testclient import TestClient

from consentry.accounts import users
from consentry.accounts.models import Role, Scope
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.conftest import key_headers

PDQ = "2a" * 32
ENDPOINTS: list[tuple[str, str, Scope | None, dict[str, object]]] = [
    ("GET", "/healthz", None, {}),
    ("GET", "/readyz", None, {}),
    ("POST", "/v1/scan", Scope.SCAN, {"json": {"pdq": PDQ}}),
    ("POST", "/v1/scan/batch", Scope.SCAN, {"json": {"items": [{"pdq": PDQ}]}}),
    ("POST", "/v1/hash", Scope.SCAN, {"files": {"file": ("a.txt", b"x", "text/plain")}}),
    ("GET", "/v1/banks", Scope.BANKS_READ, {}),
    ("GET", "/v1/banks/ncii", Scope.BANKS_READ, {}),
    ("GET", "/v1/banks/ncii/export", Scope.BANKS_READ, {}),
    ("GET", "/v1/banks/ncii/changes", Scope.BANKS_READ, {}),
    ("POST", "/v1/banks", Scope.BANKS_WRITE, {"json": {"name": "other"}}),
    ("POST", "/v1/banks/ncii/entries", Scope.BANKS_WRITE, {"json": {"entries": [{"value": PDQ}]}}),
    ("POST", "/v1/banks/ncii/entries/confirm", Scope.BANKS_WRITE, {"json": {"value": PDQ}}),
]


@pytest.fixture
def prepared(client: TestClient) -> TestClient:
    writer = key_headers(client, Scope.BANKS_WRITE)
    client.post("/v1/banks", json={"name": "ncii"}, headers=writer)
    client.post("/v1/banks/ncii/entries", json={"entries": [{"value": PDQ}]}, headers=writer)
    return client


def test_authorisation_matrix(prepared: TestClient) -> None:
    client = prepared
    headers = {scope: key_headers(client, scope) for scope in Scope}
    failures = []
    for method, path, needed, kwargs in ENDPOINTS:
        anonymous = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        expected_anonymous = 401 if needed else 200
        if anonymous.status_code != expected_anonymous:
            failures.append((method, path, "anonymous", anonymous.status_code))
        if needed:
            assert anonymous.headers["www-authenticate"] == "Bearer"
            assert anonymous.headers["content-type"] == "application/problem+json"
        for scope, scope_headers in headers.items():
            response = client.request(method, path, headers=scope_headers, **kwargs)  # type: ignore[arg-type]
            allowed = needed is None or scope is needed
            if allowed and response.status_code in (401, 403):
                failures.append((method, path, scope.value, response.status_code))
            if not allowed and response.status_code != 403:
                failures.append((method, path, scope.value, response.status_code))
    assert failures == []


def test_unknown_and_revoked_keys_are_401(client: TestClient) -> None:
    assert client.get("/v1/banks", headers={"Authorization": "Bearer cst_nope"}).status_code == 401
    assert client.get("/v1/banks", headers={"Authorization": "Basic abc"}).status_code == 401


def test_staff_sessions_by_role(client: TestClient) -> None:
    """Every role signs in with TOTP (F7: admins too); a session is no API key."""
    password = "a long enough password"
    for role in Role:
        email = f"{role.value}@example.org"
        with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
            _, token = users.create_user(actor=SYSTEM, session=session, email=email, role=role)
        setup = client.post("/auth/setup", json={"token": token, "password": password}).json()
        code = pyotp.TOTP(pyotp.parse_uri(setup["totp_uri"]).secret).now()
        without = client.post("/auth/login", json={"email": email, "password": password})
        assert without.status_code == 401, role
        login = client.post(
            "/auth/login", json={"email": email, "password": password, "code": code}
        )
        assert login.status_code == 200, role
        assert client.get("/auth/me").json()["role"] == role.value
        for method, path, needed, kwargs in ENDPOINTS:
            if needed is not None:
                response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
                assert response.status_code == 401, (role, path)
        client.post("/auth/logout", headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert client.get("/auth/me").status_code == 401
