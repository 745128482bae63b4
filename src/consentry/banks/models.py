"""Tables of banks, their entries, and the append-only change log processes follow."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow
from consentry.signals.pdq import DEFAULT_THRESHOLD as PDQ_DEFAULT_THRESHOLD

DEFAULT_PDQ_THRESHOLD = PDQ_DEFAULT_THRESHOLD


class EntryStatus(StrEnum):
    PENDING = "pending"  # submitted, not yet confirmed by a human
    CONFIRMED = "confirmed"
    # By the person depicted: honoured everywhere. Only a reviewer confirming a new
    # request that holds the same hash brings it back (a recorded reinstatement).
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"  # by the operator or an exchange

    @property
    def matchable(self) -> bool:
        return self in (EntryStatus.PENDING, EntryStatus.CONFIRMED)


class SourceKind(StrEnum):
    CASE = "case"
    IMPORT = "import"
    EXCHANGE = "exchange"
    MANUAL = "manual"


class ChangeAction(StrEnum):
    BANK_CREATED = "bank_created"
    BANK_UPDATED = "bank_updated"
    ADDED = "added"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    REINSTATED = "reinstated"  # withdrawn, then confirmed again through a new request


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    pdq_threshold: Mapped[int] = mapped_column(default=DEFAULT_PDQ_THRESHOLD)
    # Highest PDQ distance that may be actioned without a human; -1: never automatic.
    auto_max_distance: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    # May a window match be actioned without a human (with enough distinct windows)?
    windows_auto: Mapped[bool] = mapped_column(default=False)
    # A bank video matches when this share (percent) of the query's frames, and this
    # share of the bank video's frames, are within the threshold (or by the clip rule).
    video_query_share: Mapped[int] = mapped_column(default=80)
    video_bank_share: Mapped[int] = mapped_column(default=80)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryGroup(Base):
    """The values one bank image yields (PDQ, content hash, windows, digests): withdrawn,
    revoked and exported together."""

    __tablename__ = "entry_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, 16))
    source_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankEntry(Base):
    __tablename__ = "bank_entries"
    __table_args__ = (UniqueConstraint("bank_id", "signal_type", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    signal_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    quality: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus, 16))
    source_kind: Mapped[SourceKind] = mapped_column(enum_column(SourceKind, 16))
    source_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    group_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("entry_groups.id"), index=True, default=None
    )
    # A video frame's time from the start of its video, in milliseconds.
    at_ms: Mapped[int | None] = mapped_column(default=None)
    # When it was first confirmed: from then on, partners reading this bank were sent it,
    # so they are sent its withdrawal too (a value never confirmed is never sent at all).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BankChange(Base):
    """One change to a bank or entry; `seq` orders them for every follower."""

    __tablename__ = "bank_changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("bank_entries.id"), default=None)
    action: Mapped[ChangeAction] = mapped_column(enum_column(ChangeAction, 16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
