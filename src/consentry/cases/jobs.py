"""The case workflow's background work: its clocks (escalations, breaches)."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.cases.clocks import ClockSettings, fire_due
from consentry.config import Settings
from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope


def jobs(*, settings: Settings, engine: Engine) -> list[PeriodicJob]:
    clocks = ClockSettings.of(settings)

    def fire() -> None:
        with session_scope(engine) as session:
            fire_due(session=session, now=utcnow(), clocks=clocks)

    return [PeriodicJob("clocks", settings.scheduler_seconds, fire)]
