"""A signal index split into shards held by Ray actors: for a content index (or a bank)
beyond one machine's memory.

Each value lives in the shard its id picks (`id % shards`); a search asks every shard
at once and merges what they found. Each shard is an exact index of its own values
(`SignalKind.new_index`), so the union is exactly what one index over everything, or
brute force, returns. The copy finder routes the content log's changes to the shards,
as it applies them to an index of its own. Actors run on the Ray cluster the process
joined (`ray.init(address=…)`), else on Ray's local runtime."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from consentry.signals.base import Hit, SignalIndex
from consentry.signals.registry import kind_of


class ShardActor:
    """One shard: an exact index of the values whose ids it was given (a Ray actor)."""

    def __init__(self, kind: str) -> None:
        self.index = kind_of(kind).new_index()

    def add(self, ids: Sequence[int], values: Sequence[str]) -> int:
        self.index.add(ids, values)
        return len(self.index)

    def remove(self, ids: Sequence[int]) -> int:
        self.index.remove(ids)
        return len(self.index)

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        return self.index.search(values, radius)

    def size(self) -> int:
        return len(self.index)

    def save(self, folder: str) -> None:
        self.index.save(Path(folder))


class ShardedIndex(SignalIndex):
    """`SignalIndex` over `shards` actors (made with `actor_class`, `ray.remote(ShardActor)`
    by default: a subclass adds what a benchmark needs)."""

    def __init__(self, kind: str, shards: int, actor_class: Any = None) -> None:
        import ray  # the `ray` extra

        if shards < 1:
            raise ValueError("a sharded index has at least one shard")
        remote = actor_class or ray.remote(ShardActor)
        self._ray = ray
        self.actors = [remote.remote(kind) for _ in range(shards)]
        self._staged: list[tuple[list[int], list[str]]] = [([], []) for _ in self.actors]

    def __len__(self) -> int:
        return sum(self._ray.get([actor.size.remote() for actor in self.actors]))

    def _route(self, ids: Sequence[int]) -> list[list[int]]:
        """Positions of `ids` per shard."""
        positions: list[list[int]] = [[] for _ in self.actors]
        for position, entry_id in enumerate(ids):
            positions[entry_id % len(self.actors)].append(position)
        return positions

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        for shard, positions in enumerate(self._route(ids)):
            staged_ids, staged_values = self._staged[shard]
            staged_ids.extend(ids[p] for p in positions)
            staged_values.extend(values[p] for p in positions)

    def commit(self) -> None:
        staged, self._staged = self._staged, [([], []) for _ in self.actors]
        self._ray.get(
            [
                actor.add.remote(ids, values)
                for actor, (ids, values) in zip(self.actors, staged, strict=True)
                if ids
            ]
        )

    def remove(self, ids: Sequence[int]) -> None:
        routed = self._route(ids)
        self._ray.get(
            [
                actor.remove.remote([ids[p] for p in positions])
                for actor, positions in zip(self.actors, routed, strict=True)
                if positions
            ]
        )

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        if not values:
            return []
        found = self._ray.get([actor.search.remote(values, radius) for actor in self.actors])
        return sorted((hit for hits in found for hit in hits), key=lambda h: (h.query, h.entry_id))

    def save(self, folder: Path) -> None:
        """Each shard into `folder/shard-K` (on the node that holds it)."""
        self._ray.get(
            [actor.save.remote(str(folder / f"shard-{k}")) for k, actor in enumerate(self.actors)]
        )
