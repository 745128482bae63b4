"""What the matcher knows of each entry, in arrays indexed by entry id (millions fit in MBs)."""

from __future__ import annotations

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


class EntryRegistry:
    """Bank and status of every entry the matcher has seen (0 = unknown)."""

    def __init__(self, capacity: int = 1024) -> None:
        capacity = max(capacity, 1)
        self._bank = np.zeros(capacity, dtype=np.int32)
        self._status = np.zeros(capacity, dtype=np.int8)

    def _grow(self, entry_id: int) -> None:
        if entry_id >= len(self._bank):
            size = max(entry_id + 1, 2 * len(self._bank))
            self._bank = np.resize(self._bank, size)
            self._bank[len(self._status) :] = 0
            status = np.zeros(size, dtype=np.int8)
            status[: len(self._status)] = self._status
            self._status = status

    def set(self, entry_id: int, bank_id: int, status: EntryStatus) -> None:
        self._grow(entry_id)
        self._bank[entry_id] = bank_id
        self._status[entry_id] = _STATUS_CODES[status]

    def set_many(
        self,
        entry_ids: npt.NDArray[np.int64],
        bank_ids: npt.NDArray[np.int64],
        status_codes: npt.NDArray[np.int8],
    ) -> None:
        if len(entry_ids):
            self._grow(int(entry_ids.max()))
            self._bank[entry_ids] = bank_ids
            self._status[entry_ids] = status_codes

    def arrays(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int8]]:
        return self._bank, self._status

    @classmethod
    def from_arrays(
        cls, bank: npt.NDArray[np.int32], status: npt.NDArray[np.int8]
    ) -> EntryRegistry:
        registry = cls(0)
        registry._bank, registry._status = bank.astype(np.int32), status.astype(np.int8)
        return registry

    def status(self, entry_id: int) -> EntryStatus | None:
        if entry_id >= len(self._status) or self._status[entry_id] == 0:
            return None
        return _STATUS_BY_CODE[int(self._status[entry_id])]

    def bank(self, entry_id: int) -> int:
        return int(self._bank[entry_id]) if entry_id < len(self._bank) else 0

    @staticmethod
    def code(status: EntryStatus) -> int:
        return _STATUS_CODES[status]
