"""Recording scans, and what a matched scan sets off. Keyword-only; the caller owns the
transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.banks.models import BankEntry, EntryStatus
from consentry.cases.copies import copies_found
from consentry.config import Settings
from consentry.matching.labels import labelled
from consentry.matching.schemas import Match, Tier
from consentry.scans.models import ScanCounter, ScanMatch, ScanRecord
from consentry.scans.schemas import Verdict


def verdict_of(matches: Sequence[Match]) -> Verdict:
    if not matches:
        return Verdict.NO_MATCH
    if any(m.tier is Tier.AUTO for m in matches):
        return Verdict.AUTO_ACTION
    return Verdict.REVIEW


def as_stored(*, session: Session, matches: Sequence[Match]) -> list[Match]:
    """The matches as the database has them now (S2). The matcher follows the change
    log within a second; in that second an entry may have been withdrawn (the match
    goes) or not yet confirmed (automatic action is not due). Verdict and action are
    then decided on the same matches, so a platform is never told `review` while an
    automated removal is requested, nor `auto_action` for a withdrawn hash."""
    statuses = dict(
        session.execute(
            select(BankEntry.id, BankEntry.status).where(
                BankEntry.id.in_([m.entry_id for m in matches])
            )
        ).all()
    )
    current = []
    for match in matches:
        status = statuses.get(match.entry_id)
        if status is None or not EntryStatus(status).matchable:
            continue
        if match.tier is Tier.AUTO and status != EntryStatus.CONFIRMED:
            match = replace(match, tier=Tier.REVIEW)
        current.append(match)
    return current


def record_scan(
    *,
    session: Session,
    api_key_id: int | None,
    content_id: str | None,
    matches: Sequence[Match],
    bank_ids: dict[str, int],
) -> ScanRecord:
    """Keep a matched scan with every match (the case workflow acts on it)."""
    record = ScanRecord(api_key_id=api_key_id, content_id=content_id, verdict=verdict_of(matches))
    session.add(record)
    session.flush()
    session.add_all(
        ScanMatch(
            scan_id=record.id,
            entry_id=m.entry_id,
            bank_id=bank_ids[m.bank],
            signal_type=m.signal_type,
            distance=m.distance,
            threshold=m.threshold,
            variant=m.variant,
            tier=m.tier.value,
            windows=m.windows,
            region=m.region,
            video=m.video,
        )
        for m in matches
    )
    session.flush()
    return record


Settled = list[tuple[list[Match], int | None]]


def settle(
    *,
    session: Session,
    api_key_id: int | None,
    found: Sequence[tuple[str | None, list[Match]]],
    bank_ids: dict[str, int],
    settings: Settings,
) -> Settled:
    """Keep the scans that matched: for each (content id, matches), its matches as the
    database has them now and its scan id (None when nothing matched). A match of a
    confirmed request's hash is a found copy of it (maybe removed automatically)."""
    settled: Settled = []
    for content_id, matched in found:
        stored = as_stored(session=session, matches=matched) if matched else []
        matches = labelled(session=session, matches=stored)
        if not matches:
            settled.append(([], None))
            continue
        record = record_scan(
            session=session,
            api_key_id=api_key_id,
            content_id=content_id,
            matches=matches,
            bank_ids=bank_ids,
        )
        copies_found(
            session=session,
            scan_id=record.id,
            content_id=content_id,
            matches=matches,
            settings=settings,
        )
        settled.append((matches, record.id))
    return settled


def add_counts(*, session: Session, counts: Counter[tuple[date, int, str]]) -> None:
    """Add batched counts (day, key id or 0, verdict) to the daily counters."""
    for (day, key_id, verdict), count in sorted(counts.items()):
        row = session.scalar(
            select(ScanCounter)
            .where(
                ScanCounter.day == day,
                ScanCounter.api_key_id == key_id,
                ScanCounter.verdict == verdict,
            )
            .with_for_update()
        )
        if row is None:
            session.add(ScanCounter(day=day, api_key_id=key_id, verdict=verdict, count=count))
        else:
            row.count += count
    session.flush()
