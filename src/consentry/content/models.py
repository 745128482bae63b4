"""Content hashes a platform registered, their change log, and the copy finder's place
in the bank and content logs.

Content hashes are the platform's data: kept only while the content is registered,
deleted with it (the log keeps ids, never values), never exported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow


class ContentHash(Base):
    __tablename__ = "content_hashes"
    __table_args__ = (
        UniqueConstraint("api_key_id", "content_id", "signal_type", "value"),
        Index("ix_content_hashes_owner_content", "api_key_id", "content_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The key that registered it: the platform's pipeline, and the only one that sees it.
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    content_id: Mapped[str] = mapped_column(String(200))
    signal_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContentAction(StrEnum):
    ADDED = "added"
    SCANNED = "scanned"  # added by a scan, which matched it against the banks already
    REMOVED = "removed"


class ContentChange(Base):
    """Append-only: what the copy finder follows (ids only; a removed value is gone)."""

    __tablename__ = "content_changes"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    content_hash_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[ContentAction] = mapped_column(enum_column(ContentAction, 16))


class FinderState(Base):
    """The copy finder's place in both logs, and which worker holds it (a lease)."""

    __tablename__ = "content_finder"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    content_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    holder: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class BackfilledFile(Base):
    """A file `consentry backfill` has taken from a source, with its outcome: a rerun
    after a crash skips every file recorded here (written with its content hashes)."""

    __tablename__ = "backfilled_files"
    __table_args__ = (UniqueConstraint("source", "path"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    path: Mapped[str] = mapped_column(String(1000))
    # "indexed", or the error kind of a file that could not be hashed
    outcome: Mapped[str] = mapped_column(String(32))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
