"""What a service worker holds while it runs: the API-key gate, decode admission, the
live index, scan counts, and every domain's periodic jobs. Each part sits on the
app's state, where `consentry.api.parts.part` finds it by its type."""

from __future__ import annotations

import sys
import threading
from functools import partial
from typing import Any

from sqlalchemy import Engine

from consentry.accounts.auth import KeyGate
from consentry.actions import jobs as actions_jobs
from consentry.api.admission import Admission
from consentry.cases import jobs as cases_jobs
from consentry.cases.notify import LETTERS
from consentry.config import Settings
from consentry.content.finder import ContentFinder
from consentry.core.jobs import PeriodicJob
from consentry.db.engine import make_engine
from consentry.evidence import jobs as evidence_jobs
from consentry.exchanges import jobs as exchanges_jobs
from consentry.hashing.windows import warm_up
from consentry.matching.live import LiveIndex
from consentry.matching.shards import sharded
from consentry.retention import jobs as retention_jobs
from consentry.scans.counts import ScanCounts
from consentry.scans.intake import ScanIntake
from consentry.service.jobs import JobRunner
from consentry.transparency import jobs as transparency_jobs

# Where a domain adds background work: a `jobs(settings=, engine=)` in its package, named here.
DOMAIN_JOBS = (cases_jobs, retention_jobs, evidence_jobs, transparency_jobs, exchanges_jobs)


class Runtime:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        # Reads never queue behind SQLite's write lock (BEGIN IMMEDIATE is for writers).
        self.read_engine = make_engine(settings.resolved_database_url(), read_only=True)
        self.key_gate = KeyGate(settings=settings, engine=engine, read_engine=self.read_engine)
        self.admission = Admission(settings.decode_concurrency, settings.decode_wait_seconds)
        self.live_index = LiveIndex(
            self.read_engine,
            snapshot=settings.data_dir / "index",
            shards=partial(sharded, settings) if settings.bank_shards else None,
        )
        self.scan_counts = ScanCounts(engine)
        self.scan_intake = ScanIntake(engine, settings)
        self.content_finder = ContentFinder(engine, settings, self.live_index)
        jobs: list[PeriodicJob] = [
            *self.key_gate.jobs(),
            self.scan_counts.job(),
            self.content_finder.job(),
            # The outbox is infrastructure: the case workflow says how its e-mail is written.
            *actions_jobs.jobs(settings=settings, engine=engine, letters=LETTERS),
        ]
        for domain in DOMAIN_JOBS:
            jobs.extend(domain.jobs(settings=settings, engine=engine))
        self.jobs = JobRunner(jobs)

    def install(self, state: Any) -> None:
        """Make each part findable by its type (`consentry.api.parts.part`)."""
        state.parts = {
            type(found): found
            for found in (
                self.key_gate,
                self.admission,
                self.live_index,
                self.scan_counts,
                self.scan_intake,
                self.content_finder,
            )
        }

    def start(self) -> None:
        # Background threads (change log, counters, rate limits) must not hold the GIL
        # for Python's default 5 ms while requests wait: that showed in the p99.
        sys.setswitchinterval(0.001)
        # The window detector compiles on first use; do it now, not in an upload's time.
        threading.Thread(target=warm_up, name="consentry-warm-up", daemon=True).start()
        self.live_index.start()
        self.jobs.start()

    def stop(self) -> None:
        self.live_index.stop()
        self.jobs.stop()
        self.read_engine.dispose()
