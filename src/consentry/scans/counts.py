"""Scan counts per day, key and verdict, kept in memory and added to the database in
batches: a write per scan would cost more than the scan."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from sqlalchemy import Engine

from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.scans.service import add_counts

FLUSH_SECONDS = 1.0


class ScanCounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._counts: Counter[tuple[date, int, str]] = Counter()
        self._lock = threading.Lock()

    def count(self, key_id: int | None, verdict: str) -> None:
        with self._lock:
            self._counts[(utcnow().date(), key_id or 0, verdict)] += 1

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return
        try:
            with session_scope(self.engine) as session:
                add_counts(session=session, counts=counts)
        except Exception:  # counted again next time rather than lost
            with self._lock:
                self._counts.update(counts)
            raise

    def job(self) -> PeriodicJob:
        return PeriodicJob("scan-counts", FLUSH_SECONDS, self.flush, final=True)
