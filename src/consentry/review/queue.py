"""The review queues: cases awaiting a human, ordered by the time left on their clock.

Priority follows IN-33: a possible minor first, then threats and flagged or escalated
cases, then cases under the statutory removal clock, then the rest. Cases in the
restricted (minors') queue are shown to the `lead` role only (`cases.access`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from consentry.accounts.models import User
from consentry.banks.models import Bank, BankEntry
from consentry.cases.access import Viewer, visible_to
from consentry.cases.models import (
    Appeal,
    AppealStatus,
    Case,
    CaseHash,
    CaseStatus,
    Deadline,
    Item,
    ItemStatus,
    Notice,
    Queue,
    Regime,
)
from consentry.cases.related import related_cases
from consentry.db.base import utcnow
from consentry.review.models import Claim
from consentry.scans.models import ScanMatch

PRIORITIES = {
    1: "possible minor",
    2: "threat, flagged or escalated",
    3: "statutory removal clock",
    4: "other",
}
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class QueueFilters:
    queue: str | None = None
    request_type: str | None = None
    priority: int | None = None
    bank: str | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    case_id: int
    reference: str
    status: str
    queue: str
    request_types: list[str]
    priority: int
    due_at: datetime | None
    breached: bool
    escalated: bool
    appeal_pending: bool
    needs_review: int
    held_by: str | None
    held_by_me: bool
    related: tuple[str, ...] = ()  # references of related cases next to it in the queue

    @property
    def priority_label(self) -> str:
        return PRIORITIES[self.priority]


def _in_bank(name: str) -> object:
    """Cases whose own hashes, or whose found copies' matches, are in bank `name`."""
    bank_id = select(Bank.id).where(Bank.name == name).scalar_subquery()
    own = (
        select(CaseHash.case_id)
        .join(BankEntry, BankEntry.id == CaseHash.entry_id)
        .where(BankEntry.bank_id == bank_id)
    )
    found = (
        select(Item.case_id)
        .join(ScanMatch, ScanMatch.scan_id == Item.scan_id)
        .where(ScanMatch.bank_id == bank_id)
    )
    return or_(Case.id.in_(own), Case.id.in_(found))


def _priority(case: Case, grounds: set[str], regimes: set[str]) -> int:
    if case.queue == Queue.RESTRICTED:
        return 1
    if case.escalated or "threat_to_share" in grounds:
        return 2
    if Regime.REMOVAL.value in regimes:
        return 3
    return 4


def queue_rows(
    *, session: Session, viewer: Viewer, filters: QueueFilters, now: datetime | None = None
) -> list[QueueRow]:
    """Every case awaiting review that `viewer` may see, most urgent first."""
    now = now or utcnow()
    review_items = select(Item.case_id).where(Item.status == ItemStatus.NEEDS_REVIEW)
    statement = select(Case).where(
        or_(
            Case.status == CaseStatus.OPEN,
            Case.escalated.is_(True),
            Case.id.in_(review_items),
        ),
        Case.status != CaseStatus.WITHDRAWN,
        visible_to(viewer),
    )
    if filters.queue:
        statement = statement.where(Case.queue == filters.queue)
    if filters.bank:
        statement = statement.where(_in_bank(filters.bank))  # type: ignore[arg-type]
    cases = session.scalars(statement).all()
    ids = [case.id for case in cases]
    if not ids:
        return []
    clocks: dict[int, tuple[datetime | None, bool, set[str]]] = {}
    for deadline in session.scalars(
        select(Deadline).where(Deadline.case_id.in_(ids), Deadline.stopped_at.is_(None))
    ):
        due, breached, regimes = clocks.get(deadline.case_id, (None, False, set()))
        due = deadline.due_at if due is None else min(due, deadline.due_at)
        clocks[deadline.case_id] = (
            due,
            breached or deadline.breached_at is not None,
            regimes | {deadline.regime},
        )
    grounds: dict[int, set[str]] = {}
    for case_id, answers in session.execute(
        select(Notice.case_id, Notice.answers).where(Notice.case_id.in_(ids))
    ):
        grounds.setdefault(case_id, set()).update(answers.get("grounds") or [])
    waiting = dict(
        session.execute(
            select(Item.case_id, func.count())
            .where(Item.case_id.in_(ids), Item.status == ItemStatus.NEEDS_REVIEW)
            .group_by(Item.case_id)
        ).all()
    )
    holders = {
        case_id: (user_id, email)
        for case_id, user_id, email in session.execute(
            select(Claim.case_id, Claim.user_id, User.email)
            .join(User, User.id == Claim.user_id)
            .where(Claim.case_id.in_(ids), Claim.expires_at > now)
        )
    }
    rows = []
    for case in cases:
        due, breached, regimes = clocks.get(case.id, (None, False, set()))
        holder = holders.get(case.id)
        row = QueueRow(
            case_id=case.id,
            reference=case.reference,
            status=case.status,
            queue=case.queue,
            request_types=list(case.request_types),
            priority=_priority(case, grounds.get(case.id, set()), regimes),
            due_at=due,
            breached=breached,
            escalated=case.escalated,
            appeal_pending=case.appeal_pending,
            needs_review=int(waiting.get(case.id, 0)),
            held_by=holder[1] if holder else None,
            held_by_me=holder is not None and holder[0] == viewer.user_id,
        )
        if filters.request_type and filters.request_type not in row.request_types:
            continue
        if filters.priority and row.priority != filters.priority:
            continue
        rows.append(row)
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r.due_at or far, r.priority, r.case_id))
    return _grouped(session, rows, viewer)


def _grouped(session: Session, rows: list[QueueRow], viewer: Viewer) -> list[QueueRow]:
    """Related cases (same URL, content ID or hash) stand together, each group where its
    most urgent case stands."""
    related = related_cases(session=session, case_ids=[r.case_id for r in rows], viewer=viewer)
    by_id = {row.case_id: row for row in rows}
    urgency = {row.case_id: position for position, row in enumerate(rows)}
    placed: set[int] = set()
    ordered: list[QueueRow] = []
    for row in rows:
        if row.case_id in placed:
            continue
        group, todo = [], [row.case_id]
        while todo:  # every queued case reachable through relations
            case_id = todo.pop()
            if case_id in placed or case_id not in by_id:
                continue
            placed.add(case_id)
            group.append(by_id[case_id])
            todo.extend(r.case_id for r in related.get(case_id, []))
        group.sort(key=lambda member: urgency[member.case_id])
        ordered.extend(
            replace(member, related=tuple(r.reference for r in related.get(member.case_id, [])))
            for member in group
        )
    return ordered


def pending_appeals(*, session: Session, viewer: Viewer) -> Sequence[tuple[Appeal, Case]]:
    """Appeals awaiting a decision, oldest first (their own queue)."""
    statement = (
        select(Appeal, Case)
        .join(Case, Case.id == Appeal.case_id)
        .where(Appeal.status == AppealStatus.PENDING, visible_to(viewer))
        .order_by(Appeal.filed_at, Appeal.id)
    )
    return [(appeal, case) for appeal, case in session.execute(statement)]
