"""Webhook endpoints and the outbox's dead letters. Keyword-only; the caller owns the
transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from http import HTTPStatus
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.actions.models import OutboxMessage, WebhookEndpoint
from consentry.audit.service import record
from consentry.core.actor import Actor
from consentry.core.errors import DomainError
from consentry.db.base import utcnow
from consentry.outbound.destinations import DestinationRefused, IpNetwork, check


class WebhookError(DomainError):
    slug = "invalid-webhook"


class WebhookNotFound(WebhookError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"


def add_endpoint(
    *,
    session: Session,
    url: str,
    allowed: Sequence[IpNetwork],
    description: str = "",
    actor: Actor,
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (returned once, on this object). Its
    host must resolve to public addresses only, or to networks in `allowed`."""
    try:
        check(url, allowed=allowed)
    except DestinationRefused as refused:
        raise WebhookError(refused.message) from None
    parts = urlsplit(url.strip())
    endpoint = WebhookEndpoint(
        url=url.strip(), secret=f"whsec_{secrets.token_urlsafe(32)}", description=description
    )
    session.add(endpoint)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="webhook.added",
        subject_type="webhook",
        subject_id=endpoint.id,
        details={"host": parts.hostname},
    )
    return endpoint


def list_endpoints(*, session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def disable_endpoint(*, session: Session, endpoint_id: int, actor: Actor) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise WebhookNotFound(f"no webhook endpoint {endpoint_id}")
    endpoint.enabled = False
    record(
        session=session,
        actor=actor,
        action="webhook.disabled",
        subject_type="webhook",
        subject_id=endpoint.id,
    )
    return endpoint


def dead_letters(
    *, session: Session, limit: int = 100, after_id: int = 0
) -> Sequence[OutboxMessage]:
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dead_at.is_not(None), OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()


def retry_dead_letter(*, session: Session, message_id: int, actor: Actor) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.dead_at is None:
        raise WebhookNotFound(f"no dead letter {message_id}")
    message.dead_at, message.attempts, message.next_attempt_at = None, 0, utcnow()
    record(
        session=session,
        actor=actor,
        action="outbox.retried",
        subject_type="outbox",
        subject_id=message.id,
    )
    return message
