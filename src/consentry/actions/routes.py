"""Webhook administration: endpoints, and messages given up after every retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.auth import Admin
from consentry.actions.models import OutboxMessage, WebhookEndpoint
from consentry.actions.service import (
    add_endpoint,
    dead_letters,
    disable_endpoint,
    list_endpoints,
    retry_dead_letter,
)
from consentry.api.params import AfterId, RowId
from consentry.db.session import session_scope
from consentry.outbound.destinations import allowed_networks

router = APIRouter(prefix="/v1", tags=["actions"])


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
    with session_scope(request.app.state.engine) as session:
        endpoint = add_endpoint(
            session=session,
            url=body.url,
            allowed=allowed_networks(request.app.state.settings),
            description=body.description,
            actor=admin.actor,
        )
        return _endpoint(endpoint, secret=True)


@router.delete("/webhooks/{endpoint_id}", status_code=204, tags=["webhooks"])
def delete_webhook(request: Request, endpoint_id: RowId, admin: Admin) -> None:
    """Disable an endpoint (kept for the record; nothing more is sent to it)."""
    with session_scope(request.app.state.engine) as session:
        disable_endpoint(session=session, endpoint_id=endpoint_id, actor=admin.actor)


@router.get("/webhooks/dead-letters", response_model=list[DeadLetterOut], tags=["webhooks"])
def get_dead_letters(request: Request, admin: Admin, after_id: AfterId = 0) -> list[DeadLetterOut]:
    """Messages given up after every retry failed (payloads are not shown)."""
    with session_scope(request.app.state.engine) as session:
        return [_dead(m) for m in dead_letters(session=session, after_id=after_id)]


@router.post(
    "/webhooks/dead-letters/{message_id}/retry", response_model=DeadLetterOut, tags=["webhooks"]
)
def post_retry(request: Request, message_id: RowId, admin: Admin) -> DeadLetterOut:
    with session_scope(request.app.state.engine) as session:
        return _dead(retry_dead_letter(session=session, message_id=message_id, actor=admin.actor))
