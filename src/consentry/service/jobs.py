"""Runs periodic jobs, each on its own thread: a slow one (a webhook receiver that
takes its time) holds up none of the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from consentry.core.jobs import PeriodicJob

log = logging.getLogger(__name__)


class JobRunner:
    def __init__(self, jobs: Sequence[PeriodicJob]) -> None:
        self.jobs = list(jobs)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._loop, args=(job,), name=f"consentry-{job.name}", daemon=True
            )
            for job in self.jobs
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every job (a run in progress finishes), then run the final ones once."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=timeout)
        for job in self.jobs:
            if job.final:
                self._run(job)

    def _loop(self, job: PeriodicJob) -> None:
        wait = job.interval if job.first_after is None else job.first_after
        while not self._stop.wait(wait):
            while self._run(job) and not self._stop.is_set():
                pass  # more to do at once: a queue being drained
            wait = job.interval

    def _run(self, job: PeriodicJob) -> bool:
        try:
            return bool(job.run())
        except Exception:  # the next interval retries; the work is stored, nothing is lost
            log.exception("job %s failed; will retry", job.name)
            return False
