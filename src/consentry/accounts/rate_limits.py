"""Per-key rate limits shared by every worker, without a request-time database write.

Fixed windows: each worker counts requests locally and, every SYNC_SECONDS, adds
its counts to a shared row per (key, bucket, window) and reads the totals back.
A worker refuses once the last known total plus its own unsynced count reaches
the limit, so all workers together overshoot by at most one sync interval.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from consentry.accounts.models import RateWindow
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.db.upsert import upsert_insert

SYNC_SECONDS = 0.25
LONGEST_WINDOW = 3600


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    per_seconds: int


Window = tuple[int, str, int]


class RateLimiter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._unsynced: Counter[Window] = Counter()
        self._known: dict[Window, int] = {}
        self._lock = threading.Lock()

    def check(self, key_id: int, bucket: str, limit: Limit) -> float | None:
        """Count one request; None if allowed, else the seconds until the window ends."""
        now = utcnow().timestamp()
        start = int(now // limit.per_seconds) * limit.per_seconds
        window = (key_id, bucket, start)
        with self._lock:
            used = self._known.get(window, 0) + self._unsynced[window]
            if used >= limit.requests:
                return max(1.0, math.ceil(start + limit.per_seconds - now))
            self._unsynced[window] += 1
        return None

    def sync(self) -> None:
        with self._lock:
            pending, self._unsynced = self._unsynced, Counter()
        with session_scope(self.engine) as session:
            for (key_id, bucket, start), count in sorted(pending.items()):
                statement = upsert_insert(session, RateWindow).values(
                    api_key_id=key_id, bucket=bucket, window_start=start, count=count
                )
                session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["api_key_id", "bucket", "window_start"],
                        set_={"count": RateWindow.count + count},
                    )
                )
            # Every current window, including keys this worker has not seen yet.
            oldest = int(utcnow().timestamp()) - LONGEST_WINDOW
            rows = session.execute(
                select(
                    RateWindow.api_key_id,
                    RateWindow.bucket,
                    RateWindow.window_start,
                    RateWindow.count,
                ).where(RateWindow.window_start >= oldest)
            ).all()
            # Windows older than a day serve nobody.
            session.execute(
                delete(RateWindow).where(RateWindow.window_start < utcnow().timestamp() - 86_400)
            )
        with self._lock:
            self._known = {(k, b, s): c for k, b, s, c in rows}
