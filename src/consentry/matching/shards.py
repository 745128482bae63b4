"""Bank indexes split into shards held by Ray actors: for banks beyond one worker's memory.

Each shard (`BankShard`) is a matcher of its own over the entries whose id it picks
(`id % shards`), loaded from the database and kept current by following the bank change
log, as a worker's matcher is. A worker keeps only what it knows of each entry (status,
bank, group, frame time: a few bytes each) and looks values up in every shard at once
(`RemoteIndex`), passing the change-log position it has reached: a shard behind that
position catches up before it answers, so a worker never misses an entry it already
knows of. Each shard is an exact index, so the union is what one index would return.

The actors are named by the database and the shard count and detached: every worker of
every host joined to the same Ray cluster (`CONSENTRY_RAY_ADDRESS`) shares them, and
Ray restarts one that dies (it loads again from the database). A search sent to a shard
that dies is sent again once it is back; a scan waits at most `SEARCH_SECONDS` for it,
then gets a 503 to retry, never a failure of its own (the copy finder's batches wait as
long as they take)."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from consentry.api.problems import Problem
from consentry.config import Settings
from consentry.db.engine import make_engine
from consentry.matching.follower import POLL_SECONDS, IndexFactory, catch_up, load_matcher
from consentry.matching.matcher import Matcher
from consentry.matching.share import Share
from consentry.matching.snapshot import database_identity
from consentry.signals.base import Hit, SignalIndex
from consentry.signals.registry import KINDS

log = logging.getLogger(__name__)

# How long a scan's lookup waits for every shard: one restarting (reloading from the
# database) is answered with a 503 to retry, rather than holding the request and its
# thread. A scan's few values take milliseconds; the copy finder's batches wait.
SEARCH_SECONDS = 10.0


class ShardOf(SignalIndex):
    """The values of one shard: entries whose id it does not pick are ignored."""

    def __init__(self, index: SignalIndex, share: Share) -> None:
        self.index, self.share = index, share

    def _mine(self, ids: Sequence[int]) -> list[int]:
        return [n for n, entry_id in enumerate(ids) if self.share.picks(entry_id)]

    def __len__(self) -> int:
        return len(self.index)

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        mine = self._mine(ids)
        self.index.stage([ids[n] for n in mine], [values[n] for n in mine])

    def commit(self) -> None:
        self.index.commit()

    def remove(self, ids: Sequence[int]) -> None:
        self.index.remove([ids[n] for n in self._mine(ids)])

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        return self.index.search(values, radius)

    def save(self, folder: Path) -> None:
        self.index.save(folder)


class FollowingShard(ABC):
    """A shard (a Ray actor) that keeps its indexes current with a log it follows itself:
    a thread applies what is new every `POLL_SECONDS`, and a search from a caller further
    along the log (`seq`) first catches up to it."""

    indexes: dict[str, SignalIndex]

    def _follow_in_background(self) -> None:
        self._lock = threading.Lock()
        threading.Thread(target=self._follow, name="consentry-shard-follower", daemon=True).start()

    @abstractmethod
    def position(self) -> int:
        """The last log position applied."""

    @abstractmethod
    def apply_log(self) -> None:
        """Apply the log since `position`."""

    def _catch_up(self) -> None:
        with self._lock:
            self.apply_log()

    def _follow(self) -> None:
        while True:  # as long as the actor lives
            time.sleep(POLL_SECONDS)
            try:
                self._catch_up()
            except Exception:  # a database hiccup must not end the follower; it retries
                log.exception("a shard failed to follow its log; retrying")

    def search(self, kind: str, values: Sequence[str], radius: int, seq: int) -> list[Hit]:
        """Hits of this shard's entries, once it has applied the log up to `seq`."""
        if self.position() < seq:
            self._catch_up()
        return self.indexes[kind].search(values, radius)

    def size(self, kind: str) -> int:
        return len(self.indexes[kind])


class BankShard(FollowingShard):
    """One shard of every bank index: loaded, then following the bank change log."""

    def __init__(self, database_url: str, shard: int, shards: int) -> None:
        self.engine = make_engine(database_url, read_only=True)
        share = Share(shard, shards)

        def indexes(_: Matcher) -> dict[str, SignalIndex]:
            return {name: ShardOf(kind.new_index(), share) for name, kind in KINDS.items()}

        self.matcher = load_matcher(self.engine, indexes=indexes, share=share)
        self.indexes = self.matcher.indexes
        self._follow_in_background()

    def position(self) -> int:
        return self.matcher.seq

    def apply_log(self) -> None:
        catch_up(self.engine, self.matcher)


class RemoteIndex(SignalIndex):
    """A worker's view of one kind's shards: searches fan out and merge; changes are the
    shards' own business (they follow the log), so adding and removing do nothing here."""

    holds_values = False

    def __init__(
        self,
        kind: str,
        actors: Sequence[Any],
        position: Callable[[], int],
        timeout: float | None = None,
    ) -> None:
        """`timeout`: how long a search waits for the shards (None: as long as they take,
        for batch work such as the copy finder's)."""
        import ray  # the `ray` extra

        self._ray, self.kind, self.actors, self.position = ray, kind, actors, position
        self.timeout = timeout

    def __len__(self) -> int:
        return sum(self._ray.get([actor.size.remote(self.kind) for actor in self.actors]))

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        """Nothing to do: each shard loaded and follows the entries itself."""

    def commit(self) -> None:
        """Nothing to do (see `stage`)."""

    def remove(self, ids: Sequence[int]) -> None:
        """Nothing to do (see `stage`)."""

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        if not values:
            return []
        seq = self.position()
        searches = [actor.search.remote(self.kind, values, radius, seq) for actor in self.actors]
        try:
            found = self._ray.get(searches, timeout=self.timeout)
        except (self._ray.exceptions.GetTimeoutError, self._ray.exceptions.RayActorError) as error:
            log.warning("a shard did not answer: %s", type(error).__name__)
            raise Problem(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "index-unavailable",
                "part of the hash index is restarting; retry shortly",
                headers={"Retry-After": "5"},
            ) from None
        return sorted((hit for hits in found for hit in hits), key=lambda h: (h.query, h.entry_id))

    def save(self, folder: Path) -> None:
        """Nothing to save: the shards load from the database."""


def shard_actors(
    actor: type[FollowingShard], role: str, database_url: str, shards: int
) -> list[Any]:
    """This database's shard actors of one role, started where none runs yet (Ray must be
    initialised: `ray.init`), each made as `actor(database_url, shard, shards)`."""
    import ray

    # Searches are reads: one lost with its actor is simply sent again to its successor.
    remote = ray.remote(max_restarts=-1, max_task_retries=-1)(actor)
    name = f"consentry-{role}-{database_identity(database_url)}-of-{shards}"
    return [
        remote.options(
            name=f"{name}-{shard}", namespace="consentry", lifetime="detached", get_if_exists=True
        ).remote(database_url, shard, shards)
        for shard in range(shards)
    ]


def bank_shards(database_url: str, shards: int) -> list[Any]:
    return shard_actors(BankShard, "bank", database_url, shards)


def loaded_shards(
    settings: Settings, actor: type[FollowingShard], role: str, shards: int
) -> list[Any]:
    """`shard_actors` on the Ray cluster at `ray_address` (else Ray's local runtime),
    returned once every shard has loaded: a caller that then says it is ready must not
    keep a search waiting for a shard's load."""
    import ray

    if not ray.is_initialized():
        ray.init(address=settings.ray_address, log_to_driver=False)
    actors = shard_actors(actor, role, settings.resolved_database_url(), shards)
    ray.get([shard.size.remote("pdq") for shard in actors])
    return actors


def sharded(settings: Settings) -> IndexFactory:
    """Indexes for `load_matcher` over this database's `bank_shards` bank shards."""
    actors = loaded_shards(settings, BankShard, "bank", settings.bank_shards)
    return remote_indexes(actors, timeout=SEARCH_SECONDS)


def remote_indexes(actors: Sequence[Any], timeout: float | None = None) -> IndexFactory:
    """Indexes for `load_matcher` that search these shards at the matcher's position
    (each search waiting at most `timeout`, as `RemoteIndex`)."""

    def indexes(matcher: Matcher) -> dict[str, SignalIndex]:
        def position() -> int:
            return matcher.seq

        return {name: RemoteIndex(name, actors, position, timeout) for name in KINDS}

    return indexes
