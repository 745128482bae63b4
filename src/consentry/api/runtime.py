"""What a service worker holds while it runs: the matcher (loaded in the background),
its change-log follower, the API-key cache, and counters flushed in batches."""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from consentry.accounts.models import Scope
from consentry.accounts.rate_limits import SYNC_SECONDS, Limit, RateLimiter
from consentry.actions.delivery import deliver_due
from consentry.actions.models import Channel
from consentry.api.admission import Admission
from consentry.api.auth import KeyCache
from consentry.audit.checkpoints import write_checkpoint
from consentry.cases.clocks import ClockSettings, fire_due
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create
from consentry.matching.follower import ChangeFollower, load_matcher
from consentry.matching.index import warm_up
from consentry.matching.matcher import Matcher
from consentry.retention.purge import purge_due
from consentry.scans.service import add_counts
from consentry.transparency.submit import submit_due

log = logging.getLogger(__name__)


FLUSH_SECONDS = 1.0
EXPORT_BUCKET = "banks:export"
KEY_USE_FLUSH_SECONDS = 30.0


class Runtime:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        # Reads never queue behind SQLite's write lock (BEGIN IMMEDIATE is for writers).
        self.read_engine = make_engine(settings.resolved_database_url(), read_only=True)
        self.keys = KeyCache(self.read_engine)
        self.limiter = RateLimiter(engine)
        self.admission = Admission(settings.decode_concurrency, settings.decode_wait_seconds)
        self.matcher: Matcher | None = None
        self.load_error: str | None = None
        self._follower: ChangeFollower | None = None
        self._counts: Counter[tuple[date, int, str]] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="consentry-runtime", daemon=True)
        self._limits_thread = threading.Thread(
            target=self._sync_limits, name="consentry-rate-limits", daemon=True
        )
        self._scheduler_thread = threading.Thread(
            target=self._schedule, name="consentry-scheduler", daemon=True
        )
        self._webhook_thread = threading.Thread(
            target=self._deliver_webhooks, name="consentry-webhooks", daemon=True
        )

    def start(self) -> None:
        # Background threads (change log, counters, rate limits) must not hold the GIL
        # for Python's default 5 ms while requests wait: that showed in the p99.
        sys.setswitchinterval(0.001)
        self._thread.start()
        self._limits_thread.start()
        self._scheduler_thread.start()
        self._webhook_thread.start()

    def limit_for(self, bucket: str) -> Limit:
        settings = self.settings
        if bucket == Scope.SCAN.value:
            return Limit(settings.rate_limit_scan_per_minute, 60)
        if bucket == EXPORT_BUCKET:
            return Limit(settings.rate_limit_export_per_hour, 3600)
        return Limit(settings.rate_limit_per_minute, 60)

    def _sync_limits(self) -> None:
        while not self._stop.wait(SYNC_SECONDS):
            try:
                self.limiter.sync()
            except Exception:  # counts stay local until the next sync succeeds
                log.exception("syncing rate limits failed; will retry")

    def _schedule(self) -> None:
        """Clocks (escalations, breaches) and outbox delivery, in every worker: marks
        fire once (a unique key) and messages are claimed, so workers never double up."""
        clocks = ClockSettings.of(self.settings)
        next_purge = next_checkpoint = time.monotonic()
        while not self._stop.wait(self.settings.scheduler_seconds):
            try:
                with session_scope(self.engine) as session:
                    fire_due(session=session, now=utcnow(), clocks=clocks)
                if time.monotonic() >= next_purge:
                    next_purge = time.monotonic() + self.settings.retention_interval_seconds
                    with session_scope(self.engine) as session:
                        purge_due(session=session, settings=self.settings, now=utcnow())
                if time.monotonic() >= next_checkpoint:
                    next_checkpoint = time.monotonic() + self.settings.audit_checkpoint_seconds
                    key = load_or_create(self.settings.evidence_key_path())
                    with session_scope(self.engine) as session:
                        write_checkpoint(session=session, key=key)
                self._drain(Channel.EMAIL)
                submit_due(engine=self.engine, settings=self.settings)
            except Exception:  # the next tick retries; nothing is lost (all of it is stored)
                log.exception("scheduled work failed; will retry")

    def _drain(self, channel: Channel) -> None:
        while deliver_due(engine=self.engine, settings=self.settings, channel=channel):
            if self._stop.is_set():
                return

    def _deliver_webhooks(self) -> None:
        """Webhooks on their own thread: a slow receiver holds up no clock and no e-mail."""
        while not self._stop.wait(self.settings.scheduler_seconds):
            try:
                while deliver_due(
                    engine=self.engine, settings=self.settings, channel=Channel.WEBHOOK
                ):
                    if self._stop.is_set():
                        break
            except Exception:  # the next tick retries; every message is stored
                log.exception("webhook delivery failed; will retry")

    def count_scan(self, key_id: int | None, verdict: str) -> None:
        with self._lock:
            self._counts[(datetime.now(UTC).date(), key_id or 0, verdict)] += 1

    def _run(self) -> None:
        try:
            warm_up()  # ready means fast: no compilation on the first scan
            matcher = load_matcher(self.read_engine, snapshot=self.settings.data_dir / "index")
        except Exception as error:  # readiness reports it; the process stays up for health checks
            log.exception("loading the matcher failed")
            self.load_error = type(error).__name__
            return
        if self._stop.is_set():  # stopped while loading: start nothing more
            return
        self._follower = ChangeFollower(self.read_engine, matcher)
        self._follower.start()
        # Everything loaded so far lives as long as the process: keeping it out of the
        # collector's full passes avoids pauses of tens of milliseconds under load.
        gc.freeze()
        self.matcher = matcher
        waited = 0.0
        while not self._stop.wait(FLUSH_SECONDS):
            waited += FLUSH_SECONDS
            self._flush(key_use=waited >= KEY_USE_FLUSH_SECONDS)
            if waited >= KEY_USE_FLUSH_SECONDS:
                waited = 0.0

    def _flush(self, *, key_use: bool) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        try:
            if counts:
                with session_scope(self.engine) as session:
                    add_counts(session=session, counts=counts)
            if key_use:
                self.keys.flush_use()
        except Exception:  # counted again next time rather than lost
            log.exception("flushing counters failed; will retry")
            with self._lock:
                self._counts.update(counts)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)  # first: it is what starts the follower
        if self._follower is not None:
            self._follower.stop()
        self._limits_thread.join(timeout=5)
        self._scheduler_thread.join(timeout=15)
        self._webhook_thread.join(timeout=15)
        self._flush(key_use=True)
        self.read_engine.dispose()
