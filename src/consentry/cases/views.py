"""How a case is shown: to its requester (with the PIN), to staff, to API clients.
Hash values never appear (they are personal data); only counts by status."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.banks.models import EntryStatus
from consentry.cases.clocks import deadlines_of
from consentry.cases.decisions import case_entries
from consentry.cases.models import Appeal, Case, CasePersonal, Deadline, Item, Notice
from consentry.cases.schemas import AppealOut, CaseView, DeadlineOut, ItemOut, MissingField
from consentry.cases.validation import SET_ASIDE


def deadline_out(deadline: Deadline) -> DeadlineOut:
    return DeadlineOut(
        regime=deadline.regime,
        started_at=deadline.started_at,
        due_at=deadline.due_at,
        stopped_at=deadline.stopped_at,
        stop_reason=deadline.stop_reason,
        breached=deadline.breached_at is not None,
    )


def appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(
        id=appeal.id,
        appellant=appeal.appellant,
        grounds=appeal.grounds,
        status=appeal.status,
        filed_at=appeal.filed_at,
        decided_at=appeal.decided_at,
    )


def case_view(*, session: Session, case: Case) -> CaseView:
    deadlines = deadlines_of(session=session, case_id=case.id)
    due = {d.id: d.due_at for d in deadlines}
    items = session.scalars(select(Item).where(Item.case_id == case.id).order_by(Item.id)).all()
    latest = session.scalars(
        select(Notice).where(Notice.case_id == case.id).order_by(Notice.id.desc()).limit(1)
    ).one()
    hashes = {status.value: 0 for status in EntryStatus}
    for entry, _ in case_entries(session=session, case_id=case.id):
        hashes[entry.status] += 1
    personal = session.scalars(
        select(CasePersonal.data).where(CasePersonal.case_id == case.id)
    ).all()
    appeals = session.scalars(
        select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id)
    ).all()
    return CaseView(
        reference=case.reference,
        status=case.status,
        queue=case.queue,
        request_types=case.request_types,
        escalated=case.escalated,
        appeal_pending=case.appeal_pending,
        received_at=case.received_at,
        valid_at=case.valid_at,
        decided_at=case.decided_at,
        missing=[MissingField.model_validate(m) for m in latest.missing],
        items=[
            ItemOut(
                id=item.id,
                content_id=item.content_id,
                url=item.url,
                found_by=item.found_by,
                status=item.status,
                located_at=item.located_at,
                due_at=due.get(item.deadline_id) if item.deadline_id else None,
            )
            for item in items
        ],
        hashes=hashes,
        set_aside_hashes=sum(len(data.get(SET_ASIDE, [])) for data in personal),
        deadlines=[deadline_out(d) for d in deadlines],
        appeals=[appeal_out(a) for a in appeals],
    )
