"""The hub feed: what a partner platform reads of the banks published to it.

A page is the bank change log after the partner's checkpoint, each changed value with
its *current* status: a withdrawal is a record like any other, so it reaches every
partner by the same path as the value did. A partner sees only its own banks; a value
it was never sent (pending, with pending values not shared) is not sent when it is
withdrawn either. Group ids travel, never labels (a file name can name a person).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.banks.models import BankChange, BankEntry, EntryStatus
from consentry.exchanges.models import Partner, PartnerBank

FEED_FORMAT = "consentry-feed/1"
DEFAULT_PAGE = 1_000
MAX_PAGE = 10_000


def partner_bank_ids(*, session: Session, partner: Partner) -> list[int]:
    return list(
        session.scalars(
            select(PartnerBank.bank_id)
            .where(PartnerBank.partner_id == partner.id)
            .order_by(PartnerBank.bank_id)
        )
    )


def _record(entry: BankEntry, seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "signal_type": entry.signal_type,
        "value": entry.value,
        "status": EntryStatus(entry.status).value,
        "quality": entry.quality,
        "group": None if entry.group_id is None else str(entry.group_id),
        "at_ms": entry.at_ms,
        "updated_at": entry.updated_at.astimezone(UTC).isoformat(),
    }


def feed_page(*, session: Session, partner: Partner, after: int, limit: int) -> dict[str, Any]:
    """The page of changes after `after` (a change log sequence number)."""
    banks = partner_bank_ids(session=session, partner=partner)
    changes = session.execute(
        select(BankChange.seq, BankChange.entry_id)
        .where(
            BankChange.bank_id.in_(banks),
            BankChange.entry_id.is_not(None),
            BankChange.seq > after,
        )
        .order_by(BankChange.seq)
        .limit(limit)
    ).all()
    last_seq = {int(entry_id or 0): int(seq) for seq, entry_id in changes}
    entries = {
        entry.id: entry
        for start in range(0, len(last_seq), 5_000)
        for entry in session.scalars(
            select(BankEntry).where(BankEntry.id.in_(list(last_seq)[start : start + 5_000]))
        )
    }
    records = []
    for entry_id, seq in sorted(last_seq.items(), key=lambda item: item[1]):
        entry = entries[entry_id]
        status = EntryStatus(entry.status)
        if status is EntryStatus.PENDING and not partner.share_pending:
            continue
        if not status.matchable and entry.confirmed_at is None and not partner.share_pending:
            continue  # never sent: its withdrawal is nobody's business there
        records.append(_record(entry, seq))
    return {
        "format": FEED_FORMAT,
        "partner": partner.name,
        "after": after,
        "next": int(changes[-1][0]) if changes else after,
        "more": len(changes) == limit,
        "issued_at": datetime.now(UTC).isoformat(),
        "records": records,
    }
