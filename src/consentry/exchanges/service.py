"""Exchanges this deployment follows and partners it publishes to. Keyword-only; the
caller owns the transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consentry.accounts.models import ApiKey, Scope
from consentry.accounts.service import create_api_key, revoke_api_key
from consentry.audit.service import record
from consentry.banks.models import Bank
from consentry.banks.service import get_bank
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.exchanges.errors import (
    ExchangeNotFound,
    ExchangeSettingError,
    NameTaken,
    NotAPartner,
    PartnerNotFound,
)
from consentry.exchanges.models import Exchange, ExchangeKind, Partner, PartnerBank

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


def _check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise ExchangeSettingError(
            "a name is 1-100 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
        )


def add_exchange(
    *,
    session: Session,
    name: str,
    kind: ExchangeKind,
    bank: Bank,
    location: str,
    key_file: str | None,
    pin: str | None,
    interval_seconds: int,
    actor: Actor,
) -> Exchange:
    _check_name(name)
    if session.scalar(select(Exchange.id).where(Exchange.name == name)) is not None:
        raise NameTaken(f"an exchange named {name!r} already exists")
    if pin is not None and not FINGERPRINT.fullmatch(pin):
        raise ExchangeSettingError("--pin is the hub key's fingerprint: sha256:<64 hex digits>")
    if pin is not None and kind is not ExchangeKind.CONSENTRY:
        raise ExchangeSettingError("only a consentry hub feed is signed: --pin is for those")
    if not 10 <= interval_seconds <= 86_400:
        raise ExchangeSettingError("the sync interval is 10 s to 1 day")
    exchange = Exchange(
        name=name,
        kind=kind,
        bank_id=bank.id,
        location=location,
        key_file=key_file,
        pinned_key=pin,
        interval_seconds=interval_seconds,
    )
    session.add(exchange)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="exchange.added",
        subject_type="exchange",
        subject_id=exchange.id,
        details={"name": name, "kind": kind.value, "bank_id": bank.id},
    )
    return exchange


def get_exchange(*, session: Session, name: str) -> Exchange:
    exchange = session.scalar(select(Exchange).where(Exchange.name == name))
    if exchange is None:
        raise ExchangeNotFound(name)
    return exchange


def list_exchanges(*, session: Session) -> Sequence[Exchange]:
    return session.scalars(select(Exchange).order_by(Exchange.name)).all()


def remove_exchange(*, session: Session, name: str, actor: Actor) -> None:
    """Stop following it; what it brought stays in the bank, as the operator left it."""
    exchange = get_exchange(session=session, name=name)
    record(
        session=session,
        actor=actor,
        action="exchange.removed",
        subject_type="exchange",
        subject_id=exchange.id,
        details={"name": name},
    )
    session.delete(exchange)


def lag_seconds(exchange: Exchange, now: datetime) -> float | None:
    """Since the last successful sync: how stale this bank's copy of the source may be."""
    if exchange.last_success_at is None:
        return None
    return max(0.0, (now - exchange.last_success_at).total_seconds())


# -- partners (this deployment as a hub) ------------------------------------------------


def add_partner(
    *, session: Session, name: str, banks: Sequence[str], share_pending: bool, actor: Actor
) -> tuple[Partner, str]:
    """A partner reading `banks` through the hub feed, and its API key (shown once)."""
    _check_name(name)
    if not banks:
        raise ExchangeSettingError("a partner is published at least one bank (--bank)")
    if session.scalar(select(Partner.id).where(Partner.name == name)) is not None:
        raise NameTaken(f"a partner named {name!r} already exists")
    rows = [get_bank(session=session, name=bank) for bank in dict.fromkeys(banks)]
    key, secret = create_api_key(
        session=session, name=f"partner {name}", scopes=[Scope.FEED_READ], actor=actor
    )
    partner = Partner(name=name, api_key_id=key.id, share_pending=share_pending)
    session.add(partner)
    session.flush()
    session.add_all(PartnerBank(partner_id=partner.id, bank_id=bank.id) for bank in rows)
    record(
        session=session,
        actor=actor,
        action="partner.added",
        subject_type="partner",
        subject_id=partner.id,
        details={"name": name, "bank_ids": [bank.id for bank in rows], "pending": share_pending},
    )
    return partner, secret


def list_partners(*, session: Session) -> list[tuple[Partner, list[str]]]:
    partners = session.scalars(
        select(Partner).where(Partner.removed_at.is_(None)).order_by(Partner.name)
    ).all()
    names = session.execute(
        select(PartnerBank.partner_id, Bank.name).join(Bank, Bank.id == PartnerBank.bank_id)
    ).all()
    return [(p, sorted(n for pid, n in names if pid == p.id)) for p in partners]


def remove_partner(*, session: Session, name: str, actor: Actor) -> None:
    """Its key stops working at once; its feed is no longer published."""
    partner = session.scalar(
        select(Partner).where(Partner.name == name, Partner.removed_at.is_(None))
    )
    if partner is None:
        raise PartnerNotFound(name)
    partner.removed_at = utcnow()
    revoke_api_key(session=session, key_id=partner.api_key_id, actor=actor)
    session.execute(delete(PartnerBank).where(PartnerBank.partner_id == partner.id))
    record(
        session=session,
        actor=actor,
        action="partner.removed",
        subject_type="partner",
        subject_id=partner.id,
        details={"name": name},
    )


def partner_of_key(*, session: Session, key_id: int) -> Partner:
    partner = session.scalar(
        select(Partner)
        .join(ApiKey, ApiKey.id == Partner.api_key_id)
        .where(
            Partner.api_key_id == key_id,
            Partner.removed_at.is_(None),
            ApiKey.revoked_at.is_(None),
        )
    )
    if partner is None:
        raise NotAPartner()
    return partner
