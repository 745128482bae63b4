"""Writing to the outbox: in the caller's transaction, so a message exists exactly when
the change it announces was committed (delivery happens afterwards, see `delivery`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.actions.models import Channel, OutboxMessage, WebhookEndpoint
from consentry.db.base import utcnow


def enqueue_webhook(*, session: Session, event: str, data: dict[str, Any]) -> list[OutboxMessage]:
    """One message per enabled endpoint; each carries its own idempotency key."""
    now = utcnow()
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    messages = []
    for endpoint in endpoints:
        key = uuid.uuid4().hex
        message = OutboxMessage(
            channel=Channel.WEBHOOK,
            endpoint_id=endpoint.id,
            event=event,
            payload={"id": key, "event": event, "created_at": now.isoformat(), "data": data},
            idempotency_key=key,
            next_attempt_at=now,
        )
        session.add(message)
        messages.append(message)
    session.flush()
    return messages


def enqueue_email(
    *, session: Session, case_id: int, template: str, params: dict[str, Any]
) -> OutboxMessage:
    """An e-mail to the case's contact; `params` must hold no personal data."""
    message = OutboxMessage(
        channel=Channel.EMAIL,
        case_id=case_id,
        event=template,
        payload=params,
        idempotency_key=uuid.uuid4().hex,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message
