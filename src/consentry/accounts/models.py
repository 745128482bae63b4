"""API keys: only a SHA-256 digest of each key is stored; the key itself is shown once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, UTCDateTime, utcnow


class Scope(StrEnum):
    SCAN = "scan"
    BANKS_READ = "banks:read"
    BANKS_WRITE = "banks:write"
    NOTICES_WRITE = "notices:write"
    CASES_DECIDE = "cases:decide"
    ACTIONS_ACK = "actions:ack"
    REPORTS_READ = "reports:read"


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
