"""The copy finder's lease: one worker of all holds the content index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.config import Settings
from consentry.content.finder import LEASE_SECONDS, ContentFinder
from consentry.content.schemas import INDEXED
from consentry.core.actor import SYSTEM
from consentry.core.clock import use_clock
from consentry.db.session import session_scope
from consentry.matching.follower import load_matcher
from consentry.matching.live import LiveIndex
from consentry.signals.base import Hit, SignalIndex
from consentry.signals.registry import KINDS


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class _LongSearch(SignalIndex):
    """A real index whose search takes longer than the lease (on the test's clock), as a
    batch of new bank values against 10^8 content hashes may."""

    def __init__(self, index: SignalIndex, clock: _Clock) -> None:
        self.index, self.clock, self.searches = index, clock, 0

    def __len__(self) -> int:
        return len(self.index)

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        self.index.stage(ids, values)

    def commit(self) -> None:
        self.index.commit()

    def remove(self, ids: Sequence[int]) -> None:
        self.index.remove(ids)

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        self.searches += 1
        self.clock.now += timedelta(seconds=LEASE_SECONDS + 1)
        return self.index.search(values, radius)

    def save(self, folder: Path) -> None:
        self.index.save(folder)


def test_a_run_longer_than_the_lease_keeps_it(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        bank = create_bank(actor=SYSTEM, session=session, name="ncii", auto_max_distance=0)
        add_entry(
            session=session, bank=bank, new=NewEntry("pdq", "07" * 32, status=EntryStatus.CONFIRMED)
        )
    live = LiveIndex(engine, snapshot=tmp_path / "index", shards=None)
    live.matcher = load_matcher(engine)
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url))
    holder, other = ContentFinder(engine, settings, live), ContentFinder(engine, settings, live)
    clock = _Clock()
    with use_clock(clock):
        indexes = {name: KINDS[name].new_index() for name in INDEXED}
        slow = indexes["pdq"] = _LongSearch(indexes["pdq"], clock)
        holder.indexes = indexes  # loaded (empty): the run searches the new bank value
        holder.run()
        assert slow.searches == 1
        # Without renewing as it ends, the lease taken at the run's start has run out.
        assert not other.run()
        assert other.indexes is None  # it did not take the index over
        clock.now += timedelta(seconds=LEASE_SECONDS + 1)
        other.run()  # the holder stopped renewing: another worker takes over
        assert other.indexes is not None
