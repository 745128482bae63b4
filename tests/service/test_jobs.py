"""Periodic jobs: each on its own thread, drained while they have work, retried after
a failure, and run once more at stop when they flush something."""

from __future__ import annotations

import threading
import time

from consentry.core.jobs import PeriodicJob
from consentry.service.jobs import JobRunner


def test_jobs_drain_survive_failures_and_flush_at_stop() -> None:
    queue = list(range(5))
    drained: list[int] = []
    failures = 0
    flushed = threading.Event()

    def drain() -> bool:
        if queue:
            drained.append(queue.pop(0))
        return bool(queue)

    def fail() -> None:
        nonlocal failures
        failures += 1
        raise RuntimeError("a receiver is down")

    slow_started = threading.Event()

    def slow() -> None:
        slow_started.set()
        time.sleep(0.5)

    runner = JobRunner(
        [
            PeriodicJob("drain", 60, drain, first_after=0.01),  # drained at once, not per minute
            PeriodicJob("fail", 0.01, fail),
            PeriodicJob("slow", 0.01, slow),
            PeriodicJob("flush", 60, flushed.set, final=True),
        ]
    )
    runner.start()
    deadline = time.monotonic() + 5
    while (queue or failures < 3) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert slow_started.wait(5)
    runner.stop()
    assert drained == [0, 1, 2, 3, 4]
    assert failures >= 3  # a failing job keeps being retried; a slow one holds up neither
    assert flushed.is_set()
