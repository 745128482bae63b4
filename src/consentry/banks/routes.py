"""Banks over HTTP: list, create, import, confirm/withdraw/revoke, export (API keys with
banks:read / banks:write)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from consentry.accounts.auth import EXPORT_BUCKET, BanksReader, BanksWriter, enforce_limit
from consentry.api.params import MAX_ID
from consentry.banks import batches, records, service
from consentry.banks.errors import BankError
from consentry.banks.formats import write_lines
from consentry.banks.models import ChangeAction, EntryStatus, SourceKind
from consentry.banks.schemas import (
    BankIn,
    BankOut,
    ChangeOut,
    ChangesOut,
    EntriesIn,
    EntryOut,
    EntryRef,
    ImportOut,
    Rejected,
)
from consentry.banks.service import NewEntry
from consentry.core.actor import Actor
from consentry.db.session import session_factory, session_scope
from consentry.hashing.pdq import InvalidHash
from consentry.signals.registry import normalise_value

router = APIRouter(prefix="/v1/banks", tags=["banks"])


@router.get("", response_model=list[BankOut])
def list_banks(request: Request, _key: BanksReader) -> list[BankOut]:
    with session_scope(request.app.state.engine) as session:
        return [
            BankOut.of(bank, service.count_entries(session=session, bank=bank))
            for bank in service.list_banks(session=session)
        ]


@router.post("", response_model=BankOut, status_code=201)
def create_bank(request: Request, body: BankIn, key: BanksWriter) -> BankOut:
    with session_scope(request.app.state.engine) as session:
        bank = service.create_bank(
            session=session,
            name=body.name,
            description=body.description,
            pdq_threshold=body.pdq_threshold,
            auto_max_distance=body.auto_max_distance,
            actor=Actor.key(key.id),
        )
        return BankOut.of(bank, service.count_entries(session=session, bank=bank))


@router.get("/{name}", response_model=BankOut)
def show_bank(request: Request, name: str, _key: BanksReader) -> BankOut:
    with session_scope(request.app.state.engine) as session:
        bank = service.get_bank(session=session, name=name)
        return BankOut.of(bank, service.count_entries(session=session, bank=bank))


@router.post("/{name}/entries", response_model=ImportOut)
def import_entries(request: Request, name: str, body: EntriesIn, key: BanksWriter) -> ImportOut:
    """Add entries; existing values stay unchanged (a withdrawn value is never revived)."""
    batch: list[NewEntry] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(body.entries):
        try:
            batch.append(
                NewEntry(
                    signal_type=item.signal_type,
                    value=normalise_value(item.signal_type, item.value),
                    status=EntryStatus(item.status),
                    quality=item.quality,
                    source_kind=SourceKind.IMPORT,
                    source_ref=item.source_ref,
                    extra=item.metadata,
                )
            )
        except InvalidHash as error:
            rejected.append(Rejected(index=index, reason=str(error)))
    with session_scope(request.app.state.engine) as session:
        bank = service.get_bank(session=session, name=name)
        summary = batches.add_entries(
            session=session, bank=bank, batch=batch, actor=Actor.key(key.id)
        )
    return ImportOut(added=summary.added, unchanged=summary.unchanged, rejected=rejected)


_ACTIONS = {
    "confirm": ChangeAction.CONFIRMED,
    "withdraw": ChangeAction.WITHDRAWN,
    "revoke": ChangeAction.REVOKED,
}


@router.post("/{name}/entries/{action}", response_model=EntryOut)
def change_entry(
    request: Request,
    name: str,
    action: Literal["confirm", "withdraw", "revoke"],
    body: EntryRef,
    key: BanksWriter,
) -> EntryOut:
    """Confirm, withdraw or revoke one entry; withdrawn and revoked are final."""
    with session_scope(request.app.state.engine) as session:
        bank = service.get_bank(session=session, name=name)
        entry, changed = service.change_status(
            session=session,
            bank=bank,
            signal_type=body.signal_type,
            value=body.value,
            action=_ACTIONS[action],
            actor=Actor.key(key.id),
            whole_group=True,
        )
        return EntryOut(
            entry_id=entry.id, signal_type=entry.signal_type, status=entry.status, changed=changed
        )


@router.get("/{name}/changes", response_model=ChangesOut)
def bank_changes(
    request: Request,
    name: str,
    _key: BanksReader,
    since: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The last sequence number already seen.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ChangesOut:
    """Changes after `since`, oldest first: newly confirmed values to rescan earlier uploads
    against, and withdrawals to honour."""
    with session_scope(request.app.state.engine) as session:
        bank = service.get_bank(session=session, name=name)
        rows = records.changes_since(session=session, bank=bank, since=since, limit=limit)
    return ChangesOut(
        changes=[ChangeOut.model_validate(row, from_attributes=True) for row in rows],
        next_since=rows[-1].seq if rows else since,
    )


@router.get(
    "/{name}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export_bank(request: Request, name: str, key: BanksReader) -> StreamingResponse:
    """Every entry as consentry-bank/1 JSON lines, statuses included (so withdrawals travel).

    Strictly rate-limited: a bank is personal data in bulk."""
    enforce_limit(request, key, EXPORT_BUCKET)
    session = session_factory(request.app.state.engine)()
    try:
        bank = service.get_bank(session=session, name=name)
    except BankError:
        session.close()
        raise

    def lines() -> Iterator[str]:
        try:
            entries = records.iter_entries(session=session, bank=bank)
            yield from (line + "\n" for line in write_lines(entries, ".jsonl"))
        finally:
            session.close()

    return StreamingResponse(lines(), media_type="application/x-ndjson")
