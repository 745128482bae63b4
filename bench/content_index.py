"""The `index` part of bench/scale.py: the content index checked for new bank hashes at
10^6-10^8 content hashes on one core, and over Ray actor shards at the largest."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial

import numpy as np
from common import table


def _random_words(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**63, size=(n, 4), dtype=np.uint64) * 2 + 1


def _queries(words: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Half near copies of indexed hashes (0-31 bits flipped), half new random hashes."""
    rng = np.random.default_rng(seed)
    near = words[rng.integers(0, len(words), count // 2)].copy()
    for row in near:
        for bit in rng.choice(256, size=int(rng.integers(0, 32)), replace=False):
            row[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return np.concatenate([near, _random_words(count - count // 2, seed + 1)])


def latencies(search: Callable[[np.ndarray], object], queries: np.ndarray) -> tuple[float, float]:
    for row in queries[:200]:  # warm-up: an index just built has pages yet untouched
        search(row[None, :])
    times = []
    for row in queries:
        start = time.perf_counter()
        search(row[None, :])
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def index(args: argparse.Namespace) -> list[str]:
    from consentry.signals.hamming import HammingIndex

    rows = []
    memory_per_hash = 0.0
    single_at_largest: tuple[float, float] = (0.0, 0.0)
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    for n in sizes:
        words = _random_words(n, seed=n)
        built = time.perf_counter()
        content = HammingIndex()
        content.add(np.arange(n, dtype=np.int64), words)
        build = time.perf_counter() - built
        memory = sum(a.nbytes for s in content._segments for a in s.arrays().values())
        memory_per_hash = memory / n
        queries = _queries(words, 2000, seed=7)
        del words
        p50, p99 = latencies(partial(content.search, radius=31), queries[:1000])
        batch = _queries(queries, 10_000, seed=9)
        started = time.perf_counter()
        content.search(batch, 31)
        batch_seconds = time.perf_counter() - started
        print(n, p50, p99, batch_seconds, file=sys.stderr)
        rows.append(
            [f"{n:.0e}", f"{p50:.2f}", f"{p99:.2f}", f"{batch_seconds * 1000:,.0f}",
             f"{memory / 2**20:,.0f}", f"{memory_per_hash:.0f}", f"{build:.0f}"]
        )  # fmt: skip
        single_at_largest = (p50, p99)
        del content
    lines = [
        "## Content index: new bank hashes checked against the platform's content",
        "",
        "One index over N random 256-bit content hashes, one core. *One new hash*: 1,000 "
        "lookups at PDQ's radius 31, one at a time (half near copies of indexed hashes, half "
        "new; after 200 to warm up); *1e4 new hashes*: one batch of 10,000 (as an import or "
        "exchange page brings them). Memory is the index's arrays (hashes included).",
        "",
        *table(
            [
                "content hashes",
                "one new hash p50 ms",
                "p99 ms",
                "1e4 new hashes ms",
                "memory MB",
                "bytes per hash",
                "build s",
            ],
            rows,
        ),
    ]
    if args.shards:
        lines += _sharded(sizes[-1], args.shards, single_at_largest, memory_per_hash)
    return lines


def _sharded(n: int, shards: int, single: tuple[float, float], per_hash: float) -> list[str]:
    import ray

    from consentry.matching.shards import RemoteIndex
    from consentry.signals.pdq import PdqIndex

    class FilledShard:
        """A shard that makes its own share of the random set (no transfer to set it up),
        searched as content and bank shards are (`RemoteIndex`)."""

        def __init__(self, n: int, seed: int) -> None:
            self.index = PdqIndex()
            self.index.index.add(np.arange(n, dtype=np.int64) * 1000 + seed, _random_words(n, seed))

        def search(self, kind: str, values: list[str], radius: int, seq: int) -> object:
            return self.index.search(values, radius)

        def size(self, kind: str) -> int:
            return len(self.index)

    ray.init(num_cpus=shards, include_dashboard=False, log_to_driver=False)
    try:
        built = time.perf_counter()
        actors = [ray.remote(FilledShard).remote(n // shards, k) for k in range(shards)]
        ray.get([a.size.remote("pdq") for a in actors])
        build = time.perf_counter() - built
        sharded = RemoteIndex("pdq", actors, lambda: 0)
        words = _queries(_random_words(100_000, 0), 11_000, 3)
        queries = [w.astype(">u8").tobytes().hex() for w in words]
        for value in queries[:200]:  # warm-up, as for one index
            sharded.search([value], 31)
        times = []
        for value in queries[:1000]:
            start = time.perf_counter()
            sharded.search([value], 31)
            times.append((time.perf_counter() - start) * 1000)
        p50, p99 = float(np.percentile(times, 50)), float(np.percentile(times, 99))
        started = time.perf_counter()
        sharded.search(queries[1000:], 31)
        batch = time.perf_counter() - started
    finally:
        ray.shutdown()
    print("sharded", p50, p99, build, file=sys.stderr)
    return [
        f"### Sharded: {n:.0e} hashes in {shards} Ray actors vs one index",
        "",
        f"Each actor holds {n // shards:,} hashes (made in the actor); a lookup asks every "
        "shard at once (`ray.get` over the actors' `search`) and merges: still exact. Ray's "
        f"local runtime, {shards} CPUs; queries as above (random, with near copies).",
        "",
        *table(
            ["index", "one new hash p50 ms", "p99 ms", "1e4 new hashes ms", "build s"],
            [
                [f"one index, {n:.0e}", f"{single[0]:.2f}", f"{single[1]:.2f}", "", ""],
                [
                    f"{shards} shards, {n:.0e}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    f"{batch * 1000:,.0f}",
                    f"{build:.0f}",
                ],
            ],
        ),
        f"Memory per hash at {n:.0e}: {per_hash:.0f} bytes (hashes, ids and 11 substring "
        f"tables). 1e9 content hashes: {per_hash * 1e9 / 2**30:,.0f} GiB of index, e.g. "
        f"{int(np.ceil(per_hash * 1e9 / 2**30 / 48))} shards of at most 48 GiB (on 64 GiB "
        "nodes), or more, smaller ones. Every shard searches every query over its share, in "
        "parallel: a lookup costs the slowest shard's search plus Ray's call (about 1 ms), "
        "so it stays near the figure of one shard's size; here the two actors and the "
        "driver share two cores.",
        "",
    ]
