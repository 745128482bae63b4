"""Removal requests as the platform sees them: poll the pending ones, acknowledge each."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from consentry.accounts.auth import ActionAcker
from consentry.actions.models import AckResult, ActionRequest
from consentry.api.params import AfterId, RowId
from consentry.cases.models import Item
from consentry.cases.removal import acknowledge
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.session import session_scope

router = APIRouter(prefix="/v1", tags=["actions"])


class ActionOut(BaseModel):
    id: int
    kind: str
    content_id: str | None
    url: str | None
    automated: bool
    requested_at: datetime
    acked_at: datetime | None
    result: str | None


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: AckResult = AckResult.DONE


class ActionPage(BaseModel):
    actions: list[ActionOut]
    next_after_id: int | None


def _out(action: ActionRequest, item: Item) -> ActionOut:
    return ActionOut(
        id=action.id,
        kind=action.kind,
        content_id=item.content_id,
        url=item.url,
        automated=action.automated,
        requested_at=action.requested_at,
        acked_at=action.acked_at,
        result=action.result,
    )


@router.get("/actions", response_model=ActionPage)
def list_pending(
    request: Request,
    key: ActionAcker,
    after_id: AfterId = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ActionPage:
    """Unacknowledged action requests, oldest first (for platforms that poll)."""
    with session_scope(request.app.state.engine) as session:
        rows = session.execute(
            select(ActionRequest, Item)
            .join(Item, Item.id == ActionRequest.item_id)
            .where(ActionRequest.acked_at.is_(None), ActionRequest.id > after_id)
            .order_by(ActionRequest.id)
            .limit(limit)
        ).all()
        actions = [_out(a, i) for a, i in rows]
    return ActionPage(
        actions=actions, next_after_id=actions[-1].id if len(actions) == limit else None
    )


@router.post("/actions/{action_id}/ack", response_model=ActionOut)
def ack(request: Request, action_id: RowId, body: AckIn, key: ActionAcker) -> ActionOut:
    """The platform removed (or restored) the content: that item's clock stops and the
    uploader's statement of reasons is issued. Repeating an acknowledgement is harmless."""
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        action = acknowledge(
            session=session,
            action_id=action_id,
            result=body.result,
            actor=Actor.key(key.id),
            settings=settings,
        )
        return _out(action, session.get_one(Item, action.item_id))
