"""Tables of the notice-and-removal workflow.

A case's state is a projection of its events in the audit chain (see `events`); the
columns here that mirror it are kept so that queues can be queried. Personal data
(names, contact details, free text, locations given by the requester) lives in
`CasePersonal`, referenced by id, so that a retention purge leaves the chain verifiable.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow


class RequestType(StrEnum):
    """IN-04: each type has its own clock and reporting category."""

    DEPICTED_PERSON = "depicted_person"  # or an authorised representative (TAKE IT DOWN, UK)
    THIRD_PARTY = "third_party"
    TRUSTED_FLAGGER = "trusted_flagger"
    AUTHORITY_ORDER = "authority_order"
    HASH_ONLY = "hash_only"  # StopNCII / Take It Down style: hashes, no location
    CA_SB981 = "ca_sb981"  # California "sexually explicit digital identity theft"


class CaseStatus(StrEnum):
    INCOMPLETE = "incomplete"  # stored, answered with what is missing; no clock yet
    OPEN = "open"  # valid: the clock runs, a decision is due
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Queue(StrEnum):
    STANDARD = "standard"
    RESTRICTED = "restricted"  # a minor may be depicted: role `lead` only, hashes only


class ItemStatus(StrEnum):
    LOCATED = "located"  # named by the notice, awaiting the case decision
    NEEDS_REVIEW = "needs_review"  # a near copy found by a scan: a human confirms it
    ACTION_REQUESTED = "action_requested"
    REMOVED = "removed"
    NOT_FOUND = "not_found"  # the platform no longer holds it
    DECLINED = "declined"
    RESTORED = "restored"

    @property
    def resolved(self) -> bool:
        return self in (
            ItemStatus.REMOVED,
            ItemStatus.NOT_FOUND,
            ItemStatus.DECLINED,
            ItemStatus.RESTORED,
        )


class Regime(StrEnum):
    REMOVAL = "removal"  # TAKE IT DOWN Act / UK OSA s.10(3A): 48 hours
    INTERNAL = "internal_target"  # other request types: an operator's target
    SB981_ACK = "sb981_ack"  # California: acknowledge within 48 hours
    SB981_UPDATE = "sb981_update"  # ... a status update within 7 days of that
    SB981_DECISION = "sb981_decision"  # ... a determination within 30 days

    @property
    def window(self) -> bool:
        """Whether located items share this clock."""
        return self in (Regime.REMOVAL, Regime.INTERNAL)


class AppealGround(StrEnum):
    CONSENT = "consent_to_publication"
    NOT_DEPICTED = "not_the_person_depicted"
    NOT_INTIMATE = "not_intimate"
    LAWFUL_PURPOSE = "lawful_purpose"
    DECLINED_WRONGLY = "declined_wrongly"  # a requester's appeal
    OTHER = "other"


class Outcome(StrEnum):
    UPHELD = "upheld"  # the appellant is right: the decision is reversed
    REJECTED = "rejected"


class Appellant(StrEnum):
    UPLOADER = "uploader"  # the person whose content was removed (through the platform)
    REQUESTER = "requester"  # the person who asked for removal, against a decline


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    pin_digest: Mapped[str] = mapped_column(String(200))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, 16), index=True)
    queue: Mapped[Queue] = mapped_column(enum_column(Queue, 16), default=Queue.STANDARD)
    request_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalated: Mapped[bool] = mapped_column(default=False)
    appeal_pending: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # Who filed the first notice ("apikey:<id>", "portal"): filers may read their cases.
    filed_by: Mapped[str] = mapped_column(String(64))
    # REPORT Act: a suspected minor's case is preserved for a year at least.
    preserve_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CasePersonal(Base):
    """Personal data of one notice: purgeable without touching the audit chain."""

    __tablename__ = "case_personal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Notice(Base):
    __tablename__ = "case_notices"
    __table_args__ = (UniqueConstraint("filed_by", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    request_type: Mapped[str] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The answers that are not personal data (standing, grounds, age question, ...).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    personal_id: Mapped[int] = mapped_column(ForeignKey("case_personal.id"))
    filed_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    # SHA-256 of the request a key was first used with: a different body is refused.
    request_digest: Mapped[str | None] = mapped_column(String(64), default=None)


class CaseHash(Base):
    """A bank entry submitted with (or derived for) a case. Several requesters may send
    the same hash: each case holds it on its own, and it leaves the bank only when no
    live case holds it any more (see `cases.holders`)."""

    __tablename__ = "case_hashes"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("bank_entries.id"), primary_key=True, index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)


class Deadline(Base):
    """A clock: started by a valid notice or a copy found later, stopped by what
    satisfied it, breached when due passes first. Never paused."""

    __tablename__ = "case_deadlines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    regime: Mapped[Regime] = mapped_column(enum_column(Regime, 24))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    stop_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DeadlineMark(Base):
    """An escalation or breach that fired; the unique key makes it fire once, whatever
    the number of workers."""

    __tablename__ = "case_deadline_marks"
    __table_args__ = (UniqueConstraint("deadline_id", "mark"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadlines.id"))
    mark: Mapped[str] = mapped_column(String(16))  # "12h", "24h", ... or "breach"
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Item(Base):
    """One piece of located content (named by a notice or found by a scan)."""

    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadlines.id"))
    content_id: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    # Indexed: related cases are found by equal URLs (at most 2,083 characters, which a
    # PostgreSQL b-tree entry holds).
    url: Mapped[str | None] = mapped_column(Text, default=None, index=True)
    found_by: Mapped[str] = mapped_column(String(16))  # notice | scan
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scan_records.id"), default=None)
    distance: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus, 20))
    located_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Statement(Base):
    """A DSA Art. 17 statement of reasons for the uploader of one item."""

    __tablename__ = "case_statements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_items.id"))
    appeal_code_digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appeal_until: Mapped[datetime] = mapped_column(UTCDateTime)


class Appeal(Base):
    __tablename__ = "case_appeals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("case_statements.id"))
    appellant: Mapped[Appellant] = mapped_column(enum_column(Appellant, 16))
    grounds: Mapped[AppealGround] = mapped_column(enum_column(AppealGround, 32))
    personal_id: Mapped[int | None] = mapped_column(ForeignKey("case_personal.id"))
    status: Mapped[AppealStatus] = mapped_column(
        enum_column(AppealStatus, 16), default=AppealStatus.PENDING, index=True
    )
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)


class CyberTiplineReport(Base):
    """AC-06/DL-07: the report owed to NCMEC, and the year of preservation it starts."""

    __tablename__ = "case_cybertipline_reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="to_file")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    preserve_until: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


# Preservation before removal (AU-03, AC-03): a record always; a copy only by choice.
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
