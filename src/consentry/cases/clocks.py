"""Deadlines (DL-01 to DL-05, DL-08): wall-clock hours from the receipt of a valid
notice, never paused, computed from stored start times so that they survive restarts.

A case's window clock covers every item located while it runs; a copy found after it
ended gets a clock of its own, from its discovery. `fire_due` raises escalations and
breaches exactly once however many workers run it (a unique key per mark).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consentry.actions.outbox import enqueue_webhook
from consentry.cases.events import EventKind, append
from consentry.cases.models import (
    Case,
    CaseStatus,
    Deadline,
    DeadlineMark,
    Item,
    ItemStatus,
    Regime,
    RequestType,
)
from consentry.config import Settings
from consentry.core.actor import SYSTEM

_SCHEDULER_LOCK = 0x636C6B73  # "clks": one PostgreSQL worker fires marks at a time
BREACH = "breach"


@dataclass(frozen=True, slots=True)
class ClockSettings:
    removal_hours: int = 48
    internal_target_hours: int = 24
    escalation_hours: tuple[int, ...] = (12, 24, 36)

    @classmethod
    def of(cls, settings: Settings) -> ClockSettings:
        return cls(
            removal_hours=settings.removal_hours,
            internal_target_hours=settings.internal_target_hours,
            escalation_hours=tuple(sorted(settings.escalation_hours)),
        )

    def duration(self, regime: Regime) -> timedelta:
        hours = {
            Regime.REMOVAL: self.removal_hours,
            Regime.INTERNAL: self.internal_target_hours,
            Regime.SB981_ACK: 48,
            Regime.SB981_UPDATE: 7 * 24,
            Regime.SB981_DECISION: 30 * 24,
        }[regime]
        return timedelta(hours=hours)


_STATUTORY = {RequestType.DEPICTED_PERSON, RequestType.HASH_ONLY, RequestType.CA_SB981}


def regimes_for(types: Sequence[str]) -> list[Regime]:
    kinds = {RequestType(t) for t in types}
    regimes = [Regime.REMOVAL if kinds & _STATUTORY else Regime.INTERNAL]
    if RequestType.CA_SB981 in kinds:
        regimes += [Regime.SB981_ACK, Regime.SB981_DECISION]
    return regimes


def start(
    *, session: Session, case: Case, regime: Regime, at: datetime, clocks: ClockSettings
) -> Deadline:
    deadline = Deadline(
        case_id=case.id, regime=regime.value, started_at=at, due_at=at + clocks.duration(regime)
    )
    session.add(deadline)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.CLOCK_STARTED,
        actor=SYSTEM,
        details={
            "deadline_id": deadline.id,
            "regime": regime.value,
            "started_at": at.isoformat(),
            "due_at": deadline.due_at.isoformat(),
        },
    )
    return deadline


def deadlines_of(*, session: Session, case_id: int) -> Sequence[Deadline]:
    return session.scalars(
        select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.id)
    ).all()


def start_case_clocks(
    *, session: Session, case: Case, at: datetime, clocks: ClockSettings
) -> list[Deadline]:
    """At validation: the case's clocks, and its window for the items located so far."""
    started = [
        start(session=session, case=case, regime=regime, at=at, clocks=clocks)
        for regime in regimes_for(case.request_types)
    ]
    window = started[0]
    for item in session.scalars(
        select(Item).where(Item.case_id == case.id, Item.deadline_id.is_(None))
    ):
        item.deadline_id = window.id
    session.flush()
    return started


def window_for_new_item(
    *, session: Session, case: Case, now: datetime, clocks: ClockSettings
) -> Deadline | None:
    """The clock a newly located item runs on: the case's window while it lasts, else
    a clock of its own from now. None while the case is not yet valid."""
    if case.valid_at is None:
        return None
    windows = [d for d in deadlines_of(session=session, case_id=case.id) if Regime(d.regime).window]
    first = windows[0]
    if now < first.due_at and first.stopped_at is None:
        return first
    return start(session=session, case=case, regime=Regime(first.regime), at=now, clocks=clocks)


def stop(*, session: Session, case: Case, deadline: Deadline, reason: str, at: datetime) -> None:
    if deadline.stopped_at is not None:
        return
    deadline.stopped_at, deadline.stop_reason = at, reason
    append(
        session=session,
        case=case,
        kind=EventKind.CLOCK_STOPPED,
        actor=SYSTEM,
        details={
            "deadline_id": deadline.id,
            "regime": deadline.regime,
            "reason": reason,
            "within_deadline": at <= deadline.due_at,
        },
    )


def stop_regime(*, session: Session, case: Case, regime: Regime, reason: str, at: datetime) -> bool:
    """Stop the case's running clocks of one regime; returns whether any ran."""
    stopped = False
    for deadline in deadlines_of(session=session, case_id=case.id):
        if deadline.regime == regime.value and deadline.stopped_at is None:
            stop(session=session, case=case, deadline=deadline, reason=reason, at=at)
            stopped = True
    return stopped


def settle(*, session: Session, case: Case, at: datetime) -> None:
    """Stop the clocks the case's state now satisfies."""
    status = CaseStatus(case.status)
    items = session.scalars(select(Item).where(Item.case_id == case.id)).all()
    for deadline in deadlines_of(session=session, case_id=case.id):
        if deadline.stopped_at is not None:
            continue
        regime = Regime(deadline.regime)
        if status in (CaseStatus.DECLINED, CaseStatus.WITHDRAWN):
            stop(session=session, case=case, deadline=deadline, reason=status.value, at=at)
        elif regime is Regime.SB981_DECISION and status is CaseStatus.CONFIRMED:
            stop(session=session, case=case, deadline=deadline, reason="determined", at=at)
        elif regime is Regime.SB981_UPDATE and status is CaseStatus.CONFIRMED:
            stop(session=session, case=case, deadline=deadline, reason="status_update", at=at)
        elif regime.window and status is CaseStatus.CONFIRMED:
            mine = [i for i in items if i.deadline_id == deadline.id]
            if all(ItemStatus(i.status).resolved for i in mine):
                reason = "removed" if mine else "hashes_confirmed"
                stop(session=session, case=case, deadline=deadline, reason=reason, at=at)


def _marks(deadline: Deadline, clocks: ClockSettings) -> list[tuple[str, datetime]]:
    marks = []
    if Regime(deadline.regime).window:
        hours = (deadline.due_at - deadline.started_at) / timedelta(hours=1)
        for mark in clocks.escalation_hours:
            if mark < hours:
                marks.append((f"{mark}h", deadline.started_at + timedelta(hours=mark)))
    marks.append((BREACH, deadline.due_at))
    return marks


def fire_due(*, session: Session, now: datetime, clocks: ClockSettings) -> int:
    """Record every escalation and breach that has come due; returns how many fired."""
    if session.get_bind().dialect.name == "postgresql":
        got = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SCHEDULER_LOCK}
        ).scalar()
        if not got:
            return 0  # another worker is firing them right now
    open_deadlines = session.scalars(
        select(Deadline).where(Deadline.stopped_at.is_(None)).order_by(Deadline.id)
    ).all()
    fired = 0
    for deadline in open_deadlines:
        done = set(
            session.scalars(
                select(DeadlineMark.mark).where(DeadlineMark.deadline_id == deadline.id)
            )
        )
        for mark, at in _marks(deadline, clocks):
            if at > now or mark in done:
                continue
            try:
                with session.begin_nested():
                    session.add(DeadlineMark(deadline_id=deadline.id, mark=mark, fired_at=now))
            except IntegrityError:
                continue  # another worker fired it first
            case = session.get_one(Case, deadline.case_id)
            if mark == BREACH:
                deadline.breached_at = deadline.due_at
            kind = EventKind.CLOCK_BREACHED if mark == BREACH else EventKind.CLOCK_ESCALATED
            details = {
                "deadline_id": deadline.id,
                "regime": deadline.regime,
                "mark": mark,
                "due_at": deadline.due_at.isoformat(),
            }
            append(session=session, case=case, kind=kind, actor=SYSTEM, details=details)
            enqueue_webhook(
                session=session, event=f"clock.{kind.value.removeprefix('clock_')}", data=details
            )
            fired += 1
    return fired
