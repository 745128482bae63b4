"""Action requests to the platform, webhook endpoints, and the outbox that delivers
webhooks and e-mail: written in the same transaction as the change they announce,
delivered afterwards, retried until they succeed or are given up as dead letters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from consentry.db.base import Base, BigId, UTCDateTime, enum_column, utcnow
from consentry.db.sealed import Sealed, SealedJSON


class ActionKind(StrEnum):
    REMOVE = "remove"
    RESTORE = "restore"  # a reversal on appeal


class AckResult(StrEnum):
    DONE = "done"  # removed (or restored)
    NOT_FOUND = "not_found"  # the platform no longer holds the content


class ActionRequest(Base):
    __tablename__ = "action_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("case_items.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(enum_column(ActionKind, 16))
    # Requested without a human decision (an exact match to a confirmed hash): the
    # statement of reasons must say so (DSA Art. 17(3)(c)).
    automated: Mapped[bool] = mapped_column(default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    result: Mapped[str | None] = mapped_column(String(16), default=None)
    acked_by: Mapped[str | None] = mapped_column(String(64), default=None)


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    # Signing needs the secret itself; it is shown once, at creation, never logged, and
    # sealed at rest.
    secret: Mapped[str] = mapped_column(Sealed())
    description: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 16))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id"))
    # E-mail: the case whose contact receives it (the address is read at sending time,
    # so a purged contact is never written here).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    event: Mapped[str] = mapped_column(String(48))
    # Sealed: a statement's appeal code travels here until delivered.
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON())
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
