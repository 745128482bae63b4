"""Retention's background work: purging what is past its keeping period."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.config import Settings
from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.retention.purge import purge_due


def jobs(*, settings: Settings, engine: Engine) -> list[PeriodicJob]:
    def purge() -> None:
        with session_scope(engine) as session:
            purge_due(session=session, settings=settings, now=utcnow())

    return [
        PeriodicJob(
            "retention-purge",
            settings.retention_interval_seconds,
            purge,
            first_after=settings.scheduler_seconds,
        )
    ]
