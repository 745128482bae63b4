"""Every exchange synced on its interval, by whichever worker claims it first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, or_, select, update

from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.exchanges.models import Exchange
from consentry.exchanges.sync import sync

# How often a worker looks for an exchange whose interval has passed.
CHECK_SECONDS = 5.0


def _claim(engine: Engine) -> str | None:
    """The name of one exchange due for a sync, claimed by stamping its sync time (a
    conditional update: two workers never sync the same exchange at once)."""
    now = utcnow()
    with session_scope(engine) as session:
        due = session.execute(
            select(Exchange.id, Exchange.name, Exchange.last_sync_at, Exchange.interval_seconds)
            .where(Exchange.enabled.is_(True))
            .order_by(Exchange.last_sync_at.is_not(None), Exchange.last_sync_at)
        ).all()
        for exchange_id, name, last, interval in due:
            if last is not None and last > now - timedelta(seconds=interval):
                continue
            claimed = session.execute(
                update(Exchange)
                .where(
                    Exchange.id == exchange_id,
                    or_(Exchange.last_sync_at.is_(None), Exchange.last_sync_at == last),
                )
                .values(last_sync_at=now)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                return str(name)
    return None


def jobs(*, settings: Settings, engine: Engine) -> list[PeriodicJob]:
    def run() -> bool:
        name = _claim(engine)
        if name is None:
            return False
        sync(engine=engine, settings=settings, name=name, actor=SYSTEM)
        return True  # another may be due too

    return [PeriodicJob("exchange-sync", CHECK_SECONDS, run, first_after=CHECK_SECONDS)]
