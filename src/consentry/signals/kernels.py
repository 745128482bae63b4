"""Compiled loops of the Hamming index (numba). Plain arrays in, plain arrays out.

A 256-bit hash is four uint64 words, most significant first. A table views a
hash through one substring of bits (`start`, `length`), as in multi-index
hashing (Norouzi et al.): entries are bucketed by that substring's value, so a
query only visits the buckets within a small radius of its own substring.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_ONE = np.uint64(1)


@njit(cache=True, inline="always")
def popcount(x):  # type: ignore[no-untyped-def]
    x = x - ((x >> _ONE) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(cache=True, inline="always")
def distance(words, row, query):  # type: ignore[no-untyped-def]
    return (
        popcount(words[row, 0] ^ query[0])
        + popcount(words[row, 1] ^ query[1])
        + popcount(words[row, 2] ^ query[2])
        + popcount(words[row, 3] ^ query[3])
    )


@njit(cache=True, inline="always")
def substring(hash_words, start, length):  # type: ignore[no-untyped-def]
    """Bits [start, start + length) of the hash, counted from its most significant bit."""
    word = start // 64
    offset = start % 64
    if offset + length <= 64:
        shift = np.uint64(64 - offset - length)
        return (hash_words[word] >> shift) & ((_ONE << np.uint64(length)) - _ONE)
    high_bits = 64 - offset
    low_bits = length - high_bits
    high = hash_words[word] & ((_ONE << np.uint64(high_bits)) - _ONE)
    low = hash_words[word + 1] >> np.uint64(64 - low_bits)
    return (high << np.uint64(low_bits)) | low


@njit(cache=True, inline="always")
def _emit(found, qi, row, d, out_query, out_row, out_distance):  # type: ignore[no-untyped-def]
    """Write result number `found` if there is room (the caller retries with more)."""
    if found < out_row.shape[0]:
        out_query[found] = qi
        out_row[found] = row
        out_distance[found] = d
    return found + 1


@njit(cache=True)
def build_table(words, start, length):  # type: ignore[no-untyped-def]
    """Bucket offsets (2**length + 1) and the rows ordered by bucket (a counting sort)."""
    n = words.shape[0]
    buckets = 1 << length
    keys = np.empty(n, dtype=np.int64)
    offsets = np.zeros(buckets + 1, dtype=np.uint32)
    for row in range(n):
        key = np.int64(substring(words[row], start, length))
        keys[row] = key
        offsets[key + 1] += 1
    for bucket in range(buckets):
        offsets[bucket + 1] += offsets[bucket]
    fill = offsets[:-1].copy()
    order = np.empty(n, dtype=np.uint32)
    for row in range(n):
        key = keys[row]
        order[fill[key]] = row
        fill[key] += 1
    return offsets, order


@njit(cache=True)
def _next_combination(positions, k, n):  # type: ignore[no-untyped-def]
    """Advance `positions[:k]` to the next k-subset of range(n); False when done."""
    i = k - 1
    while i >= 0 and positions[i] == n - k + i:
        i -= 1
    if i < 0:
        return False
    positions[i] += 1
    for j in range(i + 1, k):
        positions[j] = positions[j - 1] + 1
    return True


@njit(cache=True)
def _probe_ranges(query, starts, lengths, table_offsets, offsets, per_table, firsts, lasts, owners):  # type: ignore[no-untyped-def]
    """Bucket ranges of every key within `per_table` bits of the query's substrings."""
    count = 0
    positions = np.empty(max(per_table, 1), dtype=np.int64)
    for t in range(starts.shape[0]):
        length = lengths[t]
        base = table_offsets[t]
        key = substring(query, starts[t], length)
        for flips in range(min(per_table, length) + 1):
            for j in range(flips):
                positions[j] = j
            while True:
                probe = key
                for j in range(flips):
                    probe ^= _ONE << np.uint64(positions[j])
                firsts[count] = base + np.int64(probe)  # the bucket, until its bounds are read
                owners[count] = t
                count += 1
                if flips == 0 or not _next_combination(positions, flips, length):
                    break
    # The buckets' bounds in a pass of their own: reads with nothing between them, so
    # the processor keeps many cache misses in flight at once.
    for p in range(count):
        at = firsts[p]
        firsts[p] = offsets[at]
        lasts[p] = offsets[at + 1]
    return count


@njit(cache=True)
def search_tables(  # type: ignore[no-untyped-def]
    words,
    alive,
    starts,
    lengths,
    table_offsets,
    offsets,
    orders,
    probes,
    queries,
    radius,
    out_query,
    out_row,
    out_distance,
):
    """Every alive row within `radius` of each query; returns how many were found.

    Pigeonhole: with m tables, a row within `radius` is within radius // m of
    the query on at least one table, so probing those buckets misses nothing.
    A row is reported only by the first table that can see it, so never twice.
    The work runs in passes of independent memory reads (bucket ranges, then
    candidate rows, then their hashes) so that the processor overlaps the cache
    misses instead of waiting on each in turn. `probes` is the number of bucket
    probes per query. Results beyond the outputs' capacity are counted, not written.
    """
    per_table = radius // starts.shape[0]
    n = words.shape[0]
    firsts = np.empty(probes, dtype=np.int64)
    lasts = np.empty(probes, dtype=np.int64)
    owners = np.empty(probes, dtype=np.int64)
    candidates = np.empty(1024, dtype=np.int64)
    hashes = np.empty((1024, 4), dtype=np.uint64)
    found = 0
    for qi in range(queries.shape[0]):
        query = queries[qi]
        count = _probe_ranges(
            query, starts, lengths, table_offsets, offsets, per_table, firsts, lasts, owners
        )
        total = 0
        for p in range(count):
            total += lasts[p] - firsts[p]
        if total > candidates.shape[0]:
            candidates = np.empty(total, dtype=np.int64)
        k = 0
        for p in range(count):
            order_base = owners[p] * n
            for slot in range(firsts[p], lasts[p]):
                candidates[k] = orders[order_base + slot]
                k += 1
        if total > hashes.shape[0]:
            hashes = np.empty((total, 4), dtype=np.uint64)
        for c in range(total):  # the candidates' hashes, a pass of reads as above
            row = candidates[c]
            hashes[c, 0] = words[row, 0]
            hashes[c, 1] = words[row, 1]
            hashes[c, 2] = words[row, 2]
            hashes[c, 3] = words[row, 3]
        k = 0
        for p in range(count):
            t = owners[p]
            for _ in range(lasts[p] - firsts[p]):
                row = candidates[k]
                d = distance(hashes, k, query)
                k += 1
                if d > radius or not alive[row]:
                    continue
                seen = False
                for earlier in range(t):
                    other = substring(words[row], starts[earlier], lengths[earlier])
                    mine = substring(query, starts[earlier], lengths[earlier])
                    if popcount(other ^ mine) <= per_table:
                        seen = True
                        break
                if not seen:
                    found = _emit(found, qi, row, d, out_query, out_row, out_distance)
    return found


@njit(cache=True)
def search_all(words, alive, queries, radius, out_query, out_row, out_distance):  # type: ignore[no-untyped-def]
    """Brute force over every alive row: for small segments, and as the tests' oracle."""
    found = 0
    for qi in range(queries.shape[0]):
        query = queries[qi]
        for row in range(words.shape[0]):
            if not alive[row]:
                continue
            d = distance(words, row, query)
            if d <= radius:
                found = _emit(found, qi, row, d, out_query, out_row, out_distance)
    return found
