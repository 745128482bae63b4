"""One sync of an exchange: its pages applied to its bank, each page in one transaction
with its checkpoint.

Kill the process at any point and the next sync starts after the last committed page;
a page applied twice changes nothing, because each record is a value's current status.
Withdrawals and revocations always win: a value withdrawn or revoked here is never
revived by a source, and a source confirms only the values it brought.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.banks.batches import BatchSummary, add_entries
from consentry.banks.models import (
    Bank,
    BankEntry,
    EntryGroup,
    EntryStatus,
    SourceKind,
)
from consentry.banks.service import NewEntry
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.exchanges.base import ExchangeError, ExchangeRecord, Page, Source
from consentry.exchanges.feedback import outcomes_to_send
from consentry.exchanges.files import FileSource
from consentry.exchanges.hub import HubSource, read_key
from consentry.exchanges.models import Exchange, ExchangeKind
from consentry.exchanges.stopncii import StopNCIISource, read_keys
from consentry.outbound.destinations import allowed_networks
from consentry.signals.registry import kind_of

# Reasons a sync skipped records, kept with the exchange for the operator (the first few).
KEPT_SKIPS = 20


@dataclass
class SyncResult:
    name: str
    pages: int = 0
    applied: BatchSummary = field(default_factory=BatchSummary)
    skipped: list[str] = field(default_factory=list)
    skipped_count: int = 0
    feedback: int = 0  # outcomes of matches sent back to the source
    error: str | None = None


def open_source(exchange: Exchange, settings: Settings) -> Source:
    if exchange.kind is ExchangeKind.FILE:
        return FileSource(Path(exchange.location))
    allowed, deadline = allowed_networks(settings), settings.exchange_timeout_seconds
    if exchange.kind is ExchangeKind.CONSENTRY:
        return HubSource(
            exchange.location,
            key=read_key(exchange.key_file),
            pin=exchange.pinned_key,
            allowed=allowed,
            deadline_seconds=deadline,
        )
    return StopNCIISource(
        exchange.location,
        keys=read_keys(exchange.key_file),
        allowed=allowed,
        deadline_seconds=deadline,
    )


def _entry(exchange: Exchange, record: ExchangeRecord) -> NewEntry:
    group = None if record.group is None else f"{exchange.name} #{record.group}"
    if kind_of(record.signal_type).timed and (group is None or record.at_ms is None):
        raise ValueError(f"a {record.signal_type} frame without its video and time")
    return NewEntry(
        signal_type=record.signal_type,
        value=record.value,
        status=record.status,
        quality=record.quality,
        source_kind=SourceKind.EXCHANGE,
        source_ref=exchange.name,
        group=group,
        label=group,
        at_ms=record.at_ms,
    )


def _known_groups(session: Session, exchange: Exchange, labels: set[str]) -> dict[str, int]:
    """Groups this exchange made before: a video split over two pages stays one group."""
    if not labels:
        return {}
    rows = session.execute(
        select(EntryGroup.label, EntryGroup.id).where(
            EntryGroup.bank_id == exchange.bank_id,
            EntryGroup.source_kind == SourceKind.EXCHANGE,
            EntryGroup.source_ref == exchange.name,
            EntryGroup.label.in_(sorted(labels)),
        )
    ).all()
    return {label: int(group_id) for label, group_id in rows}


def _unlisted(
    session: Session, exchange: Exchange, listed: frozenset[tuple[str, str]]
) -> list[NewEntry]:
    """Values this exchange brought that its source no longer lists, as revocations (the
    batch applies, logs and audits them like any other)."""
    held = session.execute(
        select(BankEntry.signal_type, BankEntry.value).where(
            BankEntry.bank_id == exchange.bank_id,
            BankEntry.source_kind == SourceKind.EXCHANGE,
            BankEntry.source_ref == exchange.name,
            BankEntry.status.in_([EntryStatus.PENDING, EntryStatus.CONFIRMED]),
        )
    ).all()
    return [
        NewEntry(
            signal_type=kind,
            value=value,
            status=EntryStatus.REVOKED,
            source_kind=SourceKind.EXCHANGE,
            source_ref=exchange.name,
        )
        for kind, value in held
        if (kind, value) not in listed
    ]


def apply_page(
    *, session: Session, exchange: Exchange, page: Page, actor: Actor
) -> tuple[BatchSummary, list[str]]:
    """A page's records applied to the exchange's bank; what it skipped, and why."""
    bank = session.get(Bank, exchange.bank_id)
    assert bank is not None  # a bank is never deleted while an exchange follows it
    batch, skipped = [], list(page.skipped)
    for record in page.records:
        try:
            batch.append(_entry(exchange, record))
        except ValueError as error:
            skipped.append(str(error))
    if page.listed is not None:
        batch += _unlisted(session, exchange, page.listed)
    groups = _known_groups(session, exchange, {e.group for e in batch if e.group is not None})
    summary = add_entries(
        session=session,
        bank=bank,
        batch=batch,
        actor=actor,
        groups=groups,
        confirms_from=exchange.name,
        adds_final=False,
    )
    return summary, skipped


def sync(*, engine: Engine, settings: Settings, name: str, actor: Actor) -> SyncResult:
    """Run one sync of the named exchange to the end of its source (or its first error,
    which is kept with the exchange and returned)."""
    result = SyncResult(name)
    with session_scope(engine) as session:
        exchange = session.scalar(select(Exchange).where(Exchange.name == name))
        if exchange is None:
            raise ExchangeError(f"no exchange named {name!r}")
        exchange_id, checkpoint = exchange.id, exchange.checkpoint
        try:
            source: Source | None = open_source(exchange, settings)
        except ExchangeError as error:
            source, result.error = None, error.message
    try:
        if source is not None:
            for page in source.pages(checkpoint):
                with session_scope(engine) as session:
                    exchange = session.get(Exchange, exchange_id)
                    if exchange is None or exchange.checkpoint != checkpoint:
                        break  # removed, or another sync moved on meanwhile
                    applied, skipped = apply_page(
                        session=session, exchange=exchange, page=page, actor=actor
                    )
                    exchange.checkpoint = checkpoint = page.checkpoint
                    exchange.pinned_key = source.pin or exchange.pinned_key
                    newest = max((r.updated_at for r in page.records if r.updated_at), default=None)
                    exchange.source_time = newest or exchange.source_time
                result.pages += 1
                result.applied += applied
                result.skipped_count += len(skipped)
                result.skipped.extend(skipped[: KEPT_SKIPS - len(result.skipped)])
            _send_feedback(engine, exchange_id, source, result)
    except ExchangeError as error:
        result.error = error.message
    _finish(engine, exchange_id, result)
    return result


def _send_feedback(engine: Engine, exchange_id: int, source: Source, result: SyncResult) -> None:
    """What became of the source's values here (scan matches since the last sync)."""
    with session_scope(engine) as session:
        outcomes = outcomes_to_send(
            session=session, exchange=session.get_one(Exchange, exchange_id)
        )
    if outcomes.items:
        source.send_feedback([(i.signal_type, i.value, i.feedback.value) for i in outcomes.items])
    with session_scope(engine) as session:
        exchange = session.get_one(Exchange, exchange_id)
        exchange.feedback_through = outcomes.matches_through
        exchange.outcomes_through = outcomes.decisions_through
    result.feedback = len(outcomes.items)


def _finish(engine: Engine, exchange_id: int, result: SyncResult) -> None:
    with session_scope(engine) as session:
        exchange = session.get(Exchange, exchange_id)
        if exchange is None:
            return
        now = utcnow()
        exchange.last_sync_at = now
        exchange.last_error = result.error
        if result.error is None:
            exchange.last_success_at = now
        exchange.last_applied = asdict(result.applied) | {"skipped": result.skipped_count}
