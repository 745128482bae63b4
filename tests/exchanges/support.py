"""A bank following an exchange, as `consentry exchange add` makes it."""

from __future__ import annotations

from sqlalchemy import Engine

from consentry.banks import service as banks
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.exchanges import service
from consentry.exchanges.models import ExchangeKind


def follow(
    engine: Engine,
    *,
    name: str,
    kind: ExchangeKind,
    location: str,
    bank: str = "platform",
    key_file: str | None = None,
    pin: str | None = None,
    interval_seconds: int = 30,
) -> None:
    """A new bank `bank` following the exchange `name`."""
    with session_scope(engine) as session:
        service.add_exchange(
            session=session,
            name=name,
            kind=kind,
            bank=banks.create_bank(session=session, name=bank, actor=CLI),
            location=location,
            key_file=key_file,
            pin=pin,
            interval_seconds=interval_seconds,
            actor=CLI,
        )
