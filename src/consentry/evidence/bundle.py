"""A case's evidence bundle: its events with the hashes that chain them, its hashes,
items, decisions and statements, signed with the deployment's Ed25519 key.

Verification needs nothing but the bundle (and, to trust the signer, the deployment's
published key fingerprint): the signature covers the whole content, and each event's
hash can be recomputed from its fields, so an edit is found and named even when the
signature is replaced."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.audit.checkpoints import write_checkpoint
from consentry.audit.models import AuditEvent
from consentry.audit.service import canonical_json, chained_fields, event_digest
from consentry.cases.decisions import case_entries
from consentry.cases.events import EventKind, append, history
from consentry.cases.models import Case, Item, Statement
from consentry.core.actor import Actor
from consentry.evidence.keys import fingerprint, raw_public

FORMAT = "consentry-evidence/1"
_EVENT_FIELDS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "details")


def _content(session: Session, case: Case, now: datetime) -> dict[str, Any]:
    events = history(session=session, case_id=case.id)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).one()
    items = session.scalars(select(Item).where(Item.case_id == case.id).order_by(Item.id))
    statements = session.scalars(
        select(Statement).where(Statement.case_id == case.id).order_by(Statement.id)
    )
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "case": {
            "reference": case.reference,
            "status": case.status,
            "queue": case.queue,
            "request_types": list(case.request_types),
            "received_at": case.received_at.isoformat(),
            "valid_at": case.valid_at.isoformat() if case.valid_at else None,
            "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        },
        "events": [{**chained_fields(e), "prev_hash": e.prev_hash, "hash": e.hash} for e in events],
        "decisions": [
            {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, **e.details}
            for e in events
            if e.action in (f"case.{EventKind.DECIDED}", f"case.{EventKind.APPEAL_DECIDED}")
        ],
        "hashes": [
            {
                "bank": bank.name,
                "signal_type": entry.signal_type,
                "value": entry.value,
                "quality": entry.quality,
                "status": entry.status,
            }
            for entry, bank in case_entries(session=session, case_id=case.id)
        ],
        "items": [
            {
                "id": item.id,
                "content_id": item.content_id,
                "url": item.url,
                "found_by": item.found_by,
                "status": item.status,
                "located_at": item.located_at.isoformat(),
                "resolved_at": item.resolved_at.isoformat() if item.resolved_at else None,
            }
            for item in items
        ],
        "statements": [statement.body for statement in statements],
        "chain_head": {"seq": head[0], "hash": head[1]},
    }


def export_bundle(
    *, session: Session, case: Case, key: Ed25519PrivateKey, actor: Actor, now: datetime
) -> dict[str, Any]:
    """The signed bundle; the export itself becomes a case event (AU-01)."""
    content = _content(session, case, now)
    signature = key.sign(canonical_json(content).encode())
    append(
        session=session,
        case=case,
        kind=EventKind.EVIDENCE_EXPORTED,
        actor=actor,
        details={"events": len(content["events"]), "key": fingerprint(key.public_key())},
    )
    write_checkpoint(session=session, key=key)  # the log, pinned as the bundle left it
    return {
        "content": content,
        "signature": base64.b64encode(signature).decode(),
        "public_key": base64.b64encode(raw_public(key.public_key())).decode(),
        "key_fingerprint": fingerprint(key.public_key()),
    }


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    signer: str | None = None
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _signature(bundle: dict[str, Any], trusted: str | None, result: Verification) -> None:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(bundle["public_key"]))
        signature = base64.b64decode(bundle["signature"])
    except (KeyError, ValueError, binascii.Error, TypeError):
        result.problems.append("the bundle's public key or signature is missing or malformed")
        return
    result.signer = fingerprint(public)
    if trusted and trusted != result.signer:
        result.problems.append(f"signed by {result.signer}, not by the trusted key {trusted}")
    try:
        public.verify(signature, canonical_json(bundle.get("content")).encode())
    except InvalidSignature:
        result.problems.append("the signature does not match the content: it was altered")


def _events(content: dict[str, Any], result: Verification) -> None:
    events = content.get("events")
    if not isinstance(events, list):
        result.problems.append("the bundle has no event list")
        return
    result.events = len(events)
    previous: dict[str, Any] | None = None
    for position, event in enumerate(events):
        if not isinstance(event, dict) or any(f not in event for f in (*_EVENT_FIELDS, "hash")):
            result.problems.append(f"event {position + 1}: fields are missing")
            continue
        label = f"event seq {event['seq']} ({event['action']})"
        fields = {name: event[name] for name in _EVENT_FIELDS}
        if event_digest(str(event.get("prev_hash", "")), fields) != event["hash"]:
            result.problems.append(f"{label}: its fields do not match its hash (edited)")
        reference = content.get("case", {}).get("reference")
        if event["subject_type"] != "case":
            result.problems.append(f"{label}: not an event of a case")
        if previous is not None:
            if event["seq"] <= previous["seq"]:
                result.problems.append(f"{label}: out of order")
            elif event["seq"] == previous["seq"] + 1 and event["prev_hash"] != previous["hash"]:
                result.problems.append(f"{label}: does not chain to the event before it")
        if event["subject_id"] != (previous or event)["subject_id"]:
            result.problems.append(f"{label}: belongs to another case than {reference}")
        previous = event


def verify_bundle(bundle: dict[str, Any], trusted: str | None = None) -> Verification:
    """Every way the bundle fails to prove what it says; none means it holds."""
    result = Verification()
    if not isinstance(bundle, dict) or bundle.get("content", {}).get("format") != FORMAT:
        result.problems.append(f"not a {FORMAT} bundle")
        return result
    _signature(bundle, trusted, result)
    _events(bundle["content"], result)
    return result
