import threading

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.banks import batches, service
from consentry.banks.errors import (
    BankExists,
    BankNotFound,
    EntryNotFound,
    InvalidBankSetting,
    StatusConflict,
)
from consentry.banks.models import BankChange, BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing.pdq import InvalidHash

PDQ = "f" * 64
PDQ2 = "0" * 63 + "1"


def new(value: str = PDQ, status: EntryStatus = EntryStatus.PENDING) -> NewEntry:
    return NewEntry(signal_type="pdq", value=value, status=status)


def test_create_and_find_bank(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii", pdq_threshold=20)
    assert service.get_bank(session=session, name="ncii").id == bank.id
    assert bank.auto_max_distance == 0
    with pytest.raises(BankExists):
        service.create_bank(actor=SYSTEM, session=session, name="ncii")
    with pytest.raises(BankNotFound):
        service.get_bank(session=session, name="other")


@pytest.mark.parametrize(
    ("threshold", "auto"),
    [(-1, 0), (65, 0), (31, -2), (31, 32)],
    ids=["neg", "big", "auto-2", "auto>t"],
)
def test_bank_settings_are_validated(session: Session, threshold: int, auto: int) -> None:
    with pytest.raises(InvalidBankSetting):
        service.create_bank(
            actor=SYSTEM, session=session, name="b", pdq_threshold=threshold, auto_max_distance=auto
        )


def test_reimport_never_revives_or_upgrades(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    entry, added = service.add_entry(session=session, bank=bank, new=new())
    assert added
    assert entry.status == "pending"
    again, added = service.add_entry(
        session=session, bank=bank, new=new(status=EntryStatus.CONFIRMED)
    )
    assert not added
    assert again.status == "pending"
    service.change_status(
        actor=SYSTEM,
        session=session,
        bank=bank,
        signal_type="pdq",
        value=PDQ,
        action=ChangeAction.WITHDRAWN,
    )
    entry, added = service.add_entry(
        session=session, bank=bank, new=new(status=EntryStatus.CONFIRMED)
    )
    assert (added, entry.status) == (False, "withdrawn")
    summary = batches.add_entries(
        actor=SYSTEM, session=session, bank=bank, batch=[new(status=EntryStatus.CONFIRMED)]
    )
    assert (summary.added, summary.unchanged) == (0, 1)
    assert session.scalar(select(BankEntry.status)) == "withdrawn"


def test_status_changes_are_explicit_and_final(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    service.add_entry(session=session, bank=bank, new=new())

    def change(action: ChangeAction) -> bool:
        return service.change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="pdq",
            value=PDQ.upper(),
            action=action,
        )[1]

    assert change(ChangeAction.CONFIRMED)
    assert not change(ChangeAction.CONFIRMED)
    assert change(ChangeAction.REVOKED)
    with pytest.raises(StatusConflict, match="final"):
        change(ChangeAction.CONFIRMED)
    with pytest.raises(StatusConflict):
        change(ChangeAction.WITHDRAWN)
    with pytest.raises(EntryNotFound):
        service.change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="pdq",
            value=PDQ2,
            action=ChangeAction.CONFIRMED,
        )


def test_every_change_is_logged_in_order(session: Session) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    service.add_entry(session=session, bank=bank, new=new())
    batches.add_entries(
        actor=SYSTEM, session=session, bank=bank, batch=[new(PDQ2), new(PDQ2), new()]
    )
    service.change_status(
        actor=SYSTEM,
        session=session,
        bank=bank,
        signal_type="pdq",
        value=PDQ2,
        action=ChangeAction.CONFIRMED,
    )
    changes = session.scalars(select(BankChange).order_by(BankChange.seq)).all()
    assert [c.action for c in changes] == ["bank_created", "added", "added", "confirmed"]
    assert [c.seq for c in changes] == sorted({c.seq for c in changes})


@pytest.mark.parametrize(
    ("signal", "value"),
    [
        ("pdq", "abc"),
        ("pdq", "g" * 64),
        ("md5", "a" * 64),
        ("sha256", ""),
    ],
)
def test_malformed_values_are_refused(session: Session, signal: str, value: str) -> None:
    bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
    with pytest.raises(InvalidHash, match="hexadecimal digits"):
        service.add_entry(session=session, bank=bank, new=NewEntry(signal_type=signal, value=value))


def test_concurrent_importers_neither_duplicate_nor_fail(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.create_bank(actor=SYSTEM, session=session, name="ncii")
    values = [f"{i:064x}" for i in range(300)]
    errors: list[BaseException] = []

    def importer(offset: int) -> None:
        try:
            for start in range(offset, 300, 50):
                with session_scope(engine) as session:
                    bank = service.get_bank(session=session, name="ncii")
                    batch = [new(v) for v in values[start : start + 100]]
                    batches.add_entries(actor=SYSTEM, session=session, bank=bank, batch=batch)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=importer, args=(k * 25,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(engine) as session:
        rows = session.scalars(select(BankEntry.value)).all()
        added = session.scalars(select(BankChange).where(BankChange.action == "added")).all()
    assert sorted(rows) == values
    assert len(added) == 300
