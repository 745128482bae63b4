"""The copy finder: matches the content index against the banks in both directions.

- A bank value that becomes matchable (added, confirmed, reinstated: by a case
  decision, an import or an exchange) is searched in the content index: every piece
  of registered content within the bank's distance is a copy already on the platform.
- Content registered later is looked up in the banks, as a scan would.

Each hit is settled against the database and becomes, exactly as a scan match does, a
found copy on the confirmed case holding the hash (its own clock; removal requested
for an automatic-tier match, review otherwise), and a `content.matched` webhook.

One worker of all holds the content index in memory (a lease in `content_finder`,
renewed as each run starts and as it commits, however long it took; another takes over
within LEASE_SECONDS of the holder's end); its cursors in both logs are stored, so a
restart resumes where the last run ended.
Bank changes are taken only up to the live matcher's position, so that every value
searched is one the matcher knows (tiers come from the matcher, as for scans)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consentry.actions.outbox import enqueue_webhook
from consentry.banks.models import Bank, BankChange, BankEntry, ChangeAction, EntryStatus
from consentry.cases.copies import as_stored, copies_found, entry_states
from consentry.config import Settings
from consentry.content.following import follow_content, load_content, log_end
from consentry.content.models import ContentAction, ContentChange, ContentHash, FinderState
from consentry.content.schemas import INDEXED
from consentry.content.shards import ContentShard
from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.matching.live import LiveIndex
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import Match
from consentry.matching.shards import RemoteIndex, loaded_shards
from consentry.signals.base import SignalIndex
from consentry.signals.registry import KINDS

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
INTERVAL_SECONDS = 1.0
# Changes taken per run (a run is one transaction); more are taken at once after it.
BATCH = 5_000
_MATCHABLE = (ChangeAction.ADDED, ChangeAction.CONFIRMED, ChangeAction.REINSTATED)

# (owner key, content id) → the matches found for it
Hits = dict[tuple[int, str], list[Match]]


class ContentFinder:
    def __init__(self, engine: Engine, settings: Settings, live_index: LiveIndex) -> None:
        self.engine, self.settings, self.live_index = engine, settings, live_index
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.indexes: dict[str, SignalIndex] | None = None  # while holding the lease
        self.applied = 0  # the content log position the in-memory index reflects

    def job(self) -> PeriodicJob:
        return PeriodicJob("content-finder", INTERVAL_SECONDS, self.run)

    def run(self) -> bool:
        """One step; True while changes are left to take at once."""
        matcher = self.live_index.matcher
        if matcher is None or not self._lease():
            self.indexes = None  # another worker holds it: free the memory
            return False
        if self.indexes is None:
            self._load()
        assert self.indexes is not None
        with session_scope(self.engine) as session:
            self._follow(session, self.indexes)
            state = session.get_one(FinderState, 1, with_for_update=True)
            hits: Hits = defaultdict(list)
            more = self._new_content(session, matcher, state, hits)
            more |= self._new_bank_values(session, matcher, self.indexes, state, hits)
            self._found(session, hits)
            # Renewed as the run commits too: a batch searched at 10^8 can outlast the
            # lease, and a worker taking it over would load the whole index again.
            self._renew(session)
        return more

    def _renew(self, session: Session) -> None:
        session.execute(
            update(FinderState)
            .where(FinderState.id == 1, FinderState.holder == self.holder)
            .values(lease_until=utcnow() + timedelta(seconds=LEASE_SECONDS))
        )

    def _lease(self) -> bool:
        now = utcnow()
        with session_scope(self.engine) as session:
            if session.get(FinderState, 1) is None:
                try:
                    with session.begin_nested():
                        session.add(FinderState(id=1, bank_seq=0, content_seq=0))
                except IntegrityError:  # another worker made it first
                    pass
            taken = session.execute(
                update(FinderState)
                .where(
                    FinderState.id == 1,
                    or_(
                        FinderState.holder.is_(None),
                        FinderState.holder == self.holder,
                        FinderState.lease_until < now,
                    ),
                )
                .values(holder=self.holder, lease_until=now + timedelta(seconds=LEASE_SECONDS))
            )
            return bool(taken.rowcount)  # type: ignore[attr-defined]

    def _load(self) -> None:
        """Every registered hash, into one index per kind (then the log is followed);
        with `content_shards`, the shards load and follow it themselves."""
        if self.settings.content_shards:
            indexes = self._shards()
            with session_scope(self.engine) as session:
                self.indexes, self.applied = indexes, log_end(session)
            return
        indexes = {name: KINDS[name].new_index() for name in INDEXED}
        with session_scope(self.engine) as session:
            self.applied = load_content(session=session, indexes=indexes)
        self.indexes = indexes

    def _shards(self) -> dict[str, SignalIndex]:
        shards = self.settings.content_shards
        actors = loaded_shards(self.settings, ContentShard, "content", shards)

        def position() -> int:
            return self.applied

        return {kind: RemoteIndex(kind, actors, position) for kind in INDEXED}

    def _follow(self, session: Session, indexes: dict[str, SignalIndex]) -> None:
        """The content log since the index was last brought up to date (sharded: only
        the position moves; the shards follow the log themselves)."""
        self.applied = follow_content(session=session, indexes=indexes, applied=self.applied)

    def _new_content(
        self, session: Session, matcher: Matcher, state: FinderState, hits: Hits
    ) -> bool:
        """Content registered since the last run, looked up in the banks."""
        changes = session.execute(
            select(ContentChange.seq, ContentChange.content_hash_id)
            .where(
                ContentChange.seq > state.content_seq,
                ContentChange.seq <= self.applied,
                ContentChange.action == ContentAction.ADDED,
            )
            .order_by(ContentChange.seq)
            .limit(BATCH)
        ).all()
        state.content_seq = changes[-1][0] if len(changes) == BATCH else self.applied
        for content in _contents(session, [i for _, i in changes]):
            found = matcher.match(Query.from_value(content.signal_type, content.value))
            hits[(content.api_key_id, content.content_id)].extend(found)
        return len(changes) == BATCH

    def _new_bank_values(
        self,
        session: Session,
        matcher: Matcher,
        indexes: dict[str, SignalIndex],
        state: FinderState,
        hits: Hits,
    ) -> bool:
        """Bank values made matchable since the last run, searched in the content index."""
        changes = session.execute(
            select(BankChange.seq, BankChange.entry_id)
            .where(
                BankChange.seq > state.bank_seq,
                BankChange.seq <= matcher.seq,
                BankChange.action.in_(_MATCHABLE),
            )
            .order_by(BankChange.seq)
            .limit(BATCH)
        ).all()
        state.bank_seq = changes[-1][0] if len(changes) == BATCH else matcher.seq
        entry_ids = {entry_id for _, entry_id in changes if entry_id is not None}
        entries = session.execute(
            select(BankEntry.id, BankEntry.signal_type, BankEntry.value, Bank.pdq_threshold)
            .join(Bank, Bank.id == BankEntry.bank_id)
            .where(
                BankEntry.id.in_(entry_ids),
                BankEntry.signal_type.in_(INDEXED),
                BankEntry.status.in_([EntryStatus.PENDING, EntryStatus.CONFIRMED]),
            )
        ).all()
        # One search per kind and distance (a sharded index: one call to every shard),
        # however many values an import or an exchange page brought.
        searched: defaultdict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
        for entry_id, kind, value, threshold in entries:
            searched[(kind, KINDS[kind].threshold(threshold))].append((entry_id, value))
        found_ids: dict[int, set[int]] = defaultdict(set)  # content hash → entries
        for (kind, radius), batch in searched.items():
            for hit in indexes[kind].search([value for _, value in batch], radius):
                found_ids[hit.entry_id].add(batch[hit.query][0])
        for content in _contents(session, list(found_ids)):
            wanted = found_ids[content.id]
            found = matcher.match(Query.from_value(content.signal_type, content.value))
            hits[(content.api_key_id, content.content_id)].extend(
                m for m in found if m.entry_id in wanted
            )
        return len(changes) == BATCH

    def _found(self, session: Session, hits: Hits) -> None:
        """Each hit settled against the database, then a found copy and a webhook."""
        every = [m for matches in hits.values() for m in matches]
        states = entry_states(session=session, matches=every)
        for (_, content_id), matched in sorted(hits.items()):
            matches = as_stored(states=states, matches=_unique(matched))
            if not matches:
                continue
            copies_found(
                session=session,
                scan_id=None,
                content_id=content_id,
                matches=matches,
                settings=self.settings,
                found_by="content",
            )
            enqueue_webhook(
                session=session,
                event="content.matched",
                data={"content_id": content_id, "matches": [_described(m) for m in matches]},
            )


def _contents(session: Session, ids: list[int]) -> list[ContentHash]:
    found: list[ContentHash] = []
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found.extend(session.scalars(select(ContentHash).where(ContentHash.id.in_(chunk))))
    return found


def _unique(matches: list[Match]) -> list[Match]:
    """One match per bank value (the closest), as a scan reports them."""
    best: dict[int, Match] = {}
    for match in sorted(matches, key=lambda m: m.distance):
        best.setdefault(match.entry_id, match)
    return list(best.values())


def _described(match: Match) -> dict[str, Any]:
    """What the platform's webhook is told: enough to act, no hash value."""
    return {
        "bank": match.bank,
        "signal_type": match.signal_type,
        "distance": match.distance,
        "tier": match.tier.value,
    }
