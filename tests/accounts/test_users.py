from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from consentry.accounts import users
from consentry.accounts.errors import AccountError
from consentry.accounts.models import Role
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.throttle.argon import verify_secret

# Counts up to limits in fixed windows: on a clock where none ends mid-test.
pytestmark = pytest.mark.usefixtures("fresh_windows")


PASSWORD = "correct horse battery staple"


def new_user(client: TestClient, email: str, role: Role) -> str:
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        _, token = users.create_user(actor=SYSTEM, session=session, email=email, role=role)
    return token


def test_setup_token_works_once_and_needs_a_long_password(session: Session) -> None:
    _, token = users.create_user(
        actor=SYSTEM, session=session, email="Ada@Example.org", role=Role.ADMIN
    )
    with pytest.raises(AccountError, match="12 characters"):
        users.set_password(session=session, token=token, password="short")
    result = users.set_password(session=session, token=token, password=PASSWORD)
    assert result.user.email == "ada@example.org"
    assert result.totp_uri is not None  # F7: administrators sign in with a code too
    with pytest.raises(AccountError, match="not valid"):
        users.set_password(session=session, token=token, password=PASSWORD)
    with pytest.raises(AccountError, match="exists"):
        users.create_user(actor=SYSTEM, session=session, email="ada@example.org", role=Role.LEAD)


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


def _admin(client: TestClient, email: str = "admin@example.org") -> str:
    """An administrator with a password; returns their TOTP secret."""
    token = new_user(client, email, Role.ADMIN)
    setup = client.post("/auth/setup", json={"token": token, "password": PASSWORD}).json()
    return str(pyotp.parse_uri(setup["totp_uri"]).secret)


def _sign_in(engine: Engine, code: str | None, client: str = "192.0.2.1") -> bool:
    try:
        users.authenticate(
            engine=engine, email="admin@example.org", password=PASSWORD, code=code, client=client
        )
    except users.LoginFailed:
        return False
    return True


def test_a_code_signs_in_once(client: TestClient) -> None:
    """F12: a TOTP code seen once (over a shoulder, in a proxy log) is spent."""
    secret = _admin(client)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    code = pyotp.TOTP(secret).now()
    assert _sign_in(engine, code)
    assert not _sign_in(engine, code)
    assert not _sign_in(engine, code, client="198.51.100.7")


def test_failures_slow_their_source_but_never_lock_the_right_person_out(
    client: TestClient,
) -> None:
    """F15: five failures from one network for one address slow that network down; the
    person elsewhere, with the right password and code, still signs in."""
    secret = _admin(client)
    codes = [
        client.post(
            "/auth/login", json={"email": "admin@example.org", "password": "nope"}
        ).status_code
        for _ in range(users.LOGIN_PAIR.limit)
    ]
    assert codes == [401] * users.LOGIN_PAIR.limit
    locked = client.post("/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 900
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert _sign_in(engine, pyotp.TOTP(secret).now(), client="2001:db8:1:2::5")
    unknown = client.post("/auth/login", json={"email": "nobody@example.org", "password": "x"})
    assert unknown.json()["detail"] == "the e-mail address, password or code is not right"


def test_an_unknown_address_costs_an_argon2_check_like_a_known_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F13: sign-in time does not tell which addresses are staff."""
    _admin(client)
    checked: list[str | None] = []
    real = verify_secret

    def counting(digest: str | None, secret: str) -> bool:
        checked.append(digest)
        return real(digest, secret)

    monkeypatch.setattr(users, "verify_secret", counting)
    for email in ("admin@example.org", "nobody@example.org"):
        client.post("/auth/login", json={"email": email, "password": "wrong password!"})
    assert len(checked) == 2
    assert checked[0] is not None
    assert checked[1] is None  # None: checked against a dummy digest


def test_sixty_concurrent_wrong_sign_ins_are_evaluated_at_most_five_times(
    client: TestClient,
) -> None:
    """F14: the throttle is taken atomically on both databases."""
    _admin(client)
    engine = client.app.state.engine  # type: ignore[attr-defined]

    def attempt(_: int) -> str:
        try:
            users.authenticate(
                engine=engine,
                email="admin@example.org",
                password="not the password",
                code="000000",
                client="203.0.113.9",
            )
        except users.LoginThrottled:
            return "throttled"
        except users.LoginFailed:
            return "evaluated"
        return "signed in"

    with ThreadPoolExecutor(12) as pool:
        outcomes = Counter(pool.map(attempt, range(60)))
    assert outcomes == {"evaluated": users.LOGIN_PAIR.limit, "throttled": 55}


def test_a_setup_link_is_used_once_under_concurrency(client: TestClient) -> None:
    token = new_user(client, "rev@example.org", Role.REVIEWER)

    def use(_: int) -> int:
        answer = client.post("/auth/setup", json={"token": token, "password": PASSWORD})
        return int(answer.status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(use, range(16)))
    assert statuses == {200: 1, 422: 15}


def test_the_csrf_token_is_derived_not_stored(client: TestClient) -> None:
    """F20: a copy of the database holds no session's CSRF token."""
    secret = _admin(client)
    login = client.post(
        "/auth/login",
        json={"email": "admin@example.org", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    csrf = login.json()["csrf_token"]
    assert client.get("/auth/me").json()["csrf_token"] == csrf
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM staff_sessions")).mappings().all()
    assert csrf not in str(stored)
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
