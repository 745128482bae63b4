"""Cryptographic digests (SHA-256, MD5): a match is byte-for-byte the same file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

from consentry.hashing.signals import ImageSignals
from consentry.signals.base import Hit, SignalIndex, SignalKind


class ExactIndex(SignalIndex):
    def __init__(self) -> None:
        self._ids: defaultdict[str, set[int]] = defaultdict(set)
        self._value_of: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._value_of)

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        for entry_id, value in zip(ids, values, strict=True):
            self._ids[value].add(entry_id)
            self._value_of[entry_id] = value

    def commit(self) -> None:
        pass  # staged entries are searchable at once

    def remove(self, ids: Sequence[int]) -> None:
        for entry_id in ids:
            value = self._value_of.pop(entry_id, None)
            if value is not None:
                self._ids[value].discard(entry_id)

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        return [
            Hit(query, entry_id, 0, value)
            for query, value in enumerate(values)
            for entry_id in sorted(self._ids.get(value, ()))
        ]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        entries = sorted(self._value_of.items())
        np.save(folder / "ids.npy", np.array([e for e, _ in entries], dtype=np.int64))
        np.save(folder / "values.npy", np.array([v.encode() for _, v in entries], dtype="S"))

    @classmethod
    def load(cls, folder: Path) -> ExactIndex:
        index = cls()
        ids = np.load(folder / "ids.npy").tolist()
        values = [v.decode() for v in np.load(folder / "values.npy").tolist()]
        index.stage(ids, values)
        return index


class DigestKind(SignalKind):
    default_threshold = 0
    value_variant: ClassVar[str] = "exact"

    def distance(self, a: str, b: str) -> int:
        return 0 if a == b else 1

    def new_index(self) -> SignalIndex:
        return ExactIndex()

    def load_index(self, folder: Path) -> SignalIndex:
        return ExactIndex.load(folder)


class Sha256(DigestKind):
    name = "sha256"
    hex_digits = 64

    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        return [(self.value_variant, signals.sha256)]


class Md5(DigestKind):
    name = "md5"
    hex_digits = 32

    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        return [(self.value_variant, signals.md5)]
