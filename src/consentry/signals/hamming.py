"""An exact Hamming-radius index over 256-bit hashes, updated in place.

Multi-index hashing: each hash is cut into m substrings of about log2(n) bits
and bucketed by each. A hash within radius R of a query is within R // m of it
on at least one substring (pigeonhole), so the index visits a few thousand
buckets and returns exactly what a full scan returns, in a fraction of the time.

New hashes land in a small tail that is scanned in full; full tails become
segments, and segments of similar size merge (as in an LSM tree), so adding
never rebuilds the whole index. Removal marks a hash dead at once.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from consentry.signals import kernels

Words = npt.NDArray[np.uint64]
Ids = npt.NDArray[np.int64]

HASH_BITS = 256
# Below this many hashes a full scan beats bucket probing.
SCAN_MAX = 4096
# A younger segment merges into its elder once it holds this share of it.
MERGE_RATIO = 0.25
MAX_RADIUS = 64
# The layout is tuned for Meta's PDQ threshold; any radius up to MAX_RADIUS stays exact.
DESIGN_RADIUS = 31
OFFSET_BYTES_PER_HASH = 48


def words_from_bytes(values: Sequence[bytes]) -> Words:
    """Hashes (32 bytes each, most significant first) as rows of four uint64 words."""
    if not values:
        return np.empty((0, 4), dtype=np.uint64)
    raw = np.frombuffer(b"".join(values), dtype=">u8").reshape(len(values), 4)
    return raw.astype(np.uint64)


def _split(tables: int) -> npt.NDArray[np.int64]:
    lengths = np.full(tables, HASH_BITS // tables, dtype=np.int64)
    lengths[: HASH_BITS % tables] += 1
    return lengths


def _probe_count(lengths: npt.NDArray[np.int64], radius: int) -> int:
    per_table = radius // len(lengths)
    return sum(
        math.comb(int(length), flips)
        for length in lengths
        for flips in range(min(per_table, int(length)) + 1)
    )


def _layout(n: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Substring starts and lengths for n hashes: the cheapest layout within a memory budget.

    Cost is bucket probes plus expected candidates (n / 2**length per probe) at
    the design radius; bucket offsets may take at most OFFSET_BYTES_PER_HASH
    per hash (16-bit substrings are always allowed).
    """
    best: tuple[float, int] | None = None
    for tables in range(8, 33):
        lengths = _split(tables)
        if int(lengths.max()) > 24:
            continue
        offset_bytes = int(((1 << lengths) + 1).sum()) * 4
        if tables != 16 and offset_bytes > OFFSET_BYTES_PER_HASH * n:
            continue
        probes = _probe_count(lengths, DESIGN_RADIUS)
        candidates = probes * n / float(2 ** lengths.mean())
        cost = probes + candidates
        if best is None or cost < best[0]:
            best = (cost, tables)
    assert best is not None
    lengths = _split(best[1])
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return starts, lengths


@dataclass
class SearchResult:
    """Matches of a batch: `query[i]` (index into the batch) matched `ids[i]` at `distances[i]`."""

    query: npt.NDArray[np.int64]
    ids: Ids
    distances: npt.NDArray[np.int64]
    hashes: Words

    @classmethod
    def empty(cls) -> SearchResult:
        none = np.empty(0, np.int64)
        return cls(none, none, none, np.empty((0, 4), np.uint64))

    @classmethod
    def concatenate(cls, parts: Sequence[SearchResult]) -> SearchResult:
        if not parts:
            return cls.empty()
        return cls(
            np.concatenate([p.query for p in parts]),
            np.concatenate([p.ids for p in parts]),
            np.concatenate([p.distances for p in parts]),
            np.concatenate([p.hashes for p in parts]),
        )


class Segment:
    """An immutable set of hashes (sorted by id) with its bucket tables; only `alive` changes."""

    def __init__(
        self,
        words: Words,
        ids: Ids,
        alive: npt.NDArray[np.bool_],
        starts: npt.NDArray[np.int64],
        lengths: npt.NDArray[np.int64],
        offsets: npt.NDArray[np.uint32],
        orders: npt.NDArray[np.uint32],
    ) -> None:
        self.words, self.ids, self.alive = words, ids, alive
        self.starts, self.lengths = starts, lengths
        self.offsets, self.orders = offsets, orders
        self._probe_counts: dict[int, int] = {}
        self.table_offsets = np.concatenate(([0], np.cumsum((1 << lengths) + 1)[:-1])).astype(
            np.int64
        )

    @classmethod
    def build(cls, words: Words, ids: Ids) -> Segment:
        order = np.argsort(ids, kind="stable")
        words = np.ascontiguousarray(words[order])
        ids = np.ascontiguousarray(ids[order])
        alive = np.ones(len(ids), dtype=np.bool_)
        if len(ids) <= SCAN_MAX:
            no_tables = np.empty(0, dtype=np.int64)
            return cls(
                words,
                ids,
                alive,
                no_tables,
                no_tables,
                np.empty(0, np.uint32),
                np.empty(0, np.uint32),
            )
        starts, lengths = _layout(len(ids))
        offsets, orders = [], []
        for start, length in zip(starts, lengths, strict=True):
            table_offsets, table_order = kernels.build_table(words, int(start), int(length))
            offsets.append(table_offsets)
            orders.append(table_order)
        return cls(
            words, ids, alive, starts, lengths, np.concatenate(offsets), np.concatenate(orders)
        )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def live(self) -> int:
        return int(self.alive.sum())

    def search(self, queries: Words, radius: int) -> SearchResult:
        capacity = 64 * len(queries)
        while True:
            out_query = np.empty(capacity, dtype=np.int64)
            out_row = np.empty(capacity, dtype=np.int64)
            out_distance = np.empty(capacity, dtype=np.int64)
            if len(self.starts):
                found = kernels.search_tables(
                    self.words,
                    self.alive,
                    self.starts,
                    self.lengths,
                    self.table_offsets,
                    self.offsets,
                    self.orders,
                    self._probes(radius),
                    queries,
                    radius,
                    out_query,
                    out_row,
                    out_distance,
                )
            else:
                found = kernels.search_all(
                    self.words, self.alive, queries, radius, out_query, out_row, out_distance
                )
            if found <= capacity:
                rows = out_row[:found]
                return SearchResult(
                    out_query[:found], self.ids[rows], out_distance[:found], self.words[rows]
                )
            capacity = int(found)

    def _probes(self, radius: int) -> int:
        if radius not in self._probe_counts:
            self._probe_counts[radius] = _probe_count(self.lengths, radius)
        return self._probe_counts[radius]

    def remove(self, ids: Ids) -> int:
        """Mark these ids dead; returns how many were alive here."""
        where = np.searchsorted(self.ids, ids)
        where = where[where < len(self.ids)]
        hit = where[np.isin(self.ids[where], ids)]
        removed = int(self.alive[hit].sum())
        self.alive[hit] = False
        return removed

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        return {
            "words": self.words, "ids": self.ids, "alive": self.alive, "starts": self.starts,
            "lengths": self.lengths, "offsets": self.offsets, "orders": self.orders,
        }  # fmt: skip


class HammingIndex:
    """Exact radius search over 256-bit hashes with ids; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._segments: list[Segment] = []
        self._tail_words = np.empty((SCAN_MAX, 4), dtype=np.uint64)
        self._tail_ids = np.empty(SCAN_MAX, dtype=np.int64)
        self._tail_alive = np.zeros(SCAN_MAX, dtype=np.bool_)
        self._tail_size = 0
        # One compaction at a time; it builds merged segments without holding _lock.
        self._compacting = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            live_tail = int(self._tail_alive[: self._tail_size].sum())
            return live_tail + sum(s.live for s in self._segments)

    def add(self, ids: Ids, words: Words) -> None:
        """Add hashes under their ids (an id must not be added twice)."""
        ids = np.asarray(ids, dtype=np.int64)
        words = np.asarray(words, dtype=np.uint64).reshape(-1, 4)
        if len(ids) >= SCAN_MAX:
            segment = Segment.build(words, ids)  # built before taking the lock
            with self._lock:
                self._segments.append(segment)
        else:
            with self._lock:
                self._append_tail(ids, words)
        self._compact()

    def _append_tail(self, ids: Ids, words: Words) -> None:
        room = SCAN_MAX - self._tail_size
        take = min(room, len(ids))
        end = self._tail_size + take
        self._tail_words[self._tail_size : end] = words[:take]
        self._tail_ids[self._tail_size : end] = ids[:take]
        self._tail_alive[self._tail_size : end] = True
        self._tail_size = end
        if self._tail_size == SCAN_MAX:
            self._push_tail()
        if take < len(ids):
            self._append_tail(ids[take:], words[take:])

    def _compact(self) -> None:
        """Merge a younger segment into its elder once it holds MERGE_RATIO of it, repeatedly.

        The merged segment is built outside `_lock`, so lookups go on meanwhile (a
        merge at 10 million hashes takes seconds); hashes removed during the build
        are removed from the result before it replaces the pair.
        """
        if not self._compacting.acquire(blocking=False):
            return  # another thread is compacting and will see this addition
        try:
            while True:
                with self._lock:
                    if len(self._segments) < 2:
                        return
                    elder, younger = self._segments[-2], self._segments[-1]
                    if len(younger) < MERGE_RATIO * len(elder):
                        return
                    alive = (elder.alive.copy(), younger.alive.copy())
                words = np.concatenate((elder.words[alive[0]], younger.words[alive[1]]))
                ids = np.concatenate((elder.ids[alive[0]], younger.ids[alive[1]]))
                merged = Segment.build(words, ids)
                with self._lock:
                    died = np.concatenate(
                        (
                            elder.ids[alive[0] & ~elder.alive],
                            younger.ids[alive[1] & ~younger.alive],
                        )
                    )
                    merged.remove(died)
                    # Only additions happened meanwhile, appended after the pair.
                    at = next(i for i, seg in enumerate(self._segments) if seg is elder)
                    assert self._segments[at + 1] is younger
                    self._segments[at : at + 2] = [merged]
        finally:
            self._compacting.release()

    def remove(self, ids: Ids) -> int:
        """Remove ids at once; returns how many were present. Unknown ids are ignored."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        with self._lock:
            tail = self._tail_alive[: self._tail_size] & np.isin(
                self._tail_ids[: self._tail_size], ids
            )
            removed = int(tail.sum())
            self._tail_alive[: self._tail_size] &= ~tail
            return removed + sum(segment.remove(ids) for segment in self._segments)

    def search(self, queries: Words, radius: int) -> SearchResult:
        """Every live hash within `radius` bits of each query (exact, as a full scan)."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius must be 0-{MAX_RADIUS}")
        queries = np.ascontiguousarray(np.asarray(queries, dtype=np.uint64).reshape(-1, 4))
        with self._lock:
            parts = [segment.search(queries, radius) for segment in self._segments]
            if self._tail_size:
                tail = Segment(
                    self._tail_words[: self._tail_size], self._tail_ids[: self._tail_size],
                    self._tail_alive[: self._tail_size], *_NO_TABLES,
                )  # fmt: skip
                parts.append(tail.search(queries, radius))
        return SearchResult.concatenate(parts)

    def save(self, folder: Path) -> None:
        """Write a snapshot (one .npy per array) for a fast start; replaces what was there."""
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._push_tail()
            for old in folder.glob("*.npy"):
                old.unlink()
            for number, segment in enumerate(self._segments):
                for name, array in segment.arrays().items():
                    np.save(folder / f"{number}-{name}.npy", array)
            (folder / "index.json").write_text(json.dumps({"segments": len(self._segments)}))

    def _push_tail(self) -> None:
        """Turn the tail into a segment (the caller holds `_lock`; a tail is quick to build)."""
        if self._tail_size:
            alive = self._tail_alive[: self._tail_size]
            words = self._tail_words[: self._tail_size][alive].copy()
            ids = self._tail_ids[: self._tail_size][alive].copy()
            self._tail_alive[:] = False
            self._tail_size = 0
            if len(ids):
                self._segments.append(Segment.build(words, ids))

    @classmethod
    def load(cls, folder: Path) -> HammingIndex:
        meta = json.loads((folder / "index.json").read_text())
        index = cls()
        for number in range(int(meta["segments"])):
            arrays = {
                name: np.load(folder / f"{number}-{name}.npy")
                for name in ("words", "ids", "alive", "starts", "lengths", "offsets", "orders")
            }
            index._segments.append(Segment(**arrays))
        return index


_warmed = threading.Event()


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel now, not on the first request;
    once a process (the kernels stay compiled)."""
    if _warmed.is_set():
        return
    rng = np.random.default_rng(0)
    index = HammingIndex()
    words = rng.integers(0, 2**63, size=(SCAN_MAX + 1, 4), dtype=np.int64).astype(np.uint64)
    index.add(np.arange(SCAN_MAX + 1, dtype=np.int64), words)
    index.add(np.array([SCAN_MAX + 1], dtype=np.int64), words[:1])
    index.search(words[:2], DESIGN_RADIUS)
    _warmed.set()


_NO_TABLES = (
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.int64),
    np.empty(0, dtype=np.uint32),
    np.empty(0, dtype=np.uint32),
)
