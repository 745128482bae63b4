"""Recording scans, and what a matched scan sets off. Keyword-only; the caller owns the
transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.cases.copies import EntryState, as_stored, copies_found, entry_states
from consentry.config import Settings
from consentry.matching.schemas import Match
from consentry.scans.models import ScanCounter
from consentry.scans.records import Kept, Scans, record_scans

Settled = list[tuple[list[Match], int | None]]


def settled_matches(
    *, session: Session, requests: Sequence[Scans]
) -> tuple[list[Settled], Kept, set[int]]:
    """For every request at once: each scan's matches as the database has them now
    (S2, with labels; no scan id yet), the scans to keep, and the kept matches' entries
    that a confirmed case holds. One query however many scans."""
    every = [m for request in requests for _, matches in request.found for m in matches]
    return sort_out(requests=requests, states=entry_states(session=session, matches=every))


def sort_out(
    *, requests: Sequence[Scans], states: dict[int, EntryState]
) -> tuple[list[Settled], Kept, set[int]]:
    """`settled_matches` of the entries' states read already."""
    settled: list[Settled] = []
    kept: list[tuple[Scans, str | None, list[Match]]] = []
    for request in requests:
        results: Settled = []
        for content_id, matched in request.found:
            matches = as_stored(states=states, matches=matched)
            results.append((matches, None))
            if matches:
                kept.append((request, content_id, matches))
        settled.append(results)
    held = {m.entry_id for _, _, matches in kept for m in matches if states[m.entry_id].held}
    return settled, kept, held


def with_ids(settled: list[Settled], ids: Sequence[int]) -> list[Settled]:
    """`settled` with the ids `record_scans` gave the kept scans, in their order."""
    given = iter(ids)
    return [[(matches, next(given) if matches else None) for matches, _ in r] for r in settled]


def settle(*, session: Session, requests: Sequence[Scans], settings: Settings) -> list[Settled]:
    """Keep the scans that matched, for every request at once: for each (content id,
    matches), its matches as the database has them now and its scan id (None when
    nothing matched). A match of a confirmed request's hash is a found copy of it
    (maybe removed automatically).

    A fixed number of statements however many scans (the entries' states, the records
    and their matches), then found copies for the few scans a case holds: concurrent
    requests share one transaction (`scans.intake`), and a viral image's re-uploads
    cost little more than unmatched scans."""
    settled, kept, held = settled_matches(session=session, requests=requests)
    if not kept:
        return settled
    settled = with_ids(settled, record_scans(session=session, scans=kept))
    found = [(scan_id, matches) for results in settled for matches, scan_id in results if matches]
    for (scan_id, matches), (_, content_id, _) in zip(found, kept, strict=True):
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
