"""The purge job: each class of personal data is deleted once its retention period has
passed since the case closed, unless a legal hold covers the case.

Classes and their settings (days, counted from the case's last event once it is closed:
declined, withdrawn, or confirmed with every item resolved and no appeal pending):

- `contact`: the requester's contact details, signature name and representative
  (`CONSENTRY_RETENTION_CONTACT_DAYS`).
- `free_text`: explanations, location descriptions, appeal explanations and internal
  comments (`CONSENTRY_RETENTION_FREE_TEXT_DAYS`).
- `copies`: preserved copies of content, counted from the end of their hold
  (`CONSENTRY_RETENTION_COPIES_DAYS`).
- `content`: content index hashes registered more than `CONSENTRY_RETENTION_CONTENT_DAYS`
  ago (unset by default: kept until the platform removes its content).
- `hashes`: the hashes of declined and withdrawn cases, revoked first so that they stop
  matching, then overwritten with random values of the same form
  (`CONSENTRY_RETENTION_CLOSED_HASHES_DAYS`). Confirmed hashes stay: the operator has a
  duty to keep blocking re-uploads.

The audit log holds no personal data, so it is never touched and still verifies; each
purge leaves a tombstone and a `case.purged` event naming the class, never the content.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.audit.models import AuditEvent
from consentry.audit.service import canonical_json
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.cases.decisions import case_entries, change_entries
from consentry.cases.events import EventKind, append
from consentry.cases.holders import held_elsewhere
from consentry.cases.models import (
    Case,
    CasePersonal,
    CaseStatus,
    Item,
    ItemStatus,
    Preservation,
    PreservedCopy,
)
from consentry.config import Settings
from consentry.content.service import expire
from consentry.core.actor import RETENTION
from consentry.retention.models import Tombstone
from consentry.review.models import Comment

CONTACT_KEYS = ("contact", "signature", "representative")
FREE_TEXT_KEYS = ("explanation", "appeal_explanation")


def _tombstone(
    session: Session,
    data_class: str,
    subject: tuple[str, int],
    case: Case,
    removed: Any,
    now: datetime,
) -> None:
    stone = Tombstone(
        data_class=data_class,
        subject_type=subject[0],
        subject_id=str(subject[1]),
        case_id=case.id,
        purged_at=now,
        fingerprint=hashlib.sha256(canonical_json(removed).encode()).hexdigest(),
    )
    session.add(stone)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.PURGED,
        actor=RETENTION,
        details={"data_class": data_class, "tombstone_id": stone.id},
    )


def _closed_since(session: Session, case: Case) -> datetime | None:
    """When the case closed (its last event), or None while it is still open."""
    status = CaseStatus(case.status)
    if status in (CaseStatus.INCOMPLETE, CaseStatus.OPEN) or case.appeal_pending:
        return None
    if status is CaseStatus.CONFIRMED:
        open_items = session.scalar(
            select(func.count())
            .select_from(Item)
            .where(
                Item.case_id == case.id,
                Item.status.not_in([s.value for s in ItemStatus if s.resolved]),
            )
        )
        if open_items:
            return None
    last: datetime | None = session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.subject_type == "case",
            AuditEvent.subject_id == str(case.id),
            AuditEvent.action != f"case.{EventKind.PURGED.value}",
        )
    )
    return last


def _held(session: Session, case: Case, now: datetime) -> bool:
    if case.preserve_until is not None and case.preserve_until > now:
        return True
    hold = session.scalar(
        select(func.max(Preservation.hold_until)).where(Preservation.case_id == case.id)
    )
    return hold is not None and hold > now


def _strip(
    session: Session, case: Case, data_class: str, keys: tuple[str, ...], now: datetime
) -> int:
    purged = 0
    for row in session.scalars(select(CasePersonal).where(CasePersonal.case_id == case.id)):
        data = dict(row.data)
        removed = {key: data.pop(key) for key in keys if data.get(key)}
        if data_class == "free_text":
            locations = [dict(loc) for loc in data.get("locations") or []]
            descriptions = [loc.pop("description") for loc in locations if loc.get("description")]
            if descriptions:
                removed["descriptions"], data["locations"] = descriptions, locations
        if removed:
            row.data = data
            if not any(data.get(k) for k in (*CONTACT_KEYS, *FREE_TEXT_KEYS, "locations")):
                row.purged_at = now
            _tombstone(session, data_class, ("case_personal", row.id), case, removed, now)
            purged += 1
    if data_class == "free_text":
        for comment in session.scalars(
            select(Comment).where(Comment.case_id == case.id, Comment.text != "")
        ):
            _tombstone(session, data_class, ("review_comment", comment.id), case, comment.text, now)
            comment.text = ""
            purged += 1
    return purged


def _hashes(session: Session, case: Case, now: datetime) -> int:
    if case.status not in (CaseStatus.DECLINED, CaseStatus.WITHDRAWN):
        return 0
    change_entries(
        session=session,
        case=case,
        action=ChangeAction.REVOKED,
        actor=RETENTION,
        only=EntryStatus.PENDING,
    )
    purged = 0
    for entry, _ in case_entries(session=session, case_id=case.id):
        if EntryStatus(entry.status).matchable or entry.extra.get("purged"):
            continue
        if held_elsewhere(session=session, entry_id=entry.id, case_id=case.id):
            continue  # another person's live request still needs the value
        _tombstone(session, "hashes", ("bank_entry", entry.id), case, entry.value, now)
        # Random, of the same form: formats stay valid, and nothing links it to the image.
        entry.value = secrets.token_hex(len(entry.value) // 2)
        entry.extra = {**entry.extra, "purged": True}
        purged += 1
    for preservation in session.scalars(
        select(Preservation).where(Preservation.case_id == case.id)
    ):
        if preservation.record.get("hashes"):
            preservation.record = {**preservation.record, "hashes": []}
    return purged


def _copies(session: Session, case: Case, now: datetime, settings: Settings) -> int:
    purged = 0
    for copy, preservation in session.execute(
        select(PreservedCopy, Preservation)
        .join(Preservation, Preservation.id == PreservedCopy.preservation_id)
        .where(Preservation.case_id == case.id, PreservedCopy.ciphertext.is_not(None))
    ):
        if preservation.hold_until + timedelta(days=settings.retention_copies_days) <= now:
            _tombstone(
                session, "copies", ("preserved_copy", copy.preservation_id), case, copy.sha256, now
            )
            copy.ciphertext = None
            purged += 1
    return purged


def purge_due(*, session: Session, settings: Settings, now: datetime) -> Counter[str]:
    """Purge everything whose time has come; returns how many records per class."""
    done: Counter[str] = Counter()
    for case in session.scalars(select(Case).where(Case.status != CaseStatus.OPEN)):
        closed = _closed_since(session, case)
        if closed is None or _held(session, case, now):
            continue
        age = now - closed
        if age >= timedelta(days=settings.retention_contact_days):
            done["contact"] += _strip(session, case, "contact", CONTACT_KEYS, now)
        if age >= timedelta(days=settings.retention_free_text_days):
            done["free_text"] += _strip(session, case, "free_text", FREE_TEXT_KEYS, now)
        if age >= timedelta(days=settings.retention_closed_hashes_days):
            done["hashes"] += _hashes(session, case, now)
        done["copies"] += _copies(session, case, now, settings)
    if settings.retention_content_days is not None:
        before = now - timedelta(days=settings.retention_content_days)
        done["content"] += expire(session=session, before=before)
    return +done
