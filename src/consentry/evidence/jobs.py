"""Signed audit checkpoints, hourly by default: the evidence key signs them."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.audit.checkpoints import write_checkpoint
from consentry.config import Settings
from consentry.core.jobs import PeriodicJob
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create


def jobs(*, settings: Settings, engine: Engine) -> list[PeriodicJob]:
    def checkpoint() -> None:
        key = load_or_create(settings.evidence_key_path())
        with session_scope(engine) as session:
            write_checkpoint(session=session, key=key)

    return [
        PeriodicJob(
            "audit-checkpoint",
            settings.audit_checkpoint_seconds,
            checkpoint,
            first_after=settings.scheduler_seconds,
        )
    ]
