"""The matcher: an image's signals (or a bare value) in, every bank match with its tier out.

It holds the PDQ index, the digests and what it knows of each entry, and is
kept current by applying the bank change log (`consentry.matching.follower`).
Only matchable entries (pending, confirmed) are ever in it: a withdrawn or
revoked entry leaves the index when its change is applied, and is checked
again at match time.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from consentry.banks.models import EntryStatus
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY, PdqHash
from consentry.hashing.pdq_core import VARIANT_NAMES
from consentry.hashing.signal_types import SignalType
from consentry.hashing.signals import ImageSignals
from consentry.matching.index import HammingIndex, words_from_bytes
from consentry.matching.registry import EntryRegistry
from consentry.matching.schemas import BankConfig, Match, Tier


@dataclass(frozen=True, slots=True)
class Query:
    """The signals to look up: PDQ hashes by variant name, digests, and the PDQ quality."""

    pdq: tuple[tuple[str, PdqHash], ...] = ()
    digests: tuple[tuple[SignalType, str], ...] = ()
    quality: int | None = None

    @classmethod
    def from_signals(cls, signals: ImageSignals) -> Query:
        named = list(zip(VARIANT_NAMES, signals.variants, strict=True))
        if signals.trimmed != signals.pdq:
            named.append(("trimmed", signals.trimmed))
        return cls(
            pdq=tuple(named),
            digests=((SignalType.SHA256, signals.sha256), (SignalType.MD5, signals.md5)),
            quality=signals.quality,
        )

    @classmethod
    def from_value(cls, signal_type: SignalType, value: str) -> Query:
        if signal_type is SignalType.PDQ:
            return cls(pdq=(("original", PdqHash.from_hex(value)),))
        return cls(digests=((signal_type, value.lower()),))

    @property
    def low_quality(self) -> bool:
        return self.quality is not None and self.quality < MIN_RELIABLE_QUALITY


@dataclass
class Matcher:
    index: HammingIndex = field(default_factory=HammingIndex)
    registry: EntryRegistry = field(default_factory=EntryRegistry)
    banks: dict[int, BankConfig] = field(default_factory=dict)
    digests: dict[tuple[SignalType, str], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    digest_of: dict[int, tuple[SignalType, str]] = field(default_factory=dict)
    seq: int = 0  # the last change log sequence number applied
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- keeping current -------------------------------------------------------------

    def set_bank(self, bank: BankConfig) -> None:
        with self.lock:
            self.banks[bank.id] = bank

    def apply_entry(
        self,
        *,
        entry_id: int,
        bank_id: int,
        signal_type: SignalType,
        value: str,
        status: EntryStatus,
    ) -> None:
        """Bring one entry to its current status (idempotent: applying twice changes nothing)."""
        with self.lock:
            before = self.registry.status(entry_id)
            self.registry.set(entry_id, bank_id, status)
            was_in = before is not None and before.matchable
            if status.matchable and not was_in:
                self._insert(entry_id, signal_type, value)
            elif was_in and not status.matchable:
                self._delete(entry_id, signal_type)

    def _insert(self, entry_id: int, signal_type: SignalType, value: str) -> None:
        if signal_type is SignalType.PDQ:
            self.index.add(np.array([entry_id]), words_from_bytes([bytes.fromhex(value)]))
        else:
            self.digests[(signal_type, value)].add(entry_id)
            self.digest_of[entry_id] = (signal_type, value)

    def _delete(self, entry_id: int, signal_type: SignalType) -> None:
        if signal_type is SignalType.PDQ:
            self.index.remove(np.array([entry_id]))
        else:
            key = self.digest_of.pop(entry_id, None)
            if key is not None:
                self.digests[key].discard(entry_id)

    # -- matching --------------------------------------------------------------------

    @property
    def search_radius(self) -> int:
        enabled = [b.pdq_threshold for b in self.banks.values() if b.enabled]
        return max(enabled, default=0)

    def match(self, query: Query, *, bank: str | None = None) -> list[Match]:
        """Every match of the query, best first; withdrawn and revoked entries never match."""
        with self.lock:
            found = self._match_pdq(query) + self._match_digests(query)
        if bank is not None:
            found = [m for m in found if m.bank == bank]
        return sorted(found, key=lambda m: (m.distance, m.bank, m.entry_id))

    def _usable(self, entry_id: int) -> tuple[BankConfig, EntryStatus] | None:
        status = self.registry.status(entry_id)
        config = self.banks.get(self.registry.bank(entry_id))
        if status is None or not status.matchable or config is None or not config.enabled:
            return None
        return config, status

    @staticmethod
    def _result(
        usable: tuple[BankConfig, EntryStatus],
        entry_id: int,
        signal_type: SignalType,
        value: str,
        distance: int,
        variant: str,
        unreliable: bool,
    ) -> Match:
        config, status = usable
        automatic = (
            status is EntryStatus.CONFIRMED
            and config.auto_max_distance >= 0
            and distance <= config.auto_max_distance
            and not unreliable
        )
        return Match(
            bank=config.name,
            entry_id=entry_id,
            signal_type=signal_type.value,
            value=value,
            distance=distance,
            threshold=config.pdq_threshold if signal_type is SignalType.PDQ else 0,
            variant=variant,
            tier=Tier.AUTO if automatic else Tier.REVIEW,
        )

    def _match_pdq(self, query: Query) -> list[Match]:
        if not query.pdq or not self.banks:
            return []
        result = self.index.search(
            words_from_bytes([h.value for _, h in query.pdq]), self.search_radius
        )
        best: dict[int, tuple[int, int, bytes]] = {}
        for qi, entry_id, distance, words in zip(
            result.query.tolist(), result.ids.tolist(), result.distances.tolist(), result.hashes,
            strict=True,
        ):  # fmt: skip
            current = best.get(entry_id)
            if current is None or (distance, qi) < current[:2]:
                best[entry_id] = (distance, qi, words.astype(">u8").tobytes())
        matches = []
        for entry_id, (distance, qi, raw) in best.items():
            usable = self._usable(entry_id)
            if usable is None or distance > usable[0].pdq_threshold:
                continue
            variant = query.pdq[qi][0]
            matches.append(
                self._result(
                    usable,
                    entry_id,
                    SignalType.PDQ,
                    raw.hex(),
                    distance,
                    variant,
                    query.low_quality,
                )
            )
        return matches

    def _match_digests(self, query: Query) -> list[Match]:
        matches = []
        for signal_type, value in query.digests:
            for entry_id in sorted(self.digests.get((signal_type, value), ())):
                usable = self._usable(entry_id)
                if usable is not None:
                    # A digest is equality: the PDQ quality says nothing about it.
                    matches.append(
                        self._result(usable, entry_id, signal_type, value, 0, "exact", False)
                    )
        return matches
