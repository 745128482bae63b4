"""Audit events. Each row's hash covers its content and the previous row's hash, so an
edited, deleted or reordered row breaks the chain from that point on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # A case's history is read by subject (its state is a projection of these events).
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who acted: "user:<id>", "apikey:<id>", "cli" or "system" — never a name or address.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    # Facts about the change, without personal data (that lives elsewhere, by reference).
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed position of the chain (see `audit.checkpoints`)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    head: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519 public key, base64
