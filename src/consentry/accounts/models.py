"""Accounts: API keys for machines and staff users with roles.

Only digests of secrets (API keys, session and setup tokens) are stored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, UTCDateTime, enum_column, utcnow
from consentry.db.sealed import Sealed


class Scope(StrEnum):
    SCAN = "scan"
    BANKS_READ = "banks:read"
    BANKS_WRITE = "banks:write"
    NOTICES_WRITE = "notices:write"
    CASES_DECIDE = "cases:decide"
    ACTIONS_ACK = "actions:ack"
    APPEALS_WRITE = "appeals:write"  # uploaders' appeals, relayed by the platform
    REPORTS_READ = "reports:read"
    FEED_READ = "feed:read"  # a partner platform reading this hub's feed
    CONTENT_WRITE = "content:write"  # registering the platform's content in the content index


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, to tell keys apart in listings and logs.
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class RateWindow(Base):
    """Requests of one key in one fixed window, summed over every worker."""

    __tablename__ = "rate_windows"

    api_key_id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    window_start: Mapped[int] = mapped_column(primary_key=True)  # epoch seconds
    count: Mapped[int] = mapped_column(default=0)


class Role(StrEnum):
    ADMIN = "admin"  # configuration and users; no case content by default
    REVIEWER = "reviewer"
    LEAD = "lead"  # appeals, escalations, the restricted minors queue, evidence
    AUDITOR = "auditor"  # read-only: audit log and reports
    INTAKE = "intake"  # helplines and trusted flaggers filing notices


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, 16))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    totp_secret: Mapped[str | None] = mapped_column(Sealed(), default=None)
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    # The last 30-second step whose code signed in: a code is good once (F12).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SetupToken(Base):
    """A one-time link to set a password (first admin, new users, resets)."""

    __tablename__ = "setup_tokens"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class StaffSession(Base):
    """A signed-in person; the cookie holds the token, the table only its digest."""

    __tablename__ = "staff_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
