"""Decisions on a case (without the review console): confirm, decline, escalate; and
the requester's withdrawal (MC-05)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.actions.models import ActionKind
from consentry.actions.outbox import enqueue_webhook
from consentry.banks.models import Bank, BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import change_status
from consentry.cases.clocks import settle
from consentry.cases.errors import CaseConflict, DecisionInvalid
from consentry.cases.events import EventKind, append
from consentry.cases.holders import held_elsewhere, withdrawn_elsewhere
from consentry.cases.models import Case, CaseHash, CaseStatus, Item, ItemStatus
from consentry.cases.notify import notify
from consentry.cases.removal import request_action
from consentry.cases.schemas import Decision, DecisionIn, DeclineReason
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow

# What the decline notice says would help, per reason (AP-04).
_HELPS = {
    DeclineReason.NOT_INTIMATE: "why the content is intimate",
    DeclineReason.NOT_DEPICTED_PERSON: "that you are the person depicted, or act for them",
    DeclineReason.NOT_LOCATED: "where the content is (a link or the content ID)",
    DeclineReason.OTHER: "more about the content and where it is",
}
_REASONS = {
    DeclineReason.NOT_INTIMATE: "we found that the content is not an intimate image",
    DeclineReason.NOT_DEPICTED_PERSON: (
        "we could not establish that the request comes from the person depicted or someone"
        " acting for them"
    ),
    DeclineReason.NOT_LOCATED: "we could not find the content",
    DeclineReason.OTHER: "of the reason our staff recorded",
}


def case_entries(*, session: Session, case_id: int) -> Sequence[tuple[BankEntry, Bank]]:
    return session.execute(
        select(BankEntry, Bank)
        .join(CaseHash, CaseHash.entry_id == BankEntry.id)
        .join(Bank, Bank.id == BankEntry.bank_id)
        .where(CaseHash.case_id == case_id)
        .order_by(BankEntry.id)
    ).all()


def _announce_bank(session: Session, banks: set[str]) -> None:
    """Platforms rescan earlier uploads from the change feed (MC-01)."""
    for name in sorted(banks):
        enqueue_webhook(session=session, event="bank.updated", data={"bank": name})


# The case event each kind of change to a case's own hashes leaves in its history.
_CASE_EVENTS = {
    ChangeAction.CONFIRMED: EventKind.HASH_CONFIRMED,
    # Withdrawn before (by this person, or by someone who took over their case before
    # 0.2), confirmed again by a reviewer on a new request: recorded, never automatic.
    ChangeAction.REINSTATED: EventKind.HASH_REINSTATED,
}


def _apply(
    session: Session, entry: BankEntry, bank: Bank, action: ChangeAction, actor: Actor
) -> None:
    change_status(
        session=session,
        bank=bank,
        signal_type=entry.signal_type,
        value=entry.value,
        action=action,
        actor=actor,
    )


def change_entries(
    *, session: Session, case: Case, action: ChangeAction, actor: Actor, only: EntryStatus
) -> None:
    """Change every entry of the case that is `only` (and tell the platforms).

    A withdrawal or revocation leaves alone an entry that another live case holds."""
    changed: set[str] = set()
    for entry, bank in case_entries(session=session, case_id=case.id):
        if entry.status != only.value:
            continue
        if action not in _CASE_EVENTS and held_elsewhere(
            session=session, entry_id=entry.id, case_id=case.id
        ):
            continue
        _apply(session, entry, bank, action, actor)
        changed.add(bank.name)
        if action in _CASE_EVENTS:
            append(
                session=session,
                case=case,
                kind=_CASE_EVENTS[action],
                actor=actor,
                details={"entry_id": entry.id},
            )
    _announce_bank(session, changed)


def confirm(
    *,
    session: Session,
    case: Case,
    actor: Actor,
    item_ids: Sequence[int] | None,
    settings: Settings,
) -> None:
    """The content is intimate image abuse: confirm the hashes, request removal."""
    append(
        session=session,
        case=case,
        kind=EventKind.DECIDED,
        actor=actor,
        details={"decision": Decision.CONFIRM.value},
    )
    carry_out(session=session, case=case, actor=actor, item_ids=item_ids, settings=settings)


def carry_out(
    *,
    session: Session,
    case: Case,
    actor: Actor,
    item_ids: Sequence[int] | None,
    settings: Settings,
) -> None:
    """What a confirmation does, whoever took it (a reviewer, or a lead on appeal)."""
    for action, only in (
        (ChangeAction.CONFIRMED, EntryStatus.PENDING),
        (ChangeAction.REINSTATED, EntryStatus.WITHDRAWN),
    ):
        change_entries(session=session, case=case, action=action, actor=actor, only=only)
    open_items = session.scalars(
        select(Item)
        .where(
            Item.case_id == case.id,
            Item.status.in_([ItemStatus.LOCATED, ItemStatus.NEEDS_REVIEW]),
        )
        .order_by(Item.id)
    ).all()
    for item in open_items:
        if item_ids is None or item.id in item_ids:
            request_action(
                session=session,
                case=case,
                item=item,
                kind=ActionKind.REMOVE,
                actor=actor,
                settings=settings,
            )
    notify(
        session=session,
        case=case,
        template="decision",
        params={"decision": "confirm", "automated": False},
    )
    settle(session=session, case=case, at=utcnow())


def decide(
    *, session: Session, case: Case, decision: DecisionIn, actor: Actor, settings: Settings
) -> None:
    status = CaseStatus(case.status)
    if status in (CaseStatus.INCOMPLETE, CaseStatus.WITHDRAWN, CaseStatus.DECLINED):
        raise CaseConflict(f"a case that is {status.value} cannot be decided")
    if decision.decision is Decision.ESCALATE:
        append(
            session=session,
            case=case,
            kind=EventKind.DECIDED,
            actor=actor,
            details={"decision": "escalate"},
        )
        return
    if decision.decision is Decision.CONFIRM:
        confirm(session=session, case=case, actor=actor, item_ids=decision.items, settings=settings)
        return
    if status is CaseStatus.CONFIRMED:
        raise CaseConflict("the case was confirmed; reversals go through an appeal")
    if decision.reason_code is None:
        raise DecisionInvalid("a decline needs a reason_code (IN-34: a reasoned determination)")
    append(
        session=session,
        case=case,
        kind=EventKind.DECIDED,
        actor=actor,
        details={"decision": "decline", "reason_code": decision.reason_code.value},
    )
    for item in session.scalars(select(Item).where(Item.case_id == case.id)):
        if not ItemStatus(item.status).resolved:
            item.status, item.resolved_at = ItemStatus.DECLINED, utcnow()
    _honour_withdrawals(session, case, actor)
    notify(
        session=session,
        case=case,
        template="decision",
        params={
            "decision": "decline",
            "reason": _REASONS[decision.reason_code],
            "helps": _HELPS[decision.reason_code],
            "automated": False,
        },
    )
    settle(session=session, case=case, at=utcnow())


def withdraw(*, session: Session, case: Case, actor: Actor, settings: Settings) -> tuple[int, int]:
    """Withdraw the case's hashes everywhere at once; (withdrawn, kept) counts.

    Confirmed hashes are kept only where the deployment says the operator has its own
    legal basis (`keep_adjudicated_hashes`), and the requester is told so."""
    if case.status == CaseStatus.WITHDRAWN:
        raise CaseConflict("the case was withdrawn already")
    withdrawn = kept = 0
    banks: set[str] = set()
    for entry, bank in case_entries(session=session, case_id=case.id):
        status = EntryStatus(entry.status)
        if not status.matchable:
            continue
        if status is EntryStatus.CONFIRMED and settings.keep_adjudicated_hashes:
            kept += 1
            continue
        # Another person's request still holds it: it leaves this case, not the bank.
        withdrawn += 1
        if held_elsewhere(session=session, entry_id=entry.id, case_id=case.id):
            continue
        _apply(session, entry, bank, ChangeAction.WITHDRAWN, actor)
        banks.add(bank.name)
    _announce_bank(session, banks)
    append(
        session=session,
        case=case,
        kind=EventKind.WITHDRAWN,
        actor=actor,
        details={"withdrawn_hashes": withdrawn, "kept_hashes": kept},
    )
    notify(
        session=session,
        case=case,
        template="withdrawal",
        params={"withdrawn": withdrawn, "kept": kept},
    )
    settle(session=session, case=case, at=utcnow())
    return withdrawn, kept


def _honour_withdrawals(session: Session, case: Case, actor: Actor) -> None:
    """A declined case that was the last to hold a hash another requester withdrew
    lets that withdrawal take effect."""
    banks: set[str] = set()
    for entry, bank in case_entries(session=session, case_id=case.id):
        if not EntryStatus(entry.status).matchable or held_elsewhere(
            session=session, entry_id=entry.id, case_id=case.id
        ):
            continue
        if not withdrawn_elsewhere(session=session, entry_id=entry.id, case_id=case.id):
            continue
        _apply(session, entry, bank, ChangeAction.WITHDRAWN, actor)
        banks.add(bank.name)
    _announce_bank(session, banks)


def request_information(*, session: Session, case: Case, actor: Actor, message: str) -> bool:
    """Ask the requester for more (the clock keeps running); returns whether mail was queued."""
    if CaseStatus(case.status) in (CaseStatus.WITHDRAWN, CaseStatus.DECLINED):
        raise CaseConflict(f"a case that is {case.status} takes no more information")
    append(session=session, case=case, kind=EventKind.INFORMATION_REQUESTED, actor=actor)
    return notify(
        session=session, case=case, template="information_request", params={"message": message}
    )
