"""Staff users: one-time setup links, Argon2 passwords, TOTP, sessions, login throttling.
Keyword-only; the caller owns the transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consentry.accounts.errors import AccountError
from consentry.accounts.models import LoginFailure, Role, SetupToken, StaffSession, User
from consentry.audit.service import record
from consentry.db.base import utcnow

SETUP_LINK_LIFETIME = timedelta(hours=24)
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 12
# Login throttling: this many failures for one address within the window lock it.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()


class LoginFailed(AccountError):
    def __init__(self) -> None:
        # One message for every cause, so a failure tells nothing about which part was wrong.
        super().__init__("the e-mail address, password or code is not right")


class LoginThrottled(AccountError):
    def __init__(self) -> None:
        super().__init__("too many failed sign-ins for this address; try again in 15 minutes")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _normal_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise AccountError("that is not an e-mail address")
    return email


def create_user(
    *, session: Session, email: str, role: Role, actor: str = "system"
) -> tuple[User, str]:
    """A user without a password, and the one-time token that lets them set it."""
    email = _normal_email(email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user with the address {email} exists already")
    user = User(email=email, role=role.value)
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
    """Use a setup token once: set the password and, for roles that see case content,
    start TOTP enrolment (completed by the first sign-in with a code)."""
    row = session.get(SetupToken, _digest(token))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise AccountError("this link is not valid any more; ask an administrator for a new one")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    user = session.get(User, row.user_id)
    assert user is not None
    row.used_at = utcnow()
    user.password_hash = _hasher.hash(password)
    uri = None
    if Role(user.role).sees_case_content:
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled = False
        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
            name=user.email, issuer_name="consentry"
        )
    record(
        session=session,
        actor=f"user:{user.id}",
        action="user.password_set",
        subject_type="user",
        subject_id=user.id,
    )
    return SetupResult(user, uri)


def _throttled(session: Session, email_digest: str, now: datetime) -> bool:
    recent = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.email_digest == email_digest, LoginFailure.at > now - FAILURE_WINDOW)
    )
    return (recent or 0) >= MAX_FAILURES


def authenticate(*, session: Session, email: str, password: str, code: str | None) -> User:
    """The user, if the password (and TOTP code, where the role needs one) is right.

    Failures are recorded, so record them by committing even when this raises
    LoginFailed (the caller's transaction owns that choice)."""
    now = utcnow()
    try:
        email = _normal_email(email)
    except AccountError:
        raise LoginFailed() from None
    email_digest = _digest(email)
    if _throttled(session, email_digest, now):
        raise LoginThrottled()
    user = session.scalar(select(User).where(User.email == email))
    ok = user is not None and user.disabled_at is None and user.password_hash is not None
    if ok and user is not None and user.password_hash is not None:
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    if ok and user is not None and Role(user.role).sees_case_content:
        ok = (
            user.totp_secret is not None
            and code is not None
            and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)
        )
    if not ok or user is None:
        session.add(LoginFailure(email_digest=email_digest, at=now))
        session.flush()
        raise LoginFailed()
    if user.totp_secret is not None:
        user.totp_enabled = True
    session.execute(delete(LoginFailure).where(LoginFailure.email_digest == email_digest))
    return user


def start_session(*, session: Session, user: User) -> tuple[str, str]:
    """A new session: (token for the cookie, CSRF token for forms and headers)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            digest=_digest(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    session.flush()
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
    session: Session, user_id: int, actor: str, action: str, details: dict[str, str]
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


def change_role(*, session: Session, user_id: int, role: Role, actor: str) -> User:
    user = _change_staff(session, user_id, actor, "user.role_changed", {"role": role.value})
    user.role = role.value
    return user


def disable_user(*, session: Session, user_id: int, actor: str) -> User:
    user = _change_staff(session, user_id, actor, "user.disabled", {})
    user.disabled_at = user.disabled_at or utcnow()
    return user


def setup_link(*, public_url: str, token: str) -> str:
    # The token rides in the fragment: browsers never send it to a server or its logs.
    return f"{public_url.rstrip('/')}/setup#token={token}"
