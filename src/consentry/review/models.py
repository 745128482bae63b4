"""A reviewer's claim on a case: one row per case, so two reviewers never hold it at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, UTCDateTime


class Claim(Base):
    """Held until `expires_at`; after that anyone may take the case over."""

    __tablename__ = "review_claims"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A hand-over's comment for the next holder (internal: never in the audit payload).
    note: Mapped[str | None] = mapped_column(String(2000), default=None)
