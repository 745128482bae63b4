"""A per-process limit on decode-heavy work (image hashing, scans of uploads, inspection).

A 10000x10000 PNG is 300 KB on the wire and 300 MB once decoded, so the thread pool's
40 slots are no bound at all: without this, eight such uploads held 3.6 GB. Work over
the limit waits briefly, then is answered 503 with Retry-After instead of queueing
without end; when the last admitted job ends, freed memory goes back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

from consentry.api.problems import Problem

RETRY_AFTER_SECONDS = 2


class Overloaded(Problem):
    def __init__(self) -> None:
        super().__init__(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "overloaded",
            "this worker is decoding as many images as it may at once; try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


def _malloc_trim() -> None:
    """glibc keeps freed heap in its arenas; hand it back (a no-op elsewhere)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class Admission:
    def __init__(self, slots: int, wait_seconds: float) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._wait = wait_seconds
        self._busy = 0
        self._lock = threading.Lock()

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold one slot for the duration; raises `Overloaded` when none frees in time."""
        if not self._slots.acquire(timeout=self._wait):
            raise Overloaded()
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                idle = self._busy == 0
            self._slots.release()
            if idle:
                _malloc_trim()
