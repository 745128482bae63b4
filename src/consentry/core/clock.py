"""The time, as the service reads it: every module asks `now()` (through
`consentry.db.base.utcnow`), so a test sets the time in one place (`use_clock`) instead
of patching each module that reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Source = Callable[[], datetime]


def _system() -> datetime:
    return datetime.now(UTC)


_source: Source = _system


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return _source()


@contextmanager
def use_clock(source: Source) -> Iterator[None]:
    """Read the time from `source` within the block (for tests and replays)."""
    global _source
    previous, _source = _source, source
    try:
        yield
    finally:
        _source = previous
