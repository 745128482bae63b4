"""Asking the platform to act on an item, and its acknowledgement, which stops that
item's clock and issues the uploader's statement of reasons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from consentry.actions.models import AckResult, ActionKind, ActionRequest
from consentry.actions.outbox import enqueue_webhook
from consentry.cases.clocks import settle
from consentry.cases.errors import CaseConflict, NotFound
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, Deadline, Item, ItemStatus
from consentry.cases.preservation import preserve
from consentry.cases.statements import issue_statement
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow


def request_action(
    *,
    session: Session,
    case: Case,
    item: Item,
    kind: ActionKind,
    actor: Actor,
    settings: Settings,
    automated: bool = False,
) -> ActionRequest:
    """Ask the platform to act; a removal is preserved first (AC-03), in this transaction."""
    action = ActionRequest(case_id=case.id, item_id=item.id, kind=kind, automated=automated)
    session.add(action)
    if kind is ActionKind.REMOVE:
        item.status = ItemStatus.ACTION_REQUESTED
    session.flush()
    if kind is ActionKind.REMOVE:
        preserve(
            session=session, case=case, item=item, action=action, actor=actor, settings=settings
        )
    append(
        session=session,
        case=case,
        kind=EventKind.ACTION_REQUESTED,
        actor=actor,
        details={
            "action_id": action.id,
            "item_id": item.id,
            "kind": kind.value,
            "automated": automated,
        },
    )
    deadline = session.get(Deadline, item.deadline_id) if item.deadline_id else None
    enqueue_webhook(
        session=session,
        event="action.requested",
        data={
            "action_id": action.id,
            "kind": kind.value,
            "content_id": item.content_id,
            "url": item.url,
            "scan_id": item.scan_id,
            "due_at": deadline.due_at.isoformat() if deadline else None,
            "automated": automated,
        },
    )
    return action


def acknowledge(
    *,
    session: Session,
    action_id: int,
    result: AckResult,
    actor: Actor,
    settings: Settings,
    now: datetime | None = None,
) -> ActionRequest:
    """Record that the platform acted; repeating the same acknowledgement is a no-op."""
    now = now or utcnow()
    action = session.get(ActionRequest, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"no action request {action_id}")
    if action.acked_at is not None:
        if action.result == result.value:
            return action
        raise CaseConflict(f"action {action_id} was acknowledged already as {action.result}")
    action.acked_at, action.result, action.acked_by = now, result.value, str(actor)
    case = session.get_one(Case, action.case_id)
    item = session.get_one(Item, action.item_id)
    if ActionKind(action.kind) is ActionKind.RESTORE:
        item.status = ItemStatus.RESTORED
        append(
            session=session,
            case=case,
            kind=EventKind.CONTENT_RESTORED,
            actor=actor,
            details={"action_id": action.id, "item_id": item.id, "result": result.value},
        )
        return action
    removed = result is AckResult.DONE
    item.status = ItemStatus.REMOVED if removed else ItemStatus.NOT_FOUND
    item.resolved_at = now
    append(
        session=session,
        case=case,
        kind=EventKind.ACTION_CONFIRMED,
        actor=actor,
        details={"action_id": action.id, "item_id": item.id, "result": result.value},
    )
    if removed:
        issue_statement(
            session=session, case=case, item=item, action=action, settings=settings, now=now
        )
    settle(session=session, case=case, at=now)
    return action
