"""The interface every signal kind implements (modelled on python-threatexchange's
one class per signal type); `tests/signals/test_contract.py` holds each to it."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from consentry.hashing.pdq import InvalidHash
from consentry.hashing.signals import ImageSignals

_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True, slots=True)
class Hit:
    query: int  # position of the searched value
    entry_id: int
    distance: int
    value: str  # the indexed value, normalised


class SignalIndex(ABC):
    """Entries (id, value) of one kind, searched by distance. Ids are unique."""

    # False for a view of an index held elsewhere (bank shards load their own values):
    # a matcher loading with it reads no values from the database.
    holds_values: ClassVar[bool] = True

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def stage(self, ids: Sequence[int], values: Sequence[str]) -> None:
        """Queue entries for the next `commit` (bulk loads build once)."""

    @abstractmethod
    def commit(self) -> None:
        """Make everything staged searchable."""

    def add(self, ids: Sequence[int], values: Sequence[str]) -> None:
        self.stage(ids, values)
        self.commit()

    @abstractmethod
    def remove(self, ids: Sequence[int]) -> None:
        """Forget these entries (unknown ids are ignored)."""

    @abstractmethod
    def search(self, values: Sequence[str], radius: int) -> list[Hit]:
        """Every entry within `radius` of each value: exactly what brute force finds."""

    @abstractmethod
    def save(self, folder: Path) -> None: ...


def by_kind(rows: Iterable[Any]) -> list[tuple[str, list[int], list[str]]]:
    """Rows (id, kind, value) as each kind's ids and values, for its index's `stage`."""
    grouped: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for row_id, kind, value in rows:
        ids, values = grouped[kind]
        ids.append(row_id)
        values.append(value)
    return [(kind, ids, values) for kind, (ids, values) in grouped.items()]


class SignalKind(ABC):
    """One kind of signal. Values travel and are stored as normalised text."""

    name: ClassVar[str]  # the wire name, as stored in bank_entries.signal_type
    hex_digits: ClassVar[int]  # a value is this many hexadecimal digits
    default_threshold: ClassVar[int]  # distance at or below which a value matches
    value_variant: ClassVar[str]  # how a match of a bare value (no image) is labelled
    uses_quality: ClassVar[bool] = False  # does the image's PDQ quality bear on it?
    # Do an image's values count together? Matches of a grouped kind are one per entry
    # group (bank image), with the number of its values matched, never automatic alone.
    grouped: ClassVar[bool] = False
    # Are values frames of a video, each with its time? Such a group matches by the
    # share of frames in common (both ways), with the matched time ranges.
    timed: ClassVar[bool] = False

    def normalise(self, text: str) -> str:
        """The value as stored and compared (lowercase hex); `InvalidHash` if it is none."""
        value = text.strip()
        if not _HEX.fullmatch(value) or len(value) != self.hex_digits:
            raise InvalidHash(
                f"a {self.name} value is {self.hex_digits} hexadecimal digits"
                f" (got {len(value)} characters)"
            )
        return value.lower()

    @abstractmethod
    def distance(self, a: str, b: str) -> int:
        """Distance between two normalised values (0: the same)."""

    def threshold(self, bank_threshold: int) -> int:
        """The largest distance that matches in a bank whose configured threshold is
        `bank_threshold` (exact kinds ignore it)."""
        return 0

    def usable(self, quality: int | None) -> bool:
        """Whether a submitted value of this quality is worth banking."""
        return True

    @abstractmethod
    def of_image(self, signals: ImageSignals) -> list[tuple[str, str]]:
        """(variant, normalised value) pairs an image yields, for lookup."""

    @abstractmethod
    def new_index(self) -> SignalIndex: ...

    @abstractmethod
    def load_index(self, folder: Path) -> SignalIndex:
        """An index saved by `SignalIndex.save` (raises OSError/ValueError if unreadable)."""
