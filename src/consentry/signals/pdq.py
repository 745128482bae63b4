"""PDQ, Meta's perceptual hash: 256 bits compared by Hamming distance, indexed by
multi-index hashing (`hamming`). An image is looked up by its 8 rotations/flips, its
border-trimmed and its content-area hash, so a rotated, mirrored, letterboxed or
screenshotted copy is found too."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from consentry.hashing.pdq import MIN_RELIABLE_QUALITY
from consentry.hashing.pdq_core import VARIANT_NAMES
from consentry.hashing.signals import ImageSignals
from consentry.signals.base import Hit, SignalIndex, SignalKind
from consentry.signals.hamming import HammingIndex, words_from_bytes

DEFAULT_THRESHOLD = 31  # Meta's recommended PDQ match threshold


def _words(values: Sequence[str]) -> npt.NDArray[np.uint64]:
    return words_from_bytes([bytes.fromhex(value) for value in values])


class PdqIndex(SignalIndex):
    def __init__(self, index: HammingIndex | None = None) -> None:
        self.index = index or HammingIndex()
        # Staged batches as words (32 bytes an entry, not a Python string each).
        self._ids: list[npt.NDArray[np.int64]] = []
        self._words: list[npt.NDArray[np.uint64]] = []

    def __len__(self) -> int:
        return len(self.index)

    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        if len(ids):
            self._ids.append(np.asarray(ids, dtype=np.int64))
            self._words.append(_words(values))

    def commit(self) -> None:
        if self._ids:
            # One build of everything staged: cheaper than merging batch after batch.
            ids, words = np.concatenate(self._ids), np.concatenate(self._words)
            self._ids, self._words = [], []
            self.index.add(ids, words)

    def remove(self, ids: Sequence[int]) -> None:
        self.index.remove(np.asarray(ids, dtype=np.int64))

    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        if not values:
            return []
        found = self.index.search(_words(values), radius)
        return [
            Hit(query, entry_id, distance, words.astype(">u8").tobytes().hex())
            for query, entry_id, distance, words in zip(
                found.query.tolist(), found.ids.tolist(), found.distances.tolist(), found.hashes,
                strict=True,
            )
        ]  # fmt: skip

    def save(self, folder: Path) -> None:
        self.index.save(folder)


class Pdq(SignalKind):
    name = "pdq"
    hex_digits = 64
    default_threshold = DEFAULT_THRESHOLD
    value_variant = "original"
    uses_quality = True

    def distance(self, a: str, b: str) -> int:
        return (int(a, 16) ^ int(b, 16)).bit_count()

    def threshold(self, bank_threshold: int) -> int:
        return bank_threshold

    def usable(self, quality: int | None) -> bool:
        # Meta's guidance: hashes of quality below 50 are unreliable for matching.
        return quality is None or quality >= MIN_RELIABLE_QUALITY

    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        named = [(n, h.to_hex()) for n, h in zip(VARIANT_NAMES, signals.variants, strict=True)]
        if signals.trimmed != signals.pdq:
            named.append(("trimmed", signals.trimmed.to_hex()))
        if signals.content not in (signals.pdq, signals.trimmed):
            named.append(("content", signals.content.to_hex()))
        return named

    def new_index(self) -> SignalIndex:
        return PdqIndex()

    def load_index(self, folder: Path) -> SignalIndex:
        return PdqIndex(HammingIndex.load(folder))
