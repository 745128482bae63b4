"""What every exchange yields: pages of records with a durable checkpoint.

Modelled on python-threatexchange's `fetch_iter(checkpoint)`: a source is read from a
checkpoint, page by page; each page says where the next one starts. The sync applies a
page and stores its checkpoint in one transaction, so a sync killed at any point
resumes where the last committed page ended, and applying a page twice changes nothing
(each record carries its value's *current* status, not an instruction).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consentry.banks.models import EntryStatus


class ExchangeError(Exception):
    """A sync that cannot go on: said to the operator, kept as the exchange's last error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One value as the source holds it now."""

    signal_type: str  # a consentry signal kind's name
    value: str
    status: EntryStatus
    quality: int | None = None
    # Values of one image or video share a group (the source's id for it).
    group: str | None = None
    at_ms: int | None = None  # a video frame's time
    updated_at: datetime | None = None  # by the source's clock


@dataclass(frozen=True, slots=True)
class Page:
    records: list[ExchangeRecord]
    checkpoint: dict[str, Any]  # where the next page starts; stored with this page
    more: bool  # another page follows at once
    # Lines the source sent that this deployment cannot represent, with why (reported).
    skipped: list[str] = field(default_factory=list)
    # On the last page of a source that is a whole list (a file): every (kind, value) it
    # lists now. A value this exchange brought earlier and no longer listed was removed
    # at the source, and is revoked here.
    listed: frozenset[tuple[str, str]] | None = None


class Source(ABC):
    """An exchange's reader (one per kind of exchange)."""

    # The signing key a source checked its pages against, to be pinned ("sha256:..."
    # until the key is seen, then the key's raw bytes in hex); None: not signed.
    pin: str | None = None

    @abstractmethod
    def pages(self, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        """Pages from the checkpoint (None: from the start); raises ExchangeError."""

    def send_feedback(self, items: Sequence[tuple[str, str, str]]) -> bool:
        """Tell the source what became of its values: (kind, value, StopNCII's feedback
        word) each. False where the source takes no feedback (a file); raises
        ExchangeError when it could not be sent."""
        return False
