"""Delivering the outbox: signed webhooks and e-mail, at least once.

A worker claims due messages by pushing their next attempt past a lease, then sends
them outside any transaction; a process killed mid-send leaves the claim to expire and
the message is sent again after a restart. Receivers de-duplicate on `Idempotency-Key`.

Webhooks of one claim are sent at once, each under one total deadline
(`outbound.client`), so the lease (twice the deadline and more) always outlives the
attempt: a slow receiver can no longer make a second worker send the same message.
Webhooks and e-mail are claimed separately, by separate threads, so neither waits on
the other, nor on the clocks.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.actions.models import Channel, OutboxMessage, WebhookEndpoint
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.outbound.client import post_all
from consentry.outbound.destinations import allowed_networks

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
NO_SMTP_WAIT = timedelta(minutes=10)


class DeliveryFailed(Exception):
    pass


class NotConfigured(Exception):
    """Nothing to blame on the message: wait without spending an attempt."""


@dataclass(frozen=True, slots=True)
class Letters:
    """How the domain that queues e-mail addresses and writes it: the outbox stores
    neither the address nor the text (both are read at sending time)."""

    address: Callable[[Session, int], str | None]  # (session, case id) -> address
    render: Callable[[str, dict[str, Any]], tuple[str, str]]  # (template, params) -> text


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


def _claim(
    session: Session,
    channel: Channel,
    now: datetime,
    lease: timedelta,
    limit: int,
    letters: Letters | None,
) -> list[Claimed]:
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel.value,
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
        if letters is not None and message.case_id is not None:
            email = letters.address(session, message.case_id)
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


def _webhook_request(message: Claimed) -> tuple[str, bytes, dict[str, str]]:
    assert message.url is not None
    assert message.secret is not None
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "Consentry-Event": message.event,
        "Consentry-Signature": sign(message.secret, int(time.time()), body),
        "Idempotency-Key": message.idempotency_key,
    }
    return message.url, body, headers


def _send_webhooks(messages: list[Claimed], settings: Settings) -> list[str | None]:
    """A failure reason (or None) for each message, all sent at once."""
    sendable = [m for m in messages if m.url is not None and m.secret is not None]
    sent = post_all(
        [_webhook_request(m) for m in sendable],
        deadline_seconds=settings.webhook_timeout_seconds,
        allowed=allowed_networks(settings),
    )
    outcome = {m.id: result.reason for m, result in zip(sendable, sent, strict=True)}
    return [outcome.get(m.id, "the endpoint was disabled") for m in messages]


def _send_email(message: Claimed, settings: Settings, letters: Letters) -> None:
    if message.email is None:
        raise DeliveryFailed("the case holds no e-mail address any more")
    if not settings.smtp_host:
        raise NotConfigured("SMTP is not configured (CONSENTRY_SMTP_HOST)")
    subject, text = letters.render(message.event, dict(message.payload))
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


def deliver_due(
    *,
    engine: Engine,
    settings: Settings,
    channel: Channel,
    letters: Letters | None = None,
    limit: int = 50,
) -> int:
    """Send what is due on `channel` (e-mail needs `letters`); returns how many were
    delivered."""
    if channel is Channel.EMAIL and letters is None:
        raise ValueError("e-mail delivery needs the letters that address and write it")
    now = utcnow()
    per_message = settings.webhook_timeout_seconds
    # Webhooks go out together; e-mails one after the other, each under its timeout.
    lease = timedelta(seconds=per_message * (2 if channel is Channel.WEBHOOK else limit) + 30)
    with session_scope(engine) as session:
        claimed = _claim(session, channel, now, lease, limit, letters)
    if not claimed:
        return 0
    outcomes: list[tuple[Claimed, str | None, bool]] = []
    if channel is Channel.WEBHOOK:
        reasons = _send_webhooks(claimed, settings)
        outcomes = [(m, reason, False) for m, reason in zip(claimed, reasons, strict=True)]
    for message in claimed if channel is Channel.EMAIL else []:
        assert letters is not None
        try:
            _send_email(message, settings, letters)
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
