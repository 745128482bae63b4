"""Preserve, then remove (AC-03, AU-03).

A preservation record is written in the same transaction that asks the platform to
remove an item, so no removal request exists without one. Keeping the item's bytes is
off by default (`CONSENTRY_EVIDENCE_COPIES`); when on, the platform may supply them
once, they are encrypted with a key kept outside the database, and only a lead can read
them back, each access logged with whether the digest still matched."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.actions.models import ActionRequest
from consentry.banks.models import BankEntry
from consentry.cases.errors import CaseConflict, NotFound, NotPermitted
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, CaseHash, Item, Preservation, PreservedCopy
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.keyfiles import write_private


def preserve(
    *,
    session: Session,
    case: Case,
    item: Item,
    action: ActionRequest,
    actor: Actor,
    settings: Settings,
) -> Preservation:
    now = utcnow()
    hold = now + timedelta(days=settings.preservation_days)
    if case.preserve_until is not None:
        hold = max(hold, case.preserve_until)  # a minor's case: the year the law asks
    record = {
        "content_id": item.content_id,
        "url": item.url,
        "hashes": [
            {"signal_type": signal_type, "value": value}
            for signal_type, value in session.execute(
                select(BankEntry.signal_type, BankEntry.value)
                .join(CaseHash, CaseHash.entry_id == BankEntry.id)
                .where(CaseHash.case_id == case.id)
                .order_by(BankEntry.id)
            )
        ],
    }
    preservation = Preservation(
        case_id=case.id,
        item_id=item.id,
        action_id=action.id,
        created_at=now,
        created_by=str(actor),
        reason="removal requested",
        hold_until=hold,
        record=record,
    )
    session.add(preservation)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.PRESERVED,
        actor=actor,
        details={
            "preservation_id": preservation.id,
            "item_id": item.id,
            "hold_until": hold.isoformat(),
        },
    )
    return preservation


def _key(settings: Settings) -> bytes:
    path = settings.evidence_copy_key_path()
    if path.exists():
        return path.read_bytes()
    key = AESGCM.generate_key(bit_length=256)
    write_private(path, key)
    return key


def _associated(preservation_id: int) -> bytes:
    # Binds a ciphertext to its record: swapping two copies' rows fails to decrypt.
    return f"consentry-preserved-copy:{preservation_id}".encode()


def store_copy(
    *,
    session: Session,
    action_id: int,
    data: bytes,
    media_type: str,
    actor: Actor,
    settings: Settings,
) -> PreservedCopy:
    if not settings.evidence_copies:
        raise NotPermitted("keeping copies of content is off (CONSENTRY_EVIDENCE_COPIES)")
    preservation = session.query(Preservation).filter_by(action_id=action_id).one_or_none()
    if preservation is None:
        raise NotFound(f"no preservation record for action {action_id}")
    if session.get(PreservedCopy, preservation.id) is not None:
        raise CaseConflict("a copy was stored already; it is never replaced")
    nonce = secrets.token_bytes(12)
    copy = PreservedCopy(
        preservation_id=preservation.id,
        stored_at=utcnow(),
        stored_by=str(actor),
        media_type=media_type[:100],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        nonce=nonce,
        ciphertext=AESGCM(_key(settings)).encrypt(nonce, data, _associated(preservation.id)),
    )
    session.add(copy)
    session.flush()
    append(
        session=session,
        case=session.get_one(Case, preservation.case_id),
        kind=EventKind.EVIDENCE_STORED,
        actor=actor,
        details={"preservation_id": preservation.id, "sha256": copy.sha256, "size": copy.size},
    )
    return copy


@dataclass(frozen=True, slots=True)
class Opened:
    data: bytes
    media_type: str
    sha256: str


def open_copy(
    *, session: Session, preservation_id: int, actor: Actor, purpose: str, settings: Settings
) -> Opened:
    """Decrypt for a lead; the access, its purpose and the digest check are logged first."""
    copy = session.get(PreservedCopy, preservation_id)
    if copy is None or copy.ciphertext is None:
        raise NotFound(f"no stored copy for preservation {preservation_id}")
    try:
        data = AESGCM(_key(settings)).decrypt(
            copy.nonce, copy.ciphertext, _associated(preservation_id)
        )
    except InvalidTag:
        raise CaseConflict(
            "the stored copy cannot be decrypted: it or its key was altered"
        ) from None
    verified = hashlib.sha256(data).hexdigest() == copy.sha256
    preservation = session.get_one(Preservation, preservation_id)
    append(
        session=session,
        case=session.get_one(Case, preservation.case_id),
        kind=EventKind.EVIDENCE_ACCESSED,
        actor=actor,
        details={
            "preservation_id": preservation_id,
            "purpose": purpose[:200],
            "digest_verified": verified,
        },
    )
    if not verified:
        raise CaseConflict("the stored copy no longer matches its digest")
    return Opened(data, copy.media_type, copy.sha256)
