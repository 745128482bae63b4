"""A batch applies the statuses it carries: withdrawals win, nothing is revived, and a
source confirms only what it brought."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.banks import batches, service
from consentry.banks.models import BankChange, BankEntry, ChangeAction, EntryStatus, SourceKind
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM

VALUES = [f"{n:02x}" * 32 for n in range(1, 5)]


def _new(value: str, status: EntryStatus, ref: str | None = None) -> NewEntry:
    return NewEntry(
        signal_type="pdq",
        value=value,
        status=status,
        source_kind=SourceKind.EXCHANGE if ref else SourceKind.IMPORT,
        source_ref=ref,
    )


def _statuses(session: Session) -> dict[str, str]:
    return {e.value: e.status for e in session.scalars(select(BankEntry))}


def test_a_newer_file_withdraws_and_revokes_what_it_marks_so(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    first = [_new(v, EntryStatus.CONFIRMED) for v in VALUES]
    assert batches.add_entries(session=session, bank=bank, batch=first, actor=SYSTEM).added == 4
    newer = [
        _new(VALUES[0], EntryStatus.WITHDRAWN),
        _new(VALUES[1], EntryStatus.REVOKED),
        _new(VALUES[2], EntryStatus.CONFIRMED),
        _new(VALUES[3], EntryStatus.PENDING),
    ]
    summary = batches.add_entries(session=session, bank=bank, batch=newer, actor=SYSTEM)
    assert (summary.added, summary.withdrawn, summary.revoked, summary.unchanged) == (0, 1, 1, 2)
    assert summary.words() == "0 added, 1 withdrawn, 1 revoked, 2 unchanged"
    assert _statuses(session) == dict(
        zip(VALUES, ["withdrawn", "revoked", "confirmed", "confirmed"], strict=True)
    )
    actions = session.scalars(select(BankChange.action).order_by(BankChange.seq)).all()
    assert actions[-2:] == [ChangeAction.WITHDRAWN, ChangeAction.REVOKED]
    # The same file again changes nothing; an older one revives nothing.
    again = batches.add_entries(session=session, bank=bank, batch=newer, actor=SYSTEM)
    assert (again.changed, again.unchanged) == (0, 4)
    batches.add_entries(session=session, bank=bank, batch=first, actor=SYSTEM)
    assert _statuses(session)[VALUES[0]] == "withdrawn"
    assert _statuses(session)[VALUES[1]] == "revoked"


def test_a_source_confirms_only_the_pending_values_it_brought(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    batches.add_entries(
        session=session,
        bank=bank,
        batch=[_new(VALUES[0], EntryStatus.PENDING, "hub"), _new(VALUES[1], EntryStatus.PENDING)],
        actor=SYSTEM,
    )
    confirm = [_new(v, EntryStatus.CONFIRMED, "hub") for v in VALUES[:2]]
    summary = batches.add_entries(
        session=session, bank=bank, batch=confirm, actor=SYSTEM, confirms_from="hub"
    )
    assert (summary.confirmed, summary.unchanged) == (1, 1)
    assert _statuses(session) == {VALUES[0]: "confirmed", VALUES[1]: "pending"}
    # Without confirms_from (a plain import), a confirmation upgrades nothing.
    batches.add_entries(session=session, bank=bank, batch=confirm, actor=SYSTEM)
    assert _statuses(session)[VALUES[1]] == "pending"


def test_an_exchange_keeps_nothing_of_a_value_it_never_held(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    gone = [_new(VALUES[0], EntryStatus.WITHDRAWN, "hub")]
    summary = batches.add_entries(
        session=session, bank=bank, batch=gone, actor=SYSTEM, adds_final=False
    )
    assert (summary.added, summary.unchanged) == (0, 1)
    assert session.scalar(select(func.count()).select_from(BankEntry)) == 0


def test_values_held_are_found_however_often_the_lookup_runs(session: Session) -> None:
    """psycopg prepares a statement run five times on a connection, and PostgreSQL then
    plans it without the values: the lookup of held values must still find each one."""
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    held: list[str] = []
    for round_ in range(8):
        fresh = [f"{round_:02x}{n:062x}" for n in range(50)]
        batch = [_new(v, EntryStatus.CONFIRMED) for v in fresh + held[-30:]]
        summary = batches.add_entries(session=session, bank=bank, batch=batch, actor=SYSTEM)
        assert (summary.added, summary.unchanged) == (50, min(30, len(held)))
        held += fresh
    assert session.scalar(select(func.count()).select_from(BankEntry)) == 400
