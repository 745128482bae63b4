"""Signed checkpoints of the audit chain (F10).

The chain alone proves an edit in the middle of the log, not a deletion of its last
events, nor an edit followed by recomputing every later hash (SHA-256 needs no key).
A checkpoint is the chain's position and head hash at a moment, signed with the
deployment's Ed25519 key. Written periodically and at each evidence export, and
published (`consentry audit checkpoint`, the transparency report), it pins the log:
a truncated tail, or a recomputed chain, no longer matches the head it signed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.audit.models import AuditCheckpoint, AuditEvent
from consentry.audit.service import Break, canonical_json
from consentry.db.base import utcnow

FORMAT = "consentry-audit-checkpoint/1"


def _signed_part(seq: int, head: str, at: datetime) -> bytes:
    return canonical_json(
        {"format": FORMAT, "seq": seq, "head": head, "at": at.isoformat()}
    ).encode()


def write_checkpoint(*, session: Session, key: Ed25519PrivateKey) -> AuditCheckpoint | None:
    """Sign the chain's head now (None while the log is empty). A head already signed
    is not signed again."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if last is None:
        return None
    latest = latest_checkpoint(session=session)
    if latest is not None and latest.seq == last.seq:
        return latest
    at = utcnow()
    checkpoint = AuditCheckpoint(
        seq=last.seq,
        head=last.hash,
        at=at,
        signature=key.sign(_signed_part(last.seq, last.hash, at)).hex(),
        public_key=base64.b64encode(key.public_key().public_bytes_raw()).decode(),
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def latest_checkpoint(*, session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))


def document(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as published: everything needed to check it offline."""
    return {
        "format": FORMAT,
        "seq": checkpoint.seq,
        "head": checkpoint.head,
        "at": checkpoint.at.isoformat(),
        "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
    }


def _signature_holds(doc: dict[str, Any], trusted: Ed25519PublicKey | None) -> str | None:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["public_key"]))
        if trusted is not None and key.public_bytes_raw() != trusted.public_bytes_raw():
            return "it is signed by another key than the deployment's"
        at = datetime.fromisoformat(doc["at"])
        key.verify(bytes.fromhex(doc["signature"]), _signed_part(int(doc["seq"]), doc["head"], at))
    except (KeyError, ValueError, TypeError, InvalidSignature):
        return "its signature does not hold (altered, or not a checkpoint)"
    return None


def check(
    *, session: Session, doc: dict[str, Any], trusted: Ed25519PublicKey | None = None
) -> Iterator[Break]:
    """Whether the log still holds what the checkpoint signed."""
    seq = int(doc.get("seq", 0)) if str(doc.get("seq", "")).isdigit() else 0
    problem = _signature_holds(doc, trusted)
    if problem is not None:
        yield Break(seq, f"checkpoint: {problem}")
        return
    event = session.get(AuditEvent, seq)
    if event is None:
        last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        yield Break(
            seq,
            f"the log ends at event {last or 0}, before the checkpoint's event {seq}:"
            " events were deleted from its end",
        )
    elif event.hash != doc["head"]:
        yield Break(
            seq,
            "the checkpoint signed another head hash here: the log was rewritten and its"
            " chain recomputed",
        )


def check_stored(*, session: Session, trusted: Ed25519PublicKey | None = None) -> Iterator[Break]:
    """Every checkpoint the database holds, against the log."""
    for checkpoint in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)):
        yield from check(session=session, doc=document(checkpoint), trusted=trusted)
