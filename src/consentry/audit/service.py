"""Appending to and verifying the audit chain. Keyword-only; the caller owns the transaction,
so an event commits (or not) together with the change it records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from consentry.audit.models import AuditEvent
from consentry.core.actor import Actor
from consentry.db.base import utcnow

GENESIS = "0" * 64
_AUDIT_LOCK = 0x61756474  # "audt": PostgreSQL advisory lock serialising appends


_FIELDS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "details")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chained_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, as they are hashed (time in ISO 8601)."""
    body = {name: getattr(event, name) for name in _FIELDS}
    body["at"] = event.at.isoformat()
    return body


def event_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's fields, as canonical JSON; anyone
    holding an exported event can recompute it (see `consentry.evidence`)."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def _digest(prev_hash: str, event: AuditEvent) -> str:
    return event_digest(prev_hash, chained_fields(event))


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | int,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, chained to the last one (appends are serialised)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    prev_seq, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    event = AuditEvent(
        seq=prev_seq + 1,
        at=utcnow(),
        actor=str(actor),
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details or {},
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _digest(prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class Break:
    seq: int
    problem: str


def verify(*, session: Session, batch: int = 10_000) -> Iterator[Break]:
    """Every place where the chain does not hold: edited, deleted or reordered events.

    Use a session of its own: it reads the whole log in batches."""
    expected_prev, expected_seq, last = GENESIS, 1, 0
    while True:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not events:
            return
        for event in events:
            if event.seq != expected_seq:
                yield Break(event.seq, f"events {expected_seq}-{event.seq - 1} are missing")
            if event.prev_hash != expected_prev:
                yield Break(event.seq, "does not follow the previous event (deleted or reordered)")
            if _digest(event.prev_hash, event) != event.hash:
                yield Break(event.seq, "its content was changed after it was written")
            expected_prev, expected_seq = event.hash, event.seq + 1
        last = events[-1].seq
