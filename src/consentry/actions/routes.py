"""Action requests for the platform, and webhook administration."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from consentry.actions.models import AckResult, ActionRequest, OutboxMessage, WebhookEndpoint
from consentry.actions.service import (
    WebhookError,
    add_endpoint,
    dead_letters,
    disable_endpoint,
    list_endpoints,
    retry_dead_letter,
)
from consentry.api.auth import ActionAcker, Admin
from consentry.api.params import AfterId, RowId
from consentry.api.problems import Problem
from consentry.cases.models import Item
from consentry.cases.removal import acknowledge
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.outbound.destinations import allowed_networks

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
            actor=f"apikey:{key.id}",
            settings=settings,
        )
        return _out(action, session.get_one(Item, action.item_id))


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    description: Annotated[str, Field(max_length=200)] = ""


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str
    enabled: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="Shown once, at creation.")


class DeadLetterOut(BaseModel):
    id: int
    channel: str
    event: str
    attempts: int
    created_at: datetime
    dead_at: datetime | None
    last_error: str | None


def _endpoint(endpoint: WebhookEndpoint, secret: bool = False) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        enabled=endpoint.enabled,
        created_at=endpoint.created_at,
        secret=endpoint.secret if secret else None,
    )


def _dead(message: OutboxMessage) -> DeadLetterOut:
    return DeadLetterOut(
        id=message.id,
        channel=message.channel,
        event=message.event,
        attempts=message.attempts,
        created_at=message.created_at,
        dead_at=message.dead_at,
        last_error=message.last_error,
    )


@router.get("/webhooks", response_model=list[EndpointOut], tags=["webhooks"])
def get_webhooks(request: Request, admin: Admin) -> list[EndpointOut]:
    with session_scope(request.app.state.engine) as session:
        return [_endpoint(e) for e in list_endpoints(session=session)]


@router.post("/webhooks", status_code=201, response_model=EndpointOut, tags=["webhooks"])
def post_webhook(request: Request, body: EndpointIn, admin: Admin) -> EndpointOut:
    """Add an endpoint; the answer holds its signing secret, which is not shown again."""
    try:
        with session_scope(request.app.state.engine) as session:
            endpoint = add_endpoint(
                session=session,
                url=body.url,
                allowed=allowed_networks(request.app.state.settings),
                description=body.description,
                actor=admin.label,
            )
            return _endpoint(endpoint, secret=True)
    except WebhookError as error:
        raise Problem(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid-webhook", error.message) from None


@router.delete("/webhooks/{endpoint_id}", status_code=204, tags=["webhooks"])
def delete_webhook(request: Request, endpoint_id: RowId, admin: Admin) -> None:
    """Disable an endpoint (kept for the record; nothing more is sent to it)."""
    try:
        with session_scope(request.app.state.engine) as session:
            disable_endpoint(session=session, endpoint_id=endpoint_id, actor=admin.label)
    except WebhookError as error:
        raise Problem(HTTPStatus.NOT_FOUND, "not-found", error.message) from None


@router.get("/webhooks/dead-letters", response_model=list[DeadLetterOut], tags=["webhooks"])
def get_dead_letters(request: Request, admin: Admin, after_id: AfterId = 0) -> list[DeadLetterOut]:
    """Messages given up after every retry failed (payloads are not shown)."""
    with session_scope(request.app.state.engine) as session:
        return [_dead(m) for m in dead_letters(session=session, after_id=after_id)]


@router.post(
    "/webhooks/dead-letters/{message_id}/retry", response_model=DeadLetterOut, tags=["webhooks"]
)
def post_retry(request: Request, message_id: RowId, admin: Admin) -> DeadLetterOut:
    try:
        with session_scope(request.app.state.engine) as session:
            return _dead(
                retry_dead_letter(session=session, message_id=message_id, actor=admin.label)
            )
    except WebhookError as error:
        raise Problem(HTTPStatus.NOT_FOUND, "not-found", error.message) from None
