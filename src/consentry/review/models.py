"""A reviewer's claim on a case: one row per case, so two reviewers never hold it at once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, utcnow


class Claim(Base):
    """Held until `expires_at`; after that anyone may take the case over."""

    __tablename__ = "review_claims"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A hand-over's comment for the next holder (internal: never in the audit payload).
    note: Mapped[str | None] = mapped_column(String(2000), default=None)


class Comment(Base):
    """An internal note on a case, for staff only (never sent to requester or uploader)."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(String(4000))


class ReviewerPreferences(Base):
    """A reviewer's own media settings; None follows the organisation's default."""

    __tablename__ = "reviewer_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    blur: Mapped[bool | None] = mapped_column(default=None)
    blur_strength: Mapped[int | None] = mapped_column(default=None)  # pixels of blur
    greyscale: Mapped[bool | None] = mapped_column(default=None)


class Exposure(Base):
    """How many media previews a reviewer revealed on a day (MW: exposure counter)."""

    __tablename__ = "reviewer_exposures"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
