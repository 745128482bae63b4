"""A case's event log and the projection of its state.

Every event is one record in the hash-chained audit log (`subject_type="case"`), so
the log that proves what happened is the log the state is computed from. Payloads
carry ids and facts, never personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.audit.models import AuditEvent
from consentry.audit.service import record
from consentry.cases.models import Case, CaseStatus
from consentry.core.actor import Actor

SUBJECT = "case"


class EventKind(StrEnum):
    RECEIVED = "received"
    MERGED = "notice_merged"  # before 0.2 a notice could join another case; kept for old logs
    INFORMATION_ADDED = "information_added"
    VALIDATED = "validated"
    RECEIPT_SENT = "receipt_sent"
    CONTENT_LOCATED = "content_located"
    HASH_ADDED = "hash_added"
    HASH_CONFIRMED = "hash_confirmed"
    HASH_REINSTATED = "hash_reinstated"  # withdrawn before, confirmed again on a new request
    DECIDED = "decided"
    ACTION_REQUESTED = "action_requested"
    ACTION_CONFIRMED = "action_confirmed"
    STATEMENT_SENT = "statement_sent"
    APPEAL_FILED = "appeal_filed"
    APPEAL_DECIDED = "appeal_decided"
    CONTENT_RESTORED = "content_restored"
    WITHDRAWN = "withdrawn"
    CLOCK_STARTED = "clock_started"
    CLOCK_ESCALATED = "clock_escalated"
    CLOCK_BREACHED = "clock_breached"
    CLOCK_STOPPED = "clock_stopped"
    PIN_REISSUED = "pin_reissued"
    CYBERTIPLINE_RECORDED = "cybertipline_recorded"
    NOTIFICATION_QUEUED = "notification_queued"
    CLAIMED = "claimed"  # taken for review (a lease); renewals are not events
    RELEASED = "released"
    HANDED_OVER = "handed_over"
    INFORMATION_REQUESTED = "information_requested"
    CONTENT_VIEWED = "content_viewed"  # a reviewer revealed a media preview
    COMMENTED = "commented"  # an internal comment (its text stays out of the log)
    EVIDENCE_EXPORTED = "evidence_exported"
    PRESERVED = "preserved"  # a preservation record, made before removal is requested
    EVIDENCE_STORED = "evidence_stored"
    EVIDENCE_ACCESSED = "evidence_accessed"
    PURGED = "purged"  # retention: a class of personal data deleted (never what it was)
    TDB_SUBMITTED = "tdb_submitted"  # the statement of reasons reached the EU database
    FLAGGED = "flagged"  # a misuse signal (IN-40): senior review, within the same clock


@dataclass(frozen=True, slots=True)
class CaseState:
    status: CaseStatus = CaseStatus.INCOMPLETE
    valid_at: datetime | None = None
    escalated: bool = False
    appeal_pending: bool = False
    decided_at: datetime | None = None
    decided_by: str | None = None


def _confirmed(state: CaseState, at: datetime, actor: str) -> CaseState:
    return replace(
        state, status=CaseStatus.CONFIRMED, escalated=False, decided_at=at, decided_by=actor
    )


def step(
    state: CaseState, kind: str, details: dict[str, Any], at: datetime, actor: str
) -> CaseState:
    """The state after one event; events that change no state return it unchanged."""
    if kind == EventKind.VALIDATED:
        valid_at = datetime.fromisoformat(details["valid_at"])
        earliest = valid_at if state.valid_at is None else min(state.valid_at, valid_at)
        status = CaseStatus.OPEN if state.status is CaseStatus.INCOMPLETE else state.status
        return replace(state, status=status, valid_at=earliest)
    if kind == EventKind.DECIDED:
        decision = details["decision"]
        if decision == "escalate":
            return replace(state, escalated=True)
        if decision == "confirm":
            return _confirmed(state, at, actor)
        return replace(
            state, status=CaseStatus.DECLINED, escalated=False, decided_at=at, decided_by=actor
        )
    if kind == EventKind.FLAGGED:
        return replace(state, escalated=True)
    if kind == EventKind.APPEAL_FILED:
        return replace(state, appeal_pending=True)
    if kind == EventKind.APPEAL_DECIDED:
        state = replace(state, appeal_pending=bool(details.get("others_pending", False)))
        if details["appellant"] == "requester" and details["outcome"] == "upheld":
            return _confirmed(state, at, actor)
        return state
    if kind == EventKind.WITHDRAWN:
        return replace(state, status=CaseStatus.WITHDRAWN)
    return state


def project(events: Iterable[AuditEvent]) -> CaseState:
    """A case's state from its events alone (what the stored columns must equal)."""
    state = CaseState()
    for event in events:
        kind = event.action.removeprefix(f"{SUBJECT}.")
        state = step(state, kind, event.details, event.at, event.actor)
    return state


def state_of(case: Case) -> CaseState:
    return CaseState(
        status=CaseStatus(case.status),
        valid_at=case.valid_at,
        escalated=case.escalated,
        appeal_pending=case.appeal_pending,
        decided_at=case.decided_at,
        decided_by=case.decided_by,
    )


def append(
    *,
    session: Session,
    case: Case,
    kind: EventKind,
    actor: Actor,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event in the chain and update the case's projected columns."""
    event = record(
        session=session,
        actor=actor,
        action=f"{SUBJECT}.{kind.value}",
        subject_type=SUBJECT,
        subject_id=case.id,
        details=details or {},
    )
    state = step(state_of(case), kind, event.details, event.at, event.actor)
    case.status = state.status
    case.valid_at = state.valid_at
    case.escalated = state.escalated
    case.appeal_pending = state.appeal_pending
    case.decided_at = state.decided_at
    case.decided_by = state.decided_by
    session.flush()
    return event


def history(*, session: Session, case_id: int) -> Sequence[AuditEvent]:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == str(case_id))
        .order_by(AuditEvent.seq)
    ).all()


_DECISIONS = (f"{SUBJECT}.{EventKind.DECIDED.value}", f"{SUBJECT}.{EventKind.APPEAL_DECIDED.value}")


def deciders(*, session: Session, case_id: int) -> set[str]:
    """Everyone who took a decision on the case, or on an appeal against one (AP-06)."""
    return set(
        session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.subject_type == SUBJECT,
                AuditEvent.subject_id == str(case_id),
                AuditEvent.action.in_(_DECISIONS),
            )
        )
    )
