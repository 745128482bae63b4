"""Recording scans, and what a matched scan sets off. Keyword-only; the caller owns the
transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.banks.records import labels_of
from consentry.cases.copies import as_stored, copies_found, entry_states
from consentry.config import Settings
from consentry.matching.schemas import Match
from consentry.scans.models import ScanCounter
from consentry.scans.records import Scans, record_scans

Settled = list[tuple[list[Match], int | None]]


def settle(*, session: Session, requests: Sequence[Scans], settings: Settings) -> list[Settled]:
    """Keep the scans that matched, for every request at once: for each (content id,
    matches), its matches as the database has them now and its scan id (None when
    nothing matched). A match of a confirmed request's hash is a found copy of it
    (maybe removed automatically).

    A fixed number of statements however many scans (statuses, labels, the records,
    their matches, the cases holding any of them): concurrent requests share one
    transaction (`scans.intake`), and a viral image's re-uploads cost little more
    than unmatched scans."""
    every = [m for request in requests for _, matches in request.found for m in matches]
    states = entry_states(session=session, matches=every)
    labels = labels_of(session=session, group_ids={m.group for m in every if m.group})
    settled: list[Settled] = []
    kept: list[tuple[Scans, str | None, list[Match]]] = []
    for request in requests:
        results: Settled = []
        for content_id, matched in request.found:
            stored = as_stored(states=states, matches=matched)
            matches = [replace(m, label=labels.get(m.group)) if m.group else m for m in stored]
            results.append((matches, None))
            if matches:
                kept.append((request, content_id, matches))
        settled.append(results)
    if not kept:
        return settled
    ids = record_scans(session=session, scans=kept)
    held = {entry_id for entry_id, (status, held) in states.items() if held}
    records = iter(zip(ids, kept, strict=True))
    for results in settled:
        for position, (matches, _) in enumerate(results):
            if not matches:
                continue
            scan_id, (_, content_id, _) = next(records)
            results[position] = (matches, scan_id)
            if held.intersection(m.entry_id for m in matches):
                copies_found(
                    session=session,
                    scan_id=scan_id,
                    content_id=content_id,
                    matches=matches,
                    settings=settings,
                )
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
