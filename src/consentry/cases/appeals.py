"""Appeals (AP-01 to AP-07): uploaders against a removal, through the platform or the
public page, for at least six months; requesters against a decline. A lead who did not
take the first decision decides; content stays down meanwhile (AP-03)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role, User
from consentry.actions.models import ActionKind
from consentry.actions.outbox import enqueue_webhook
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.cases.clocks import settle
from consentry.cases.decisions import carry_out, change_entries
from consentry.cases.errors import CaseConflict, NotFound, NotPermitted
from consentry.cases.events import EventKind, append, deciders
from consentry.cases.models import (
    Appeal,
    AppealGround,
    AppealStatus,
    Appellant,
    Case,
    CasePersonal,
    CaseStatus,
    Item,
    ItemStatus,
    Outcome,
    Statement,
)
from consentry.cases.notify import notify
from consentry.cases.removal import request_action
from consentry.cases.statements import code_matches
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow

_UNKNOWN_STATEMENT = "no statement of reasons matches this reference and code"


def _file(
    session: Session,
    case: Case,
    appellant: Appellant,
    grounds: AppealGround,
    explanation: str,
    actor: Actor,
    statement: Statement | None = None,
) -> Appeal:
    same_subject = (
        Appeal.statement_id == statement.id if statement else Appeal.statement_id.is_(None)
    )
    pending = session.scalar(
        select(Appeal.id).where(
            Appeal.case_id == case.id, Appeal.status == AppealStatus.PENDING, same_subject
        )
    )
    if pending is not None:
        raise CaseConflict(f"an appeal is pending already (appeal {pending})")
    personal = CasePersonal(case_id=case.id, data={"appeal_explanation": explanation})
    session.add(personal)
    session.flush()
    appeal = Appeal(
        case_id=case.id,
        statement_id=statement.id if statement else None,
        appellant=appellant,
        grounds=grounds.value,
        personal_id=personal.id,
        filed_at=utcnow(),
    )
    session.add(appeal)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.APPEAL_FILED,
        actor=actor,
        details={
            "appeal_id": appeal.id,
            "appellant": appellant,
            "grounds": grounds.value,
            "statement_id": appeal.statement_id,
        },
    )
    return appeal


def file_uploader_appeal(
    *,
    session: Session,
    statement_reference: str,
    grounds: AppealGround,
    explanation: str,
    actor: Actor,
    content_id: str | None = None,
    appeal_code: str | None = None,
) -> Appeal:
    """Through the platform (which names the content) or the public page (with the
    appeal code from the statement); either must match the statement."""
    statement = session.scalar(
        select(Statement).where(Statement.reference == statement_reference.strip().upper())
    )
    if statement is None:
        raise NotFound(_UNKNOWN_STATEMENT)
    if appeal_code is not None and not code_matches(appeal_code, statement.appeal_code_digest):
        raise NotFound(_UNKNOWN_STATEMENT)
    if appeal_code is None and content_id != statement.body.get("content_id"):
        raise NotFound("no statement of reasons matches this reference and content ID")
    if utcnow() > statement.appeal_until:
        raise CaseConflict(f"the complaint window closed on {statement.appeal_until:%Y-%m-%d}")
    case = session.get_one(Case, statement.case_id)
    return _file(session, case, Appellant.UPLOADER, grounds, explanation, actor, statement)


def file_requester_appeal(
    *, session: Session, case: Case, explanation: str, actor: Actor, settings: Settings
) -> Appeal:
    if case.status != CaseStatus.DECLINED:
        raise CaseConflict("only a declined request can be appealed by the requester")
    assert case.decided_at is not None
    if utcnow() > case.decided_at + timedelta(days=settings.appeal_window_days):
        raise CaseConflict("the window to appeal this decision has closed")
    return _file(
        session, case, Appellant.REQUESTER, AppealGround.DECLINED_WRONGLY, explanation, actor
    )


def decide_appeal(
    *, session: Session, appeal_id: int, outcome: Outcome, user: User, settings: Settings
) -> Appeal:
    """Decided by a lead who did not take the decision appealed against (AP-06)."""
    appeal = session.get(Appeal, appeal_id, with_for_update=True)
    if appeal is None:
        raise NotFound(f"no appeal {appeal_id}")
    if Role(user.role) is not Role.LEAD:
        raise NotPermitted("appeals are decided by a member of staff with the role lead")
    actor = Actor.user(user.id)
    case = session.get_one(Case, appeal.case_id)
    if str(actor) in deciders(session=session, case_id=case.id):
        raise NotPermitted(
            "an appeal is decided by someone who took no decision on this case (AP-06)"
        )
    if appeal.status is not AppealStatus.PENDING:
        raise CaseConflict(f"appeal {appeal_id} was decided already ({appeal.status})")
    appeal.status, appeal.decided_at, appeal.decided_by = (
        AppealStatus(outcome),
        utcnow(),
        str(actor),
    )
    others = session.scalar(
        select(Appeal.id).where(
            Appeal.case_id == case.id, Appeal.status == AppealStatus.PENDING, Appeal.id != appeal.id
        )
    )
    append(
        session=session,
        case=case,
        kind=EventKind.APPEAL_DECIDED,
        actor=actor,
        details={
            "appeal_id": appeal.id,
            "appellant": appeal.appellant,
            "outcome": outcome.value,
            "others_pending": others is not None,
        },
    )
    if appeal.appellant is Appellant.REQUESTER:
        if outcome is Outcome.UPHELD:
            for item in session.scalars(select(Item).where(Item.case_id == case.id)):
                if item.status == ItemStatus.DECLINED:
                    item.status, item.resolved_at = ItemStatus.LOCATED, None
            carry_out(session=session, case=case, actor=actor, item_ids=None, settings=settings)
        notify(
            session=session,
            case=case,
            template="appeal_outcome",
            params={"outcome": outcome.value},
        )
    else:
        statement = session.get_one(Statement, appeal.statement_id)
        if outcome is Outcome.UPHELD:
            _reverse(session, case, statement, actor, settings)
        enqueue_webhook(
            session=session,
            event="appeal.decided",
            data={"statement_reference": statement.reference, "outcome": outcome.value},
        )
    settle(session=session, case=case, at=utcnow())
    return appeal


def _reverse(
    session: Session, case: Case, statement: Statement, actor: Actor, settings: Settings
) -> None:
    """AC-10: restore the item and stop its hashes matching again."""
    item = session.get_one(Item, statement.item_id)
    request_action(
        session=session,
        case=case,
        item=item,
        kind=ActionKind.RESTORE,
        actor=actor,
        settings=settings,
    )
    change_entries(
        session=session,
        case=case,
        action=ChangeAction.REVOKED,
        actor=actor,
        only=EntryStatus.CONFIRMED,
    )
