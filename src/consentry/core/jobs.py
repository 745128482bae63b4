"""Periodic background work, contributed by each domain and run by the service.

A job is a name, an interval and a function. The function returns True while it has
more to do at once (a queue being drained), so it is called again without waiting;
anything else waits `interval` seconds. Its state lives in the database, so a run
that fails is retried at the next interval and workers never double up (marks fire
once, messages are claimed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    interval: float  # seconds between one run's end and the next run's start
    run: Callable[[], bool | None]
    first_after: float | None = None  # seconds before the first run (default: interval)
    final: bool = False  # run once more as the service stops (flushes of counters)
