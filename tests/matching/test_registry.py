"""The registry of what the matcher knows of each entry, whole or a shard's share."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.banks.models import EntryStatus
from consentry.matching.registry import EntryRegistry
from consentry.matching.share import Share

_CHANGES = st.lists(
    st.tuples(
        st.integers(1, 5_000),  # entry id
        st.integers(1, 9),  # bank
        st.sampled_from(list(EntryStatus)),
        st.integers(0, 3),  # group
        st.one_of(st.none(), st.floats(0, 600, width=32)),  # a frame's time
    ),
    max_size=60,
)


@settings(max_examples=50, deadline=None)
@given(changes=_CHANGES, shards=st.integers(1, 4), bulk=st.booleans())
def test_a_shard_knows_its_share_as_the_whole_registry_does(
    changes: list[tuple[int, int, EntryStatus, int, float | None]], shards: int, bulk: bool
) -> None:
    whole = EntryRegistry()
    parts = [EntryRegistry(share=Share(k, shards)) for k in range(shards)]
    for entry_id, bank, status, group, at in changes:
        whole.set(entry_id, bank, status, group, at)
        part = parts[entry_id % shards]
        if bulk:  # as a load sets them, a batch at a time
            part.set_many(
                np.array([entry_id]),
                np.array([bank]),
                np.array([EntryRegistry.code(status)], dtype=np.int8),
                np.array([group]),
                None if at is None else np.array([at], dtype=np.float32),
            )
        else:
            part.set(entry_id, bank, status, group, at)
    for entry_id in {c[0] for c in changes} | {1, 4_999}:
        mine = parts[entry_id % shards]
        assert mine.status(entry_id) == whole.status(entry_id)
        assert mine.bank(entry_id) == whole.bank(entry_id)
        assert mine.group(entry_id) == whole.group(entry_id)
        assert np.isnan(mine.time(entry_id)) == np.isnan(whole.time(entry_id))
        for other in parts:
            if other is not mine:
                assert other.status(entry_id) is None
                assert other.bank(entry_id) == 0
    for group in range(1, 4):
        assert sum(part.frames(group) for part in parts) == whole.frames(group)


def test_a_shard_keeps_a_slot_for_its_own_entries_only() -> None:
    share = Share(1, 4)
    registry = EntryRegistry(capacity=1, share=share)
    ids = np.arange(1, 400_000, 4, dtype=np.int64)
    codes = np.full(len(ids), EntryRegistry.code(EntryStatus.CONFIRMED), dtype=np.int8)
    registry.set_many(ids, np.ones(len(ids), np.int64), codes, np.zeros(len(ids), np.int64))
    assert len(registry.arrays()[0]) == 100_000  # a quarter of the ids' range
    assert registry.status(399_997) is EntryStatus.CONFIRMED
    with pytest.raises(ValueError, match="another shard"):
        registry.set(2, 1, EntryStatus.CONFIRMED)
    with pytest.raises(ValueError, match="another shard"):
        registry.set_many(np.array([2]), np.array([1]), codes[:1], np.array([0]))
