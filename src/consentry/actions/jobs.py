"""Outbox delivery: e-mail and webhooks on separate jobs, so a slow receiver holds up
no e-mail (and no clock, which runs on its own)."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.actions.delivery import Letters, deliver_due
from consentry.actions.models import Channel
from consentry.config import Settings
from consentry.core.jobs import PeriodicJob


def jobs(*, settings: Settings, engine: Engine, letters: Letters) -> list[PeriodicJob]:
    def drain(channel: Channel, letters: Letters | None) -> PeriodicJob:
        def deliver() -> bool:
            sent = deliver_due(engine=engine, settings=settings, channel=channel, letters=letters)
            return sent > 0

        return PeriodicJob(f"deliver-{channel.value}", settings.scheduler_seconds, deliver)

    return [drain(Channel.EMAIL, letters), drain(Channel.WEBHOOK, None)]
