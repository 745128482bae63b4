"""What the matcher knows of each entry, in arrays indexed by entry id (millions fit in MBs)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from consentry.banks.models import EntryStatus
from consentry.matching.share import Share

# Persisted in snapshots: a code, once given, never changes meaning (0 = unknown).
_STATUS_CODES = {
    EntryStatus.PENDING: 1,
    EntryStatus.CONFIRMED: 2,
    EntryStatus.WITHDRAWN: 3,
    EntryStatus.REVOKED: 4,
}
_STATUS_BY_CODE = {code: status for status, code in _STATUS_CODES.items()}


_MATCHABLE = [_STATUS_CODES[s] for s in EntryStatus if s.matchable]


def _grown(array: npt.NDArray[Any], size: int, fill: float = 0) -> npt.NDArray[Any]:
    out = np.full(size, fill, dtype=array.dtype)
    out[: len(array)] = array
    return out


class EntryRegistry:
    """Bank, status, entry group and (a video frame's) time of every entry the matcher
    has seen (0 = unknown/none; no time: NaN), and each group's matchable frames.

    A bank shard's registry holds its `share` only, a slot for each of its ids (entry
    id // shards): 17 bytes an entry of its own, not of every entry. Its frame counts
    are of its share; shards only search, the worker's matcher composes matches."""

    def __init__(self, capacity: int = 1024, share: Share | None = None) -> None:
        capacity = max(capacity, 1)
        self.share = share
        self._bank = np.zeros(capacity, dtype=np.int32)
        self._status = np.zeros(capacity, dtype=np.int8)
        self._group = np.zeros(capacity, dtype=np.int64)
        self._time = np.full(capacity, np.nan, dtype=np.float32)
        self._frames: Counter[int] = Counter()

    def _slot(self, entry_id: int) -> int:
        """Where the entry is kept; -1 for an entry of another shard."""
        if self.share is None:
            return entry_id
        return entry_id // self.share.shards if self.share.picks(entry_id) else -1

    def _slots(self, entry_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if self.share is None:
            return entry_ids
        if np.any(entry_ids % self.share.shards != self.share.shard):
            raise ValueError("entries of another shard")
        return entry_ids // self.share.shards

    def _grow(self, slot: int) -> None:
        if slot >= len(self._bank):
            size = max(slot + 1, 2 * len(self._bank))
            self._bank = _grown(self._bank, size)
            self._status = _grown(self._status, size)
            self._group = _grown(self._group, size)
            self._time = _grown(self._time, size, np.nan)

    def _frame_group(self, slot: int) -> int:
        """The group a matchable frame counts in (0: not a matchable frame)."""
        if np.isnan(self._time[slot]) or self._status[slot] not in _MATCHABLE:
            return 0
        return int(self._group[slot])

    def set(
        self,
        entry_id: int,
        bank_id: int,
        status: EntryStatus,
        group_id: int = 0,
        at: float | None = None,
    ) -> None:
        slot = self._slot(entry_id)
        if slot < 0:
            raise ValueError(f"entry {entry_id} is another shard's")
        self._grow(slot)
        before = self._frame_group(slot)
        self._bank[slot] = bank_id
        self._status[slot] = _STATUS_CODES[status]
        self._group[slot] = group_id
        self._time[slot] = np.nan if at is None else at
        after = self._frame_group(slot)
        if before != after:
            self._frames[before] -= 1
            self._frames[after] += 1

    def set_many(
        self,
        entry_ids: npt.NDArray[np.int64],
        bank_ids: npt.NDArray[np.int64],
        status_codes: npt.NDArray[np.int8],
        group_ids: npt.NDArray[np.int64],
        times: npt.NDArray[np.float32] | None = None,
    ) -> None:
        if len(entry_ids):
            slots = self._slots(entry_ids)
            self._grow(int(slots.max()))
            # Only these entries' counts change: a load in batches stays linear.
            self._count_frames(slots, -1)
            self._bank[slots] = bank_ids
            self._status[slots] = status_codes
            self._group[slots] = group_ids
            self._time[slots] = np.nan if times is None else times
            self._count_frames(slots, +1)

    def _count_frames(self, slots: npt.NDArray[np.int64] | None = None, sign: int = 1) -> None:
        """Add (or with sign -1 take away) the matchable frames in `slots` (all when
        None) to their groups' counts."""
        at = np.arange(len(self._time)) if slots is None else slots
        framed = ~np.isnan(self._time[at]) & np.isin(self._status[at], _MATCHABLE)
        groups, counts = np.unique(self._group[at][framed], return_counts=True)
        for group, count in zip(groups.tolist(), counts.tolist(), strict=True):
            self._frames[group] += sign * count

    def arrays(
        self,
    ) -> tuple[
        npt.NDArray[np.int32], npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.float32]
    ]:
        return self._bank, self._status, self._group, self._time

    @classmethod
    def from_arrays(
        cls,
        bank: npt.NDArray[np.int32],
        status: npt.NDArray[np.int8],
        group: npt.NDArray[np.int64] | None = None,
        time: npt.NDArray[np.float32] | None = None,
    ) -> EntryRegistry:
        registry = cls(0)
        registry._bank, registry._status = bank.astype(np.int32), status.astype(np.int8)
        registry._group = (
            np.zeros(len(bank), dtype=np.int64) if group is None else group.astype(np.int64)
        )
        registry._time = (
            np.full(len(bank), np.nan, np.float32) if time is None else time.astype(np.float32)
        )
        registry._count_frames()
        return registry

    def _known(self, entry_id: int) -> int:
        """The entry's slot, or -1 when it has none here."""
        slot = self._slot(entry_id)
        return slot if slot < len(self._status) else -1

    def time(self, entry_id: int) -> float:
        """A frame's time in its video, seconds (NaN: not a frame)."""
        slot = self._known(entry_id)
        return float(self._time[slot]) if slot >= 0 else float("nan")

    def frames(self, group_id: int) -> int:
        """How many matchable frames the video (entry group) has."""
        return self._frames[group_id] if group_id else 0  # key 0 counts entries outside groups

    def group(self, entry_id: int) -> int:
        slot = self._known(entry_id)
        return int(self._group[slot]) if slot >= 0 else 0

    def status(self, entry_id: int) -> EntryStatus | None:
        slot = self._known(entry_id)
        if slot < 0 or self._status[slot] == 0:
            return None
        return _STATUS_BY_CODE[int(self._status[slot])]

    def bank(self, entry_id: int) -> int:
        slot = self._known(entry_id)
        return int(self._bank[slot]) if slot >= 0 else 0

    @staticmethod
    def code(status: EntryStatus) -> int:
        return _STATUS_CODES[status]
