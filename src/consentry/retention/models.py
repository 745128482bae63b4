"""What remains of purged data: that it existed, its class, when it went, and a digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime


class Tombstone(Base):
    """One purge of one class of data from one record. The fingerprint (SHA-256 of what
    was removed, as canonical JSON) lets someone who still holds a copy prove what it
    was, while nothing here can bring it back."""

    __tablename__ = "retention_tombstones"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    data_class: Mapped[str] = mapped_column(String(32), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(default=None, index=True)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))
