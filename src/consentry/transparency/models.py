"""The durable queue of statements of reasons owed to the Transparency Database."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, UTCDateTime, enum_column, utcnow


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"  # the Database answered 201
    FAILED = "failed"  # every attempt failed: flagged in reports (TR-08)


class TdbSubmission(Base):
    """One statement's submission: pending until the Database answers 201, failed after
    the last attempt (flagged in reports, TR-08). The puid is unique here as there."""

    __tablename__ = "tdb_submissions"

    statement_id: Mapped[int] = mapped_column(ForeignKey("case_statements.id"), primary_key=True)
    puid: Mapped[str] = mapped_column(String(500), unique=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus, 16), default=SubmissionStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
