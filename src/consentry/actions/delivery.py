"""Delivering the outbox: signed webhooks and e-mail, at least once.

A worker claims due messages by pushing their next attempt past a lease, then sends
them outside any transaction; a process killed mid-send leaves the claim to expire and
the message is sent again after a restart. Receivers de-duplicate on `Idempotency-Key`.

Signature: `Consentry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
with the endpoint's secret, so a receiver can reject both forgeries and replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.actions.models import Channel, OutboxMessage, WebhookEndpoint
from consentry.cases.notify import contact_email, render
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
NO_SMTP_WAIT = timedelta(minutes=10)


class DeliveryFailed(Exception):
    pass


class NotConfigured(Exception):
    """Nothing to blame on the message: wait without spending an attempt."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff(attempts: int, base_seconds: float) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    channel: str
    event: str
    payload: dict[str, object]
    idempotency_key: str
    attempts: int
    url: str | None
    secret: str | None
    email: str | None


def _claim(session: Session, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.dead_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for message in session.scalars(query).all():
        message.next_attempt_at = now + lease
        message.attempts += 1
        endpoint = (
            session.get(WebhookEndpoint, message.endpoint_id) if message.endpoint_id else None
        )
        email = None
        if message.channel == Channel.EMAIL.value and message.case_id is not None:
            email = contact_email(session=session, case_id=message.case_id)
        claimed.append(
            Claimed(
                id=message.id,
                channel=message.channel,
                event=message.event,
                payload=message.payload,
                idempotency_key=message.idempotency_key,
                attempts=message.attempts,
                url=endpoint.url if endpoint and endpoint.enabled else None,
                secret=endpoint.secret if endpoint else None,
                email=email,
            )
        )
    return claimed


def _send_webhook(message: Claimed, client: httpx.Client) -> None:
    if message.url is None or message.secret is None:
        raise DeliveryFailed("the endpoint was disabled")
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    try:
        response = client.post(
            message.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "Consentry-Event": message.event,
                "Consentry-Signature": sign(message.secret, timestamp, body),
                "Idempotency-Key": message.idempotency_key,
            },
        )
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{type(error).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"HTTP {response.status_code}")


def _send_email(message: Claimed, settings: Settings) -> None:
    if message.email is None:
        raise DeliveryFailed("the case holds no e-mail address any more")
    if not settings.smtp_host:
        raise NotConfigured("SMTP is not configured (CONSENTRY_SMTP_HOST)")
    subject, text = render(message.event, dict(message.payload))
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message.email
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{message.idempotency_key}@consentry>"
    mail.set_content(text)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.webhook_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls and smtp.has_extn("starttls"):
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"SMTP: {type(error).__name__}") from None


def deliver_due(*, engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send what is due; returns how many were delivered."""
    now = utcnow()
    lease = timedelta(seconds=settings.webhook_timeout_seconds * 3 + 30)
    with session_scope(engine) as session:
        claimed = _claim(session, now, lease, limit)
    if not claimed:
        return 0
    outcomes: list[tuple[Claimed, str | None, bool]] = []
    with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        for message in claimed:
            try:
                if message.channel == Channel.WEBHOOK.value:
                    _send_webhook(message, client)
                else:
                    _send_email(message, settings)
                outcomes.append((message, None, False))
            except NotConfigured as error:
                outcomes.append((message, str(error), True))
            except DeliveryFailed as error:
                outcomes.append((message, str(error), False))
    delivered = 0
    with session_scope(engine) as session:
        for message, failure, waiting in outcomes:
            row = session.get_one(OutboxMessage, message.id)
            done = utcnow()
            if failure is None:
                row.delivered_at, row.last_error = done, None
                delivered += 1
            elif waiting:
                row.attempts -= 1
                row.next_attempt_at, row.last_error = done + NO_SMTP_WAIT, failure
            elif row.attempts >= settings.delivery_max_attempts:
                row.dead_at, row.last_error = done, failure
                log.warning("outbox message %s is a dead letter: %s", row.id, failure)
            else:
                row.last_error = failure
                row.next_attempt_at = done + backoff(
                    row.attempts, settings.delivery_backoff_seconds
                )
    return delivered
