"""Staff users: one-time setup links, Argon2 passwords, TOTP, sessions, login throttling.
Keyword-only; the caller owns the transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus

import pyotp
from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session

from consentry.accounts.errors import AccountError, SetupFailed
from consentry.accounts.models import Role, SetupToken, StaffSession, User
from consentry.audit.service import record
from consentry.core.actor import Actor
from consentry.core.errors import Throttled
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.throttle.argon import hash_secret, verify_secret
from consentry.throttle.service import Window, give_back, minutes, network_of, take

SETUP_LINK_LIFETIME = timedelta(hours=24)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 12
# Failed sign-ins allowed per client network, and per network and address, in 15 minutes.
LOGIN_NETWORK = Window("login_network", 900, limit=20)
LOGIN_PAIR = Window("login_pair", 900, limit=5)


class LoginFailed(AccountError):
    status = HTTPStatus.UNAUTHORIZED
    slug = "login-failed"

    def __init__(self) -> None:
        # One message for every cause, so a failure tells nothing about which part was wrong.
        super().__init__("the e-mail address, password or code is not right")


class LoginThrottled(Throttled, AccountError):
    def __init__(self, retry_after: int = 900) -> None:
        super().__init__(
            f"too many failed sign-ins from here; try again in {minutes(retry_after)} minute(s)",
            retry_after,
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normal_email(email: str) -> str:
    """NFC, lower case; no spaces, controls, zero-width or bidi characters, which let
    one address pass for another in hand-over lists (F22)."""
    email = unicodedata.normalize("NFC", email.strip()).lower()
    if "@" not in email or len(email) > 254 or any(_hidden(ch) for ch in email):
        raise AccountError("that is not an e-mail address")
    return email


def _hidden(ch: str) -> bool:
    # Cc: controls (NUL too); Cf: format characters (zero-width, bidi overrides).
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def create_user(*, session: Session, email: str, role: Role, actor: Actor) -> tuple[User, str]:
    """A user without a password, and the one-time token that lets them set it."""
    email = _normal_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user with the address {email} exists already")
    user = User(email=email, role=role)
    session.add(user)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="user.created",
        subject_type="user",
        subject_id=user.id,
        details={"role": role.value},
    )
    return user, issue_setup_token(session=session, user=user)


def issue_setup_token(*, session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        SetupToken(
            digest=_digest(token), user_id=user.id, expires_at=utcnow() + SETUP_LINK_LIFETIME
        )
    )
    session.flush()
    return token


def count_users(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


@dataclass(frozen=True, slots=True)
class SetupResult:
    user: User
    totp_uri: str | None  # for the authenticator app, when the role needs a second factor


def set_password(*, session: Session, token: str, password: str) -> SetupResult:
    """Use a setup token once: set the password and start TOTP enrolment (completed by
    the first sign-in with a code)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SetupFailed(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    now = utcnow()
    # Taken by one conditional UPDATE: of concurrent uses, exactly one wins (F14).
    used = session.execute(
        update(SetupToken)
        .where(
            SetupToken.digest == _digest(token),
            SetupToken.used_at.is_(None),
            SetupToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(SetupToken.user_id)
    ).first()
    if used is None:
        raise SetupFailed("this link is not valid any more; ask an administrator for a new one")
    user = session.get(User, used.user_id)
    assert user is not None
    user.password_hash = hash_secret(password)
    # Every role signs in with a code: an administrator can mint keys and users.
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled = False
    user.totp_last_step = None
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="consentry")
    record(
        session=session,
        actor=Actor.user(user.id),
        action="user.password_set",
        subject_type="user",
        subject_id=user.id,
    )
    return SetupResult(user, uri)


def _code_step(secret: str, code: str | None, now: float) -> int | None:
    """The 30-second step whose code this is (one step of clock drift either way)."""
    if not code:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        if secrets.compare_digest(totp.at(at), code.strip()):
            return int(at // totp.interval)
    return None


def authenticate(
    *, engine: Engine, email: str, password: str, code: str | None, client: str
) -> User:
    """The user, if the password and TOTP code are right.

    Attempts are counted (and committed) before the Argon2 check, which runs outside
    any transaction; an unknown address is checked against a dummy digest so that it
    costs the same. A code is accepted once: its step must be later than the last used.
    A success gives its attempts back, so only failures accumulate, per network and per
    network and address: a flood from elsewhere never locks the right person out."""
    network = network_of(client)
    try:
        email = _normal_email(email)
    except AccountError:
        email = ""
    attempts = [(LOGIN_NETWORK, network), (LOGIN_PAIR, f"{network}|{email}")]
    with session_scope(engine) as session:
        wait = take(session=session, attempts=attempts)
        user = session.scalar(select(User).where(User.email == email)) if email else None
    if wait is not None:
        raise LoginThrottled(wait)
    active = user is not None and user.disabled_at is None
    digest = user.password_hash if user is not None and active else None
    if not verify_secret(digest, password) or user is None or user.totp_secret is None:
        raise LoginFailed()
    step = _code_step(user.totp_secret, code, time.time())
    if step is None:
        raise LoginFailed()
    with session_scope(engine) as session:
        used = session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step, totp_enabled=True)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise LoginFailed()  # this code (or a later one) was used already
        give_back(session=session, attempts=attempts)
    return user


def csrf_of(token: str) -> str:
    """The session's CSRF token, derived from its cookie token and never stored (F20):
    the database holds only a digest of the one and nothing of the other."""
    return hmac.new(token.encode(), b"consentry-csrf-v1", hashlib.sha256).hexdigest()


def start_session(*, session: Session, user: User) -> tuple[str, str]:
    """A new session: (token for the cookie, CSRF token for forms and headers)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            digest=_digest(token),
            user_id=user.id,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.flush()
    csrf = csrf_of(token)
    return token, csrf


def session_user(*, session: Session, token: str) -> tuple[User, StaffSession] | None:
    row = session.get(StaffSession, _digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user, row


def end_session(*, session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.digest == _digest(token)))


def _change_staff(
    session: Session, user_id: int, actor: Actor, action: str, details: dict[str, str]
) -> User:
    """Look a user up, end their sessions (so no page keeps the old rights), log it."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(f"no user {user_id}")
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    record(
        session=session,
        actor=actor,
        action=action,
        subject_type="user",
        subject_id=user.id,
        details=details,
    )
    return user


def change_role(*, session: Session, user_id: int, role: Role, actor: Actor) -> User:
    user = _change_staff(session, user_id, actor, "user.role_changed", {"role": role.value})
    user.role = role
    return user


def disable_user(*, session: Session, user_id: int, actor: Actor) -> User:
    user = _change_staff(session, user_id, actor, "user.disabled", {})
    user.disabled_at = user.disabled_at or utcnow()
    return user


def setup_link(*, public_url: str, token: str) -> str:
    # The token rides in the fragment: browsers never send it to a server or its logs.
    return f"{public_url.rstrip('/')}/setup#token={token}"
