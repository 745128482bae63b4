"""Filing notices and adding information (IN-30 to IN-32).

A notice is committed before it is answered; an incomplete one is kept and answered
with what is missing, and gets `valid_at` once completed. Every notice opens a case of
its own: a notice naming content another case holds never joins that case, because
whoever posted the image knows its URL and can hash it (it would hand them the
victim's case). Staff see such cases side by side (`cases.related`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from consentry.banks.errors import BankNotFound
from consentry.banks.models import Bank, EntryStatus, SourceKind
from consentry.banks.service import NewEntry, add_entry, create_bank, get_bank, new_group
from consentry.cases.access import hash_pin, new_pin, new_reference
from consentry.cases.clocks import (
    ClockSettings,
    deadlines_of,
    start,
    start_case_clocks,
    stop_regime,
)
from consentry.cases.copies import locate_item
from consentry.cases.errors import CaseConflict, IdempotencyKeyReused
from consentry.cases.events import EventKind, append
from consentry.cases.models import (
    Case,
    CaseHash,
    CasePersonal,
    CaseStatus,
    CyberTiplineReport,
    Item,
    ItemStatus,
    Notice,
    Queue,
    Regime,
)
from consentry.cases.notify import notify
from consentry.cases.schemas import MissingField, NoticeIn, NoticeUpdate
from consentry.cases.validation import SET_ASIDE, missing_elements, usable, warnings_for
from consentry.config import Settings
from consentry.core.actor import SYSTEM, Actor
from consentry.db.base import utcnow

PERSONAL_FIELDS = {
    "signature",
    "contact",
    "representative",
    "explanation",
    "locations",
    "authority",
}
ANSWER_FIELDS = set(NoticeIn.model_fields) - PERSONAL_FIELDS - {"hashes"}
PRESERVATION = timedelta(days=365)  # REPORT Act: one year at least


@dataclass
class Filed:
    case: Case
    notice: Notice
    pin: str
    replay: bool = False
    missing: list[MissingField] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def case_bank(*, session: Session, settings: Settings) -> Bank:
    try:
        return get_bank(session=session, name=settings.case_bank)
    except BankNotFound:
        return create_bank(
            session=session,
            name=settings.case_bank,
            description="Hashes submitted with removal requests (consentry cases)",
            actor=SYSTEM,
        )


def _locate(
    session: Session, case: Case, notice: NoticeIn, settings: Settings, now: datetime, actor: Actor
) -> None:
    clocks = ClockSettings.of(settings)
    for location in notice.locations:
        url = str(location.url) if location.url else None
        if location.content_id is None and url is None:
            continue  # a description only: staff locate it
        same = [Item.content_id == location.content_id] if location.content_id else []
        same += [Item.url == url] if url else []
        known = session.scalar(select(Item.id).where(Item.case_id == case.id, or_(*same)))
        if known is not None:
            continue
        locate_item(
            session=session,
            case=case,
            item=Item(
                content_id=location.content_id,
                url=url,
                found_by="notice",
                status=ItemStatus.LOCATED,
                located_at=now,
            ),
            clocks=clocks,
            actor=actor,
            details={},
        )


def _add_hashes(
    session: Session, case: Case, notice: NoticeIn, settings: Settings, actor: Actor
) -> None:
    bank = case_bank(session=session, settings=settings)
    groups: dict[int, int] = {}
    videos = {h.photo for h in notice.hashes if h.t is not None}
    for submitted in notice.hashes:
        if not usable(submitted):
            continue
        if submitted.photo is not None and submitted.photo not in groups:
            # The label is seen by platforms that scan: nothing that names the case.
            what = "video" if submitted.photo in videos else "photo"
            groups[submitted.photo] = new_group(
                session=session,
                bank=bank,
                label=f"reported {what} {len(groups) + 1}",
                source_kind=SourceKind.CASE,
                source_ref=f"case:{case.id}",
            ).id
        entry, _ = add_entry(
            session=session,
            bank=bank,
            group_id=None if submitted.photo is None else groups[submitted.photo],
            new=NewEntry(
                signal_type=submitted.signal_type,
                value=submitted.value,
                status=EntryStatus.PENDING,
                quality=submitted.quality,
                source_kind=SourceKind.CASE,
                source_ref=f"case:{case.id}",
                at_ms=None if submitted.t is None else round(submitted.t * 1000),
            ),
        )
        if session.get(CaseHash, (entry.id, case.id)) is not None:
            continue
        session.add(CaseHash(entry_id=entry.id, case_id=case.id))
        session.flush()
        append(
            session=session,
            case=case,
            kind=EventKind.HASH_ADDED,
            actor=actor,
            details={"entry_id": entry.id, "signal_type": submitted.signal_type},
        )


def hash_count(*, session: Session, case_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(CaseHash).where(CaseHash.case_id == case_id)
        )
        or 0
    )


def _restrict_if_minor(session: Session, case: Case, notice: NoticeIn, now: datetime) -> None:
    """AC-06: a possible minor routes the case to the restricted queue, records the
    CyberTipline report owed and preserves the case for a year."""
    if notice.under_18 is None or not notice.under_18.possible_minor:
        return
    case.queue = Queue.RESTRICTED
    case.preserve_until = max(case.preserve_until or now, now + PRESERVATION)
    if session.scalar(select(CyberTiplineReport.id).where(CyberTiplineReport.case_id == case.id)):
        return
    report = CyberTiplineReport(case_id=case.id, preserve_until=now + PRESERVATION)
    session.add(report)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.CYBERTIPLINE_RECORDED,
        actor=SYSTEM,
        details={"report_id": report.id, "preserve_until": report.preserve_until.isoformat()},
    )


def _validate(
    session: Session, case: Case, notice: Notice, settings: Settings, now: datetime, actor: Actor
) -> None:
    notice.valid_at = now
    first = case.valid_at is None
    append(
        session=session,
        case=case,
        kind=EventKind.VALIDATED,
        actor=actor,
        details={"notice_id": notice.id, "valid_at": now.isoformat()},
    )
    if first:
        start_case_clocks(session=session, case=case, at=now, clocks=ClockSettings.of(settings))


def _acknowledge(
    session: Session, case: Case, notice: Notice, missing: list[MissingField], settings: Settings
) -> None:
    """The receipt (IN-19): the API answer itself, and an e-mail where there is an address."""
    now = utcnow()
    windows = [d for d in deadlines_of(session=session, case_id=case.id) if Regime(d.regime).window]
    emailed = notify(
        session=session,
        case=case,
        template="receipt",
        params={
            "valid": not missing,
            "due_at": windows[0].due_at.strftime("%Y-%m-%d %H:%M") if windows else None,
            "missing": [m.message for m in missing],
            "minor": case.queue == Queue.RESTRICTED,
        },
    )
    append(
        session=session,
        case=case,
        kind=EventKind.RECEIPT_SENT,
        actor=SYSTEM,
        details={"notice_id": notice.id, "email": emailed},
    )
    acknowledged = stop_regime(
        session=session, case=case, regime=Regime.SB981_ACK, reason="acknowledged", at=now
    )
    if acknowledged:  # California: a status update is due within 7 days of this
        start(
            session=session,
            case=case,
            regime=Regime.SB981_UPDATE,
            at=now,
            clocks=ClockSettings.of(settings),
        )


def _split(
    notice: NoticeIn, set_aside: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(personal data, answers): the two parts of a notice are stored apart. Hashes too
    weak for the bank stay with the personal data, flagged, for a reviewer to see."""
    personal = notice.model_dump(mode="json", include=PERSONAL_FIELDS)
    weak = list(set_aside or [])
    for submitted in notice.hashes:
        dumped = submitted.model_dump(mode="json")
        if not usable(submitted) and dumped not in weak:
            weak.append(dumped)
    if weak:
        personal[SET_ASIDE] = weak
    answers = notice.model_dump(mode="json", include=ANSWER_FIELDS)
    return personal, answers


def fingerprint(notice: NoticeIn) -> str:
    """What a retry must repeat exactly to count as the same request."""
    canonical = json.dumps(notice.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(session: Session, filed_by: Actor, key: str, digest: str) -> Filed | None:
    notice = session.scalar(
        select(Notice).where(Notice.filed_by == str(filed_by), Notice.idempotency_key == key)
    )
    if notice is None:
        return None
    if notice.request_digest is not None and notice.request_digest != digest:
        raise IdempotencyKeyReused()
    case = session.get_one(Case, notice.case_id)
    # The first answer may never have arrived (a killed process, a lost connection): the
    # filer gets a fresh PIN, and the old one stops working.
    pin = new_pin()
    case.pin_digest = hash_pin(pin)
    append(session=session, case=case, kind=EventKind.PIN_REISSUED, actor=filed_by, details={})
    missing = [MissingField.model_validate(m) for m in notice.missing]
    return Filed(case=case, notice=notice, pin=pin, replay=True, missing=missing)


def file_notice(
    *,
    session: Session,
    notice: NoticeIn,
    filed_by: Actor,
    settings: Settings,
    idempotency_key: str | None = None,
) -> Filed:
    """Store a notice in a case of its own, start clocks if valid, queue the receipt."""
    digest = fingerprint(notice)
    if idempotency_key:
        replayed = _replay(session, filed_by, idempotency_key, digest)
        if replayed is not None:
            return replayed
    now = utcnow()
    pin = new_pin()
    case = Case(
        reference=new_reference(),
        pin_digest=hash_pin(pin),
        status=CaseStatus.INCOMPLETE,
        queue=Queue.STANDARD,
        request_types=sorted({t.value for t in notice.request_types}),
        received_at=now,
        filed_by=str(filed_by),
    )
    session.add(case)
    session.flush()
    missing = missing_elements(notice)
    personal, answers = _split(notice)
    personal_row = CasePersonal(case_id=case.id, data=personal)
    session.add(personal_row)
    session.flush()
    row = Notice(
        case_id=case.id,
        request_type=notice.request_types[0].value,
        received_at=now,
        answers=answers,
        missing=[m.model_dump() for m in missing],
        personal_id=personal_row.id,
        filed_by=str(filed_by),
        idempotency_key=idempotency_key,
        request_digest=digest if idempotency_key else None,
    )
    session.add(row)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.RECEIVED,
        actor=filed_by,
        details={
            "notice_id": row.id,
            "request_types": [t.value for t in notice.request_types],
            "missing": [m.field for m in missing],
        },
    )
    _restrict_if_minor(session, case, notice, now)
    _add_hashes(session, case, notice, settings, filed_by)
    _locate(session, case, notice, settings, now, filed_by)
    if not missing:
        _validate(session, case, row, settings, now, filed_by)
    _acknowledge(session, case, row, missing, settings)
    return Filed(
        case=case,
        notice=row,
        pin=pin,
        missing=missing,
        warnings=warnings_for(notice),
    )


def _combined(stored: NoticeIn, update: NoticeUpdate) -> NoticeIn:
    data = stored.model_dump(mode="json")
    for name in update.model_fields_set - {"pin"}:
        value = getattr(update, name)
        if isinstance(value, list):
            dumped = update.model_dump(mode="json", include={name})[name]
            data[name] = data[name] + [v for v in dumped if v not in data[name]]
        else:
            data[name] = update.model_dump(mode="json", include={name})[name]
    return NoticeIn.model_validate(data)


def add_information(
    *, session: Session, case: Case, update: NoticeUpdate, actor: Actor, settings: Settings
) -> list[MissingField]:
    """Complete or extend the case's latest notice; returns what is still missing."""
    if case.status == CaseStatus.WITHDRAWN:
        raise CaseConflict("the case was withdrawn")
    now = utcnow()
    notice = session.scalars(
        select(Notice).where(Notice.case_id == case.id).order_by(Notice.id.desc()).limit(1)
    ).one()
    personal = session.get_one(CasePersonal, notice.personal_id)
    data = dict(personal.data)
    set_aside = data.pop(SET_ASIDE, [])
    stored = NoticeIn.model_validate({**notice.answers, **data})
    combined = _combined(stored, update)
    personal.data, notice.answers = _split(combined, set_aside)
    case.request_types = sorted({*case.request_types, *(t.value for t in combined.request_types)})
    append(
        session=session,
        case=case,
        kind=EventKind.INFORMATION_ADDED,
        actor=actor,
        details={"notice_id": notice.id, "fields": sorted(update.model_fields_set - {"pin"})},
    )
    _restrict_if_minor(session, case, combined, now)
    _add_hashes(session, case, update, settings, actor)
    missing = missing_elements(combined, known_hashes=hash_count(session=session, case_id=case.id))
    notice.missing = [m.model_dump() for m in missing]
    if not missing and notice.valid_at is None:
        _validate(session, case, notice, settings, now, actor)
    _locate(session, case, update, settings, now, actor)
    return missing
