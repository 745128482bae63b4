"""The memory floor under a batch of new bank hashes checked against the content index
(`bench/scale.py floor`): how many reads an exact lookup must make at each size, by the
index's own cost model, times what one read of the index's memory costs on this machine.

Whatever the code, an exact radius-31 lookup by multi-index hashing reads a bucket for
every probe and a stored hash for every candidate; the index picks the layout with the
fewest of both (`signals.hamming._layout`). Reads are timed over an array as large as
the largest index's hashes, in random order and sorted by address (the best any
batching could arrange): the floor is reads times the sorted cost, on one core."""

from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np
from common import table

from consentry.signals.hamming import DESIGN_RADIUS, _layout, _probe_count

BATCH = 10_000
BUDGET_SECONDS = 1.0
_READS = 20_000_000


@numba.njit(cache=False)
def _gather(array: np.ndarray, positions: np.ndarray) -> int:
    total = 0
    for p in positions:
        total += array[p]
    return total


def _read_ns(words: int) -> tuple[float, float]:
    """Nanoseconds per 8-byte read over `words` words: random order, then sorted."""
    array = np.ones(words, dtype=np.uint64)  # written: every page is backed
    positions = np.random.default_rng(0).integers(0, words, _READS)
    _gather(array, positions[:10])
    costs = []
    for order in (positions, np.sort(positions)):
        started = time.perf_counter()
        _gather(array, order)
        costs.append((time.perf_counter() - started) / _READS * 1e9)
    return costs[0], costs[1]


def reads_per_lookup(n: int, radius: int = DESIGN_RADIUS) -> tuple[int, float]:
    """Bucket probes and expected candidates of one lookup among n random hashes."""
    _, lengths = _layout(n)
    probes = _probe_count(lengths, radius)
    per_table = radius // len(lengths)
    candidates = sum(
        sum(math.comb(int(length), f) for f in range(min(per_table, int(length)) + 1))
        * n
        / 2.0 ** int(length)
        for length in lengths
    )
    return probes, candidates


def floor(args: argparse.Namespace) -> list[str]:
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    random_ns, sorted_ns = _read_ns(4 * max(sizes))
    rows = []
    for n in sizes:
        probes, candidates = reads_per_lookup(n)
        reads = BATCH * (probes + candidates)
        seconds = reads * sorted_ns / 1e9
        rows.append(
            [
                f"{n:.0e}",
                f"{probes:,}",
                f"{candidates:,.0f}",
                f"{reads:.1e}",
                f"{reads * random_ns / 1e9:.1f}",
                f"{seconds:.1f}",
                f"{int(np.ceil(seconds / BUDGET_SECONDS))}",
            ]
        )
    return [
        "## The memory floor under 1e4 new hashes",
        "",
        f"Reads over {4 * max(sizes) * 8 / 2**30:.1f} GiB (the largest index's hashes) on "
        f"this machine: {random_ns:.1f} ns each in random order, {sorted_ns:.1f} ns sorted "
        "by address. Reads per lookup by the index's own cost model at radius "
        f"{DESIGN_RADIUS} (one per bucket probed, one per expected candidate among random "
        "hashes; the index reads more: ids, offsets). The floor counts every read at the "
        "sorted cost, on one core, and no sorting; the index part above gives the time "
        "measured.",
        "",
        *table(
            [
                "content hashes",
                "probes per lookup",
                "candidates per lookup",
                f"reads per {BATCH:.0e}",
                "s at random reads",
                "floor s (sorted reads)",
                f"cores for {BUDGET_SECONDS:.0f} s",
            ],
            rows,
        ),
    ]
