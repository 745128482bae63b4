"""Scans that matched are kept (the case workflow asks the platform to act on them);
scans that did not leave only daily counters."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow
from consentry.scans.schemas import Verdict


class ScanRecord(Base):
    __tablename__ = "scan_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), default=None)
    # The platform's own, opaque identifier of the upload.
    content_id: Mapped[str | None] = mapped_column(String(200), default=None)
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Provenance findings of an uploaded image that matched (never the image itself),
    # for the reviewer who decides the copy.
    signals: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)


class ScanMatch(Base):
    __tablename__ = "scan_matches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan_records.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    signal_type: Mapped[str] = mapped_column(String(16))
    distance: Mapped[int]
    threshold: Mapped[int]
    variant: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16))
    # A window match: how many windows of the bank image matched (0 for other kinds).
    windows: Mapped[int] = mapped_column(default=0)
    # ... and where the closest window lies in the uploaded image, for the reviewer.
    region: Mapped[dict[str, float] | None] = mapped_column(JSON, default=None)
    # A video match: both shares of frames matched and the matched time ranges.
    video: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class ScanCounter(Base):
    """Scans per day, key and verdict (a key of 0 stands for none)."""

    __tablename__ = "scan_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class Outcome(StrEnum):
    """What the platform decided about a matched upload."""

    BLOCKED = "blocked"  # removed, or never published
    NOT_BLOCKED = "not_blocked"  # looked at; not what the bank's hash stands for


class ScanOutcome(Base):
    """The platform's decision on a matched scan, each one kept (a later one replaces an
    earlier one's meaning); exchanges send them back as feedback."""

    __tablename__ = "scan_outcomes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan_records.id"), index=True)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, 16))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
