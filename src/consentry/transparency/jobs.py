"""Statements of reasons go to the EU Transparency Database when one is configured."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.config import Settings
from consentry.core.jobs import PeriodicJob
from consentry.transparency.submit import submit_due


def jobs(*, settings: Settings, engine: Engine) -> list[PeriodicJob]:
    def submit() -> None:
        submit_due(engine=engine, settings=settings)

    return [PeriodicJob("tdb-submit", settings.scheduler_seconds, submit)]
