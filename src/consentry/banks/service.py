"""Operations on banks and entries. Keyword-only; the caller owns the transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from consentry.audit.service import record
from consentry.banks.errors import (
    BankExists,
    BankNotFound,
    EntryNotFound,
    InvalidBankSetting,
    StatusConflict,
)
from consentry.banks.models import (
    DEFAULT_PDQ_THRESHOLD,
    Bank,
    BankChange,
    BankEntry,
    ChangeAction,
    EntryGroup,
    EntryStatus,
    SourceKind,
)
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.signals.registry import kind_of, normalise_value

# Any PDQ threshold above this is no longer "the same image" (Meta's guidance is 31).
MAX_PDQ_THRESHOLD = 64
_CHANGE_LOG_LOCK = 0x636F6E73  # "cons": one PostgreSQL advisory lock for the change log


# Bank names travel in URLs, file names, reports and charts: plain slugs only (F16, S1).
BANK_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def _validate_thresholds(pdq_threshold: int, auto_max_distance: int) -> None:
    if not 0 <= pdq_threshold <= MAX_PDQ_THRESHOLD:
        raise InvalidBankSetting(f"the PDQ threshold must be 0-{MAX_PDQ_THRESHOLD}")
    if not -1 <= auto_max_distance <= pdq_threshold:
        raise InvalidBankSetting(
            "auto_max_distance must be -1 (never automatic) up to the bank's threshold"
        )


def lock_banks(*, session: Session) -> None:
    """Serialise bank writers until this transaction ends.

    On PostgreSQL two transactions can take change-log numbers in one order and
    commit in the other, and a follower that already read the later one would
    never see the earlier; two importers could also race to add one value.
    Holding one lock from before the first read to commit rules out both.
    SQLite writers are serialised already (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHANGE_LOG_LOCK})


def log_change(
    *, session: Session, bank_id: int, action: ChangeAction, entry_id: int | None = None
) -> None:
    """Append to the change log, in commit order (see `lock_banks`)."""
    lock_banks(session=session)
    session.add(BankChange(bank_id=bank_id, entry_id=entry_id, action=action))
    session.flush()


def create_bank(
    *,
    session: Session,
    name: str,
    description: str = "",
    pdq_threshold: int = DEFAULT_PDQ_THRESHOLD,
    auto_max_distance: int = 0,
    actor: Actor,
) -> Bank:
    name = name.strip()
    if not BANK_NAME.fullmatch(name):
        raise InvalidBankSetting(
            "a bank name is a slug: 1-100 lower-case letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    _validate_thresholds(pdq_threshold, auto_max_distance)
    if session.scalar(select(Bank.id).where(Bank.name == name)) is not None:
        raise BankExists(name)
    bank = Bank(
        name=name,
        description=description,
        pdq_threshold=pdq_threshold,
        auto_max_distance=auto_max_distance,
    )
    session.add(bank)
    session.flush()
    log_change(session=session, bank_id=bank.id, action=ChangeAction.BANK_CREATED)
    record(
        session=session,
        actor=actor,
        action="bank.created",
        subject_type="bank",
        subject_id=bank.id,
        details={"pdq_threshold": pdq_threshold, "auto_max_distance": auto_max_distance},
    )
    return bank


def update_bank(
    *,
    session: Session,
    bank: Bank,
    pdq_threshold: int | None = None,
    auto_max_distance: int | None = None,
    enabled: bool | None = None,
    windows_auto: bool | None = None,
    video_shares: tuple[int, int] | None = None,
    actor: Actor,
) -> Bank:
    threshold = bank.pdq_threshold if pdq_threshold is None else pdq_threshold
    auto = bank.auto_max_distance if auto_max_distance is None else auto_max_distance
    _validate_thresholds(threshold, auto)
    bank.pdq_threshold, bank.auto_max_distance = threshold, auto
    if enabled is not None:
        bank.enabled = enabled
    if windows_auto is not None:
        bank.windows_auto = windows_auto
    if video_shares is not None:
        if not all(1 <= share <= 100 for share in video_shares):
            raise InvalidBankSetting("a video share is a percentage, 1-100")
        bank.video_query_share, bank.video_bank_share = video_shares
    log_change(session=session, bank_id=bank.id, action=ChangeAction.BANK_UPDATED)
    record(
        session=session,
        actor=actor,
        action="bank.updated",
        subject_type="bank",
        subject_id=bank.id,
        details={
            "pdq_threshold": threshold,
            "auto_max_distance": auto,
            "enabled": bank.enabled,
            "windows_auto": bank.windows_auto,
            "video_query_share": bank.video_query_share,
            "video_bank_share": bank.video_bank_share,
        },
    )
    return bank


def get_bank(*, session: Session, name: str) -> Bank:
    bank = session.scalar(select(Bank).where(Bank.name == name))
    if bank is None:
        raise BankNotFound(name)
    return bank


def list_banks(*, session: Session) -> Sequence[Bank]:
    return session.scalars(select(Bank).order_by(Bank.name)).all()


def count_entries(*, session: Session, bank: Bank) -> dict[str, int]:
    rows = session.execute(
        select(BankEntry.status, func.count())
        .where(BankEntry.bank_id == bank.id)
        .group_by(BankEntry.status)
    ).all()
    return {status.value: 0 for status in EntryStatus} | {s: int(n) for s, n in rows}


def find_entry(*, session: Session, bank: Bank, signal_type: str, value: str) -> BankEntry | None:
    return session.scalar(
        select(BankEntry).where(
            BankEntry.bank_id == bank.id,
            BankEntry.signal_type == signal_type,
            BankEntry.value == normalise_value(signal_type, value),
        )
    )


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A value to add, as read from an import, a case or an exchange."""

    signal_type: str  # a signal kind's name
    value: str
    status: EntryStatus = EntryStatus.PENDING
    quality: int | None = None
    source_kind: SourceKind = SourceKind.IMPORT
    source_ref: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Values sharing a group key (within one add) come from one image: one entry group,
    # labelled `label` (the key when none).
    group: str | None = None
    label: str | None = None
    at_ms: int | None = None  # a video frame's time


def entry_values(
    bank: Bank, new: NewEntry, value: str, group_id: int | None = None
) -> dict[str, Any]:
    """A new entry's attributes, checked: one row of a bulk insert, or an entry's."""
    if new.quality is not None and not 0 <= new.quality <= 100:
        raise InvalidBankSetting("quality is 0-100")
    if kind_of(new.signal_type).timed and (new.at_ms is None or group_id is None):
        # A frame outside a video could never match: refuse it rather than keep it idle.
        raise InvalidBankSetting(
            f"a {new.signal_type} value is a video frame: add the video"
            " (consentry bank add, a .jsonl or .txt import), not its frames one by one"
        )
    now = utcnow()
    return {
        "bank_id": bank.id,
        "signal_type": new.signal_type,
        "value": value,
        "quality": new.quality,
        "status": new.status,
        "source_kind": new.source_kind,
        "source_ref": new.source_ref,
        "extra": new.extra,
        "group_id": group_id,
        "at_ms": new.at_ms,
        "confirmed_at": now if new.status is EntryStatus.CONFIRMED else None,
        "created_at": now,
        "updated_at": now,
    }


def new_group(
    *, session: Session, bank: Bank, label: str, source_kind: SourceKind, source_ref: str | None
) -> EntryGroup:
    """An empty entry group: the values of one image are added to it."""
    group = EntryGroup(
        bank_id=bank.id, label=label[:200], source_kind=source_kind, source_ref=source_ref
    )
    session.add(group)
    session.flush()
    return group


def add_entry(
    *, session: Session, bank: Bank, new: NewEntry, group_id: int | None = None
) -> tuple[BankEntry, bool]:
    """Add a value, or return the entry that holds it already, unchanged.

    An existing entry is never revived or upgraded here, whatever `new.status`
    says: a withdrawn or revoked value stays so, and only `confirm_entry`
    confirms. Returns the entry and whether it was added.
    """
    lock_banks(session=session)
    value = normalise_value(new.signal_type, new.value)
    existing = find_entry(session=session, bank=bank, signal_type=new.signal_type, value=value)
    if existing is not None:
        return existing, False
    entry = BankEntry(**entry_values(bank, new, value, group_id))
    session.add(entry)
    session.flush()
    log_change(session=session, bank_id=bank.id, entry_id=entry.id, action=ChangeAction.ADDED)
    return entry, True


_TRANSITIONS: dict[ChangeAction, tuple[EntryStatus, frozenset[EntryStatus]]] = {
    ChangeAction.CONFIRMED: (EntryStatus.CONFIRMED, frozenset({EntryStatus.PENDING})),
    ChangeAction.WITHDRAWN: (
        EntryStatus.WITHDRAWN,
        frozenset({EntryStatus.PENDING, EntryStatus.CONFIRMED}),
    ),
    ChangeAction.REVOKED: (
        EntryStatus.REVOKED,
        frozenset({EntryStatus.PENDING, EntryStatus.CONFIRMED}),
    ),
    # Never through an import or the bank API: only `cases.decisions` calls it, when a
    # reviewer confirms a request that holds a withdrawn hash.
    ChangeAction.REINSTATED: (EntryStatus.CONFIRMED, frozenset({EntryStatus.WITHDRAWN})),
}


def change_status(
    *,
    session: Session,
    bank: Bank,
    signal_type: str,
    value: str,
    action: ChangeAction,
    actor: Actor,
    whole_group: bool = False,
) -> tuple[BankEntry, bool]:
    """Confirm, withdraw or revoke an entry; repeating a change is a no-op.

    With `whole_group`, every value of the entry's image (its entry group) changes with
    it: for the bank's operator acting on an image. The case workflow changes only the
    values its case holds, one by one, because another person's case may hold the rest.

    Returns the entry and whether its status changed.
    """
    target, allowed_from = _TRANSITIONS[action]
    lock_banks(session=session)
    entry = find_entry(session=session, bank=bank, signal_type=signal_type, value=value)
    if entry is None:
        raise EntryNotFound(bank.name, signal_type)
    current = EntryStatus(entry.status)
    if current is target:
        return entry, False
    if current not in allowed_from:
        raise StatusConflict(
            f"the entry is {current.value}, which is final: it cannot become {target.value}"
        )
    # An image's values change together: a withdrawn photo leaves no window behind.
    members = [entry]
    if whole_group and entry.group_id is not None:
        members = list(
            session.scalars(
                select(BankEntry)
                .where(BankEntry.group_id == entry.group_id, BankEntry.status.in_(allowed_from))
                .order_by(BankEntry.id)
            )
        )
    for member in members:
        member.status = target
        if target is EntryStatus.CONFIRMED and member.confirmed_at is None:
            member.confirmed_at = utcnow()
        log_change(session=session, bank_id=bank.id, entry_id=member.id, action=action)
    record(
        session=session,
        actor=actor,
        action=f"bank.entry.{action.value}",
        subject_type="bank_entry",
        subject_id=entry.id,
        details={"bank_id": bank.id, "from": current.value, "to": target.value}
        | ({"group_id": entry.group_id, "entries": len(members)} if len(members) > 1 else {}),
    )
    return entry, True
