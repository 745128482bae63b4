"""Reading a bank out: its entries (with their groups) for export, its change log for
partners, and group labels for showing matches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.banks.models import Bank, BankChange, BankEntry, EntryGroup


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """An entry as exported: plain values, detached from any session."""

    id: int
    signal_type: str
    value: str
    quality: int | None
    status: str
    source_kind: str
    source_ref: str | None
    extra: dict[str, Any]
    group_id: int | None = None
    label: str | None = None
    at_ms: int | None = None  # a video frame's time


def iter_entries(*, session: Session, bank: Bank, batch: int = 10_000) -> Iterator[EntryRecord]:
    """Every entry of the bank in id order, read in batches (banks can hold millions)."""
    columns = (
        BankEntry.id,
        BankEntry.signal_type,
        BankEntry.value,
        BankEntry.quality,
        BankEntry.status,
        BankEntry.source_kind,
        BankEntry.source_ref,
        BankEntry.extra,
        BankEntry.group_id,
        EntryGroup.label,
        BankEntry.at_ms,
    )
    last = 0
    while True:
        rows = session.execute(
            select(*columns)
            .outerjoin(EntryGroup, EntryGroup.id == BankEntry.group_id)
            .where(BankEntry.bank_id == bank.id, BankEntry.id > last)
            .order_by(BankEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from (EntryRecord(*row) for row in rows)
        last = rows[-1][0]


def video_groups(*, session: Session, bank: Bank) -> set[int]:
    """The bank's entry groups that are videos (hold frames)."""
    found = session.scalars(
        select(BankEntry.group_id)
        .where(BankEntry.bank_id == bank.id, BankEntry.at_ms.is_not(None))
        .distinct()
    )
    return {group for group in found if group is not None}


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One change to a bank's entries, with the entry's status now."""

    seq: int
    action: str
    at: datetime
    entry_id: int | None
    signal_type: str | None
    value: str | None
    status: str | None


def changes_since(
    *, session: Session, bank: Bank, since: int, limit: int = 1000
) -> list[ChangeRecord]:
    """The bank's changes after `since`, oldest first, at most `limit` of them."""
    rows = session.execute(
        select(
            BankChange.seq,
            BankChange.action,
            BankChange.at,
            BankChange.entry_id,
            BankEntry.signal_type,
            BankEntry.value,
            BankEntry.status,
        )
        .outerjoin(BankEntry, BankEntry.id == BankChange.entry_id)
        .where(BankChange.bank_id == bank.id, BankChange.seq > since)
        .order_by(BankChange.seq)
        .limit(limit)
    ).all()
    return [ChangeRecord(*row) for row in rows]


def labels_of(*, session: Session, group_ids: set[int]) -> dict[int, str]:
    """The label of each of these entry groups (for showing matches)."""
    if not group_ids:
        return {}
    rows = session.execute(
        select(EntryGroup.id, EntryGroup.label).where(EntryGroup.id.in_(group_ids))
    )
    return {group_id: label for group_id, label in rows}
