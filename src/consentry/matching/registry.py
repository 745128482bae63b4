"""What the matcher knows of each entry, in arrays indexed by entry id (millions fit in MBs)."""

from __future__ import annotations

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


def _grown(array: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    out = np.zeros(size, dtype=array.dtype)
    out[: len(array)] = array
    return out


class EntryRegistry:
    """Bank, status and entry group of every entry the matcher has seen (0 = unknown/none)."""

    def __init__(self, capacity: int = 1024) -> None:
        capacity = max(capacity, 1)
        self._bank = np.zeros(capacity, dtype=np.int32)
        self._status = np.zeros(capacity, dtype=np.int8)
        self._group = np.zeros(capacity, dtype=np.int64)

    def _grow(self, entry_id: int) -> None:
        if entry_id >= len(self._bank):
            size = max(entry_id + 1, 2 * len(self._bank))
            self._bank = _grown(self._bank, size)
            self._status = _grown(self._status, size)
            self._group = _grown(self._group, size)

    def set(self, entry_id: int, bank_id: int, status: EntryStatus, group_id: int = 0) -> None:
        self._grow(entry_id)
        self._bank[entry_id] = bank_id
        self._status[entry_id] = _STATUS_CODES[status]
        self._group[entry_id] = group_id

    def set_many(
        self,
        entry_ids: npt.NDArray[np.int64],
        bank_ids: npt.NDArray[np.int64],
        status_codes: npt.NDArray[np.int8],
        group_ids: npt.NDArray[np.int64],
    ) -> None:
        if len(entry_ids):
            self._grow(int(entry_ids.max()))
            self._bank[entry_ids] = bank_ids
            self._status[entry_ids] = status_codes
            self._group[entry_ids] = group_ids

    def arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int8], npt.NDArray[np.int64]]:
        return self._bank, self._status, self._group

    @classmethod
    def from_arrays(
        cls,
        bank: npt.NDArray[np.int32],
        status: npt.NDArray[np.int8],
        group: npt.NDArray[np.int64] | None = None,
    ) -> EntryRegistry:
        registry = cls(0)
        registry._bank, registry._status = bank.astype(np.int32), status.astype(np.int8)
        registry._group = (
            np.zeros(len(bank), dtype=np.int64) if group is None else group.astype(np.int64)
        )
        return registry

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
