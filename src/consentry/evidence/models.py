"""Preservation before removal (AU-03, AC-03): a record always; a copy only by choice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime


class Preservation(Base):
    """Made when removal is requested, before the platform is asked: what the item was
    (its location and the case's hashes), who asked, when, why, and the legal hold."""

    __tablename__ = "preservations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_items.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action_requests.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))
    hold_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # {content_id, url, hashes: [{signal_type, value}]}: personal data, purged with the case.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class PreservedCopy(Base):
    """The item's bytes as the platform supplied them, AES-256-GCM encrypted at rest;
    digests computed at capture and checked on every access (chain of custody)."""

    __tablename__ = "preserved_copies"

    preservation_id: Mapped[int] = mapped_column(ForeignKey("preservations.id"), primary_key=True)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_by: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    md5: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once purged
