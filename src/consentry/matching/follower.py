"""Keeping a matcher current: load every matchable entry once, then follow the change log.

Each process (CLI command or service worker) holds its own matcher and polls
the change log; an entry added or withdrawn anywhere is reflected here within
one poll interval. Applying a change sets an entry to its *current* status, so
applying the same change twice, or one the initial load already saw, is harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, null, select
from sqlalchemy.orm import Session

from consentry.banks.models import Bank, BankChange, BankEntry, ChangeAction, EntryStatus
from consentry.db.session import session_scope
from consentry.matching.matcher import Matcher
from consentry.matching.registry import EntryRegistry
from consentry.matching.schemas import BankConfig
from consentry.matching.share import Share
from consentry.matching.snapshot import database_identity, load_snapshot, save_snapshot
from consentry.signals.base import SignalIndex, by_kind

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
_BATCH = 50_000
_ENTRY_ACTIONS = {
    ChangeAction.ADDED,
    ChangeAction.CONFIRMED,
    ChangeAction.WITHDRAWN,
    ChangeAction.REVOKED,
    ChangeAction.REINSTATED,
}


def _config(bank: Bank) -> BankConfig:
    return BankConfig(
        bank.id,
        bank.name,
        bank.pdq_threshold,
        bank.auto_max_distance,
        bank.enabled,
        bank.windows_auto,
        bank.video_query_share,
        bank.video_bank_share,
    )


# A snapshot this far behind the log is rewritten after loading.
RESNAPSHOT_CHANGES = 10_000


IndexFactory = Callable[[Matcher], dict[str, SignalIndex]]


def load_matcher(
    engine: Engine,
    *,
    snapshot: Path | None = None,
    indexes: IndexFactory | None = None,
    share: Share | None = None,
) -> Matcher:
    """A matcher holding every matchable entry, current with the change log.

    With `snapshot`, a saved matcher is loaded from that folder when it fits this
    database (and written there when missing or stale). `indexes` makes the new
    matcher's indexes (bank shards: `consentry.matching.shards`); no snapshot then.
    A bank shard loads only the entries of its `share`.
    """
    if indexes is not None and snapshot is not None:
        raise ValueError("a matcher with indexes of its own is not snapshotted")
    database = database_identity(str(engine.url))
    with session_scope(engine) as session:
        # The log position is read first: changes racing the load are applied again later.
        log_end = session.scalar(select(func.coalesce(func.max(BankChange.seq), 0))) or 0
        saved = load_snapshot(snapshot, database=database, log_end=log_end) if snapshot else None
        matcher = saved or Matcher(seq=log_end, registry=EntryRegistry(share=share))
        if indexes is not None:
            matcher.indexes = indexes(matcher)
        for bank in session.scalars(select(Bank)):
            matcher.set_bank(_config(bank))
        if saved is None:
            _load_entries(session, matcher)
    behind = catch_up(engine, matcher)
    if snapshot is not None and (saved is None or behind >= RESNAPSHOT_CHANGES):
        save_snapshot(matcher, snapshot, database=database)
    return matcher


def _load_entries(session: Session, matcher: Matcher) -> None:
    matchable = [EntryStatus.PENDING, EntryStatus.CONFIRMED]
    # Bank shards hold the values: a worker over them reads only what it keeps.
    values_wanted = any(index.holds_values for index in matcher.indexes.values())
    value_column = BankEntry.value if values_wanted else null().label("value")
    last = 0
    while True:
        query = select(
            BankEntry.id,
            BankEntry.bank_id,
            BankEntry.signal_type,
            value_column,
            BankEntry.status,
            BankEntry.group_id,
            BankEntry.at_ms,
        )
        if matcher.registry.share is not None:  # a bank shard reads its own entries only
            query = query.where(matcher.registry.share.where(BankEntry.id))
        rows = session.execute(
            query.where(BankEntry.id > last, BankEntry.status.in_(matchable))
            .order_by(BankEntry.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        if values_wanted:
            for kind, ids, values in by_kind((r[0], r[2], r[3]) for r in rows):
                if kind in matcher.indexes:
                    matcher.indexes[kind].stage(ids, values)
        entry_ids = np.array([r[0] for r in rows], dtype=np.int64)
        banks = np.array([r[1] for r in rows], dtype=np.int64)
        codes = np.array([EntryRegistry.code(EntryStatus(r[4])) for r in rows], dtype=np.int8)
        groups = np.array([r[5] or 0 for r in rows], dtype=np.int64)
        times = np.array([np.nan if r[6] is None else r[6] / 1000 for r in rows], np.float32)
        matcher.registry.set_many(entry_ids, banks, codes, groups, times)
    for index in matcher.indexes.values():
        index.commit()


def catch_up(engine: Engine, matcher: Matcher) -> int:
    """Apply every change after `matcher.seq`; returns how many were applied."""
    applied = 0
    share = matcher.registry.share  # a bank shard's: other shards' entries are not read
    while True:
        with session_scope(engine) as session:
            rows = session.execute(
                select(BankChange.seq, BankChange.action, BankChange.bank_id, BankChange.entry_id)
                .where(BankChange.seq > matcher.seq)
                .order_by(BankChange.seq)
                .limit(_BATCH)
            ).all()
            if not rows:
                return applied
            entry_ids = [
                r.entry_id
                for r in rows
                if r.entry_id is not None and (share is None or share.picks(r.entry_id))
            ]
            entries = {
                e.id: e
                for e in session.scalars(select(BankEntry).where(BankEntry.id.in_(entry_ids)))
            } if entry_ids else {}  # fmt: skip
            bank_ids = {r.bank_id for r in rows if ChangeAction(r.action) not in _ENTRY_ACTIONS}
            for bank in session.scalars(select(Bank).where(Bank.id.in_(bank_ids))):
                matcher.set_bank(_config(bank))
            for row in rows:
                entry = entries.get(row.entry_id) if row.entry_id is not None else None
                if entry is not None:
                    matcher.apply_entry(
                        entry_id=entry.id,
                        bank_id=entry.bank_id,
                        signal_type=entry.signal_type,
                        value=entry.value,
                        status=EntryStatus(entry.status),
                        group_id=entry.group_id,
                        at_ms=entry.at_ms,
                    )
                matcher.seq = row.seq
                applied += 1


class ChangeFollower(threading.Thread):
    """A daemon thread that applies the change log to a matcher every POLL_SECONDS."""

    def __init__(self, engine: Engine, matcher: Matcher, interval: float = POLL_SECONDS) -> None:
        super().__init__(name="consentry-change-follower", daemon=True)
        self.engine, self.matcher, self.interval = engine, matcher, interval
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            try:
                catch_up(self.engine, self.matcher)
            except Exception:  # a database hiccup must not end the follower; it retries
                log.exception("following the bank change log failed; retrying")

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
