import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentry.signals import hamming as index_module
from consentry.signals.hamming import HammingIndex, words_from_bytes


def brute_force(
    hashes: list[bytes], ids: list[int], dead: set[int], query: bytes, radius: int
) -> set[tuple[int, int]]:
    q = int.from_bytes(query, "big")
    out = set()
    for value, entry_id in zip(hashes, ids, strict=True):
        d = (int.from_bytes(value, "big") ^ q).bit_count()
        if d <= radius and entry_id not in dead:
            out.add((entry_id, d))
    return out


def flip(value: bytes, bits: list[int]) -> bytes:
    number = int.from_bytes(value, "big")
    for bit in bits:
        number ^= 1 << bit
    return number.to_bytes(32, "big")


@pytest.fixture(params=[8, 4096], ids=["tables", "scan"])
def scan_max(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Small SCAN_MAX forces bucket tables even for a handful of hashes."""
    monkeypatch.setattr(index_module, "SCAN_MAX", request.param)
    return int(request.param)


hashes_strategy = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=60)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bases=hashes_strategy,
    data=st.data(),
    radius=st.integers(0, 40),
)
def test_search_equals_brute_force(
    scan_max: int, bases: list[bytes], data: st.DataObject, radius: int
) -> None:
    # Clustered: each base has near copies at distances around the radius, and duplicates.
    hashes: list[bytes] = []
    for base in bases:
        hashes.append(base)
        for distance in data.draw(
            st.lists(st.sampled_from([radius - 1, radius, radius + 1, 0]), max_size=4)
        ):
            bits = data.draw(
                st.lists(
                    st.integers(0, 255),
                    min_size=max(distance, 0),
                    max_size=max(distance, 0),
                    unique=True,
                )
            )
            hashes.append(flip(base, bits))
    ids = list(range(1000, 1000 + len(hashes)))
    index = HammingIndex()
    split = data.draw(st.integers(0, len(hashes)))
    index.add(np.array(ids[:split]), words_from_bytes(hashes[:split]))
    index.add(np.array(ids[split:]), words_from_bytes(hashes[split:]))
    dead = set(data.draw(st.lists(st.sampled_from(ids), max_size=5)))
    index.remove(np.array(sorted(dead), dtype=np.int64))
    queries = [*bases[:3], data.draw(st.binary(min_size=32, max_size=32))]
    result = index.search(words_from_bytes(queries), radius)
    for qi, query in enumerate(queries):
        mask = result.query == qi
        got = set(zip(result.ids[mask].tolist(), result.distances[mask].tolist(), strict=True))
        assert len(got) == int(mask.sum()), "an entry was reported twice"
        assert got == brute_force(hashes, ids, dead, query, radius)


def test_large_clustered_index_equals_brute_force() -> None:
    rng = np.random.default_rng(7)
    centres = rng.integers(0, 256, size=(40, 32), dtype=np.uint8)
    rows = []
    for i in range(30_000):
        value = centres[i % 40].copy()
        bits = rng.choice(256, size=rng.integers(0, 45), replace=False)
        for bit in bits:
            value[bit // 8] ^= 1 << (7 - bit % 8)
        rows.append(value.tobytes())
    ids = np.arange(len(rows), dtype=np.int64) * 3 + 1
    index = HammingIndex()
    index.add(ids[:20_000], words_from_bytes(rows[:20_000]))
    for start in range(20_000, 30_000, 1000):
        index.add(ids[start : start + 1000], words_from_bytes(rows[start : start + 1000]))
    assert len(index) == 30_000
    index.remove(ids[::7])
    queries = [centres[k].tobytes() for k in range(5)] + [rows[11]]
    result = index.search(words_from_bytes(queries), 31)
    dead = set(ids[::7].tolist())
    for qi, query in enumerate(queries):
        mask = result.query == qi
        got = set(zip(result.ids[mask].tolist(), result.distances[mask].tolist(), strict=True))
        assert got == brute_force(rows, ids.tolist(), dead, query, 31)
        assert len(got) == int(mask.sum())


def test_removed_hash_never_matches_again() -> None:
    index = HammingIndex()
    value = bytes(range(32))
    index.add(np.array([5]), words_from_bytes([value]))
    assert index.search(words_from_bytes([value]), 0).ids.tolist() == [5]
    assert index.remove(np.array([5])) == 1
    assert index.search(words_from_bytes([value]), 31).ids.tolist() == []
    assert index.remove(np.array([5])) == 0
    assert len(index) == 0


def test_snapshot_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = [rng.bytes(32) for _ in range(10_000)]
    index = HammingIndex()
    index.add(np.arange(10_000), words_from_bytes(rows))
    index.add(np.array([20_000]), words_from_bytes([rows[0]]))
    index.remove(np.array([1]))
    index.save(tmp_path / "snap")
    loaded = HammingIndex.load(tmp_path / "snap")
    assert len(loaded) == len(index) == 10_000
    for probe in (rows[0], rows[1], rows[5000]):
        a = index.search(words_from_bytes([probe]), 31)
        b = loaded.search(words_from_bytes([probe]), 31)
        assert sorted(a.ids.tolist()) == sorted(b.ids.tolist())
    assert sorted(loaded.search(words_from_bytes([rows[0]]), 0).ids.tolist()) == [0, 20_000]


def test_radius_is_bounded() -> None:
    with pytest.raises(ValueError, match="radius"):
        HammingIndex().search(words_from_bytes([bytes(32)]), 65)


def test_lookups_go_on_while_segments_merge() -> None:
    """Merges are built off the lock: a known hash is found throughout, and nothing is lost."""
    rng = np.random.default_rng(5)
    base = [rng.bytes(32) for _ in range(20_000)]
    index = HammingIndex()
    index.add(np.arange(20_000), words_from_bytes(base))
    extra = [rng.bytes(32) for _ in range(12_000)]
    done = threading.Event()

    def adder() -> None:
        for start in range(0, 12_000, 500):
            index.add(
                np.arange(100_000 + start, 100_500 + start),
                words_from_bytes(extra[start : start + 500]),
            )
            index.remove(np.array([100_000 + start]))
        done.set()

    thread = threading.Thread(target=adder)
    thread.start()
    probe = words_from_bytes([base[123]])
    while not done.is_set():
        assert 123 in index.search(probe, 0).ids.tolist()
    thread.join()
    assert len(index) == 20_000 + 12_000 - 24
    for k in (0, 499, 11_999):
        found = index.search(words_from_bytes([extra[k]]), 0).ids.tolist()
        assert found == ([] if k % 500 == 0 else [100_000 + k])
