"""Exchanges this deployment follows, and the partners that follow its hub feed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow


class ExchangeKind(StrEnum):
    CONSENTRY = "consentry"  # another deployment's hub feed, signed
    STOPNCII = "stopncii"  # StopNCII's hash API
    FILE = "file"  # a consentry-bank/1 .jsonl or python-threatexchange .txt file


class Exchange(Base):
    """A source of hashes that a bank follows: its records' statuses are applied to the
    bank at each sync, from the last committed checkpoint."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[ExchangeKind] = mapped_column(enum_column(ExchangeKind, 16))
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    # Where it is: a URL (hub feed, StopNCII) or a file path.
    location: Mapped[str] = mapped_column(Text)
    # A file holding the API key sent to the source (the key itself is never stored here).
    key_file: Mapped[str | None] = mapped_column(Text, default=None)
    # The hub's signing key, pinned at the first sync or named at `exchange add --pin`:
    # "sha256:<fingerprint>" until the key itself is seen, then its raw bytes in hex.
    pinned_key: Mapped[str | None] = mapped_column(String(80), default=None)
    interval_seconds: Mapped[int] = mapped_column(default=30)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Where the next sync starts (the source's own form), committed with what it applied.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The newest record applied, by the source's clock: how far behind this bank is.
    source_time: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    # What the last sync applied, by change ("added", "withdrawn", ...).
    last_applied: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # The last scan match whose outcome was sent back to the source as feedback.
    feedback_through: Mapped[int] = mapped_column(BigId, default=0)
    # ... and the last decision the platform recorded on a matched scan (`ScanOutcome`).
    outcomes_through: Mapped[int] = mapped_column(BigId, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Partner(Base):
    """A platform this deployment publishes banks to (its hub feed), with its own API key."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), unique=True)
    # Send pending (not yet confirmed) values too, not only confirmed ones.
    share_pending: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class PartnerBank(Base):
    __tablename__ = "partner_banks"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), primary_key=True)


class Feedback(StrEnum):
    """What a partner platform did about a hash it was sent (StopNCII's values)."""

    PENDING_REVIEW = "PendingReview"  # matched; a person will decide
    BLOCKED = "Blocked"  # matched and removed
    NOT_BLOCKED = "NotBlocked"  # matched; decided it is not what the hash stands for


class PartnerFeedback(Base):
    """A partner's latest word on one value of the banks published to it."""

    __tablename__ = "partner_feedback"

    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("bank_entries.id"), primary_key=True, index=True
    )
    value: Mapped[Feedback] = mapped_column(enum_column(Feedback, 16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
