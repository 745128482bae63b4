"""What the matcher knows of each entry, in arrays indexed by entry id (millions fit in MBs)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from consentry.banks.models import EntryStatus

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
    has seen (0 = unknown/none; no time: NaN), and each group's matchable frames."""

    def __init__(self, capacity: int = 1024) -> None:
        capacity = max(capacity, 1)
        self._bank = np.zeros(capacity, dtype=np.int32)
        self._status = np.zeros(capacity, dtype=np.int8)
        self._group = np.zeros(capacity, dtype=np.int64)
        self._time = np.full(capacity, np.nan, dtype=np.float32)
        self._frames: Counter[int] = Counter()

    def _grow(self, entry_id: int) -> None:
        if entry_id >= len(self._bank):
            size = max(entry_id + 1, 2 * len(self._bank))
            self._bank = _grown(self._bank, size)
            self._status = _grown(self._status, size)
            self._group = _grown(self._group, size)
            self._time = _grown(self._time, size, np.nan)

    def _frame_group(self, entry_id: int) -> int:
        """The group a matchable frame counts in (0: not a matchable frame)."""
        if np.isnan(self._time[entry_id]) or self._status[entry_id] not in _MATCHABLE:
            return 0
        return int(self._group[entry_id])

    def set(
        self,
        entry_id: int,
        bank_id: int,
        status: EntryStatus,
        group_id: int = 0,
        at: float | None = None,
    ) -> None:
        self._grow(entry_id)
        before = self._frame_group(entry_id)
        self._bank[entry_id] = bank_id
        self._status[entry_id] = _STATUS_CODES[status]
        self._group[entry_id] = group_id
        self._time[entry_id] = np.nan if at is None else at
        after = self._frame_group(entry_id)
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
            self._grow(int(entry_ids.max()))
            # Only these entries' counts change: a load in batches stays linear.
            self._count_frames(entry_ids, -1)
            self._bank[entry_ids] = bank_ids
            self._status[entry_ids] = status_codes
            self._group[entry_ids] = group_ids
            self._time[entry_ids] = np.nan if times is None else times
            self._count_frames(entry_ids, +1)

    def _count_frames(self, entry_ids: npt.NDArray[np.int64] | None = None, sign: int = 1) -> None:
        """Add (or with sign -1 take away) the matchable frames among `entry_ids` (all
        entries when None) to their groups' counts."""
        ids = np.arange(len(self._time)) if entry_ids is None else entry_ids
        framed = ~np.isnan(self._time[ids]) & np.isin(self._status[ids], _MATCHABLE)
        groups, counts = np.unique(self._group[ids][framed], return_counts=True)
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

    def time(self, entry_id: int) -> float:
        """A frame's time in its video, seconds (NaN: not a frame)."""
        return float(self._time[entry_id]) if entry_id < len(self._time) else float("nan")

    def frames(self, group_id: int) -> int:
        """How many matchable frames the video (entry group) has."""
        return self._frames[group_id] if group_id else 0  # key 0 counts entries outside groups

    def group(self, entry_id: int) -> int:
        return int(self._group[entry_id]) if entry_id < len(self._group) else 0

    def status(self, entry_id: int) -> EntryStatus | None:
        if entry_id >= len(self._status) or self._status[entry_id] == 0:
            return None
        return _STATUS_BY_CODE[int(self._status[entry_id])]

    def bank(self, entry_id: int) -> int:
        return int(self._bank[entry_id]) if entry_id < len(self._bank) else 0

    @staticmethod
    def code(status: EntryStatus) -> int:
        return _STATUS_CODES[status]
