from itertools import pairwise

import pytest
from sqlalchemy import Engine, delete, update
from typer.testing import CliRunner

from consentry.audit.models import AuditEvent
from consentry.audit.service import GENESIS, record, verify
from consentry.banks import service
from consentry.banks.models import ChangeAction
from consentry.banks.service import NewEntry
from consentry.cli.main import app
from consentry.core.actor import CLI, SYSTEM
from consentry.db.session import session_scope

PDQ = "3c" * 32


def problems(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [f"{b.seq}: {b.problem}" for b in verify(session=session)]


@pytest.fixture
def chained(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        bank = service.create_bank(session=session, name="ncii", actor=CLI)
        service.add_entry(session=session, bank=bank, new=NewEntry("pdq", PDQ))
        service.change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="pdq",
            value=PDQ,
            action=ChangeAction.WITHDRAWN,
        )
        record(session=session, actor=SYSTEM, action="test.note", subject_type="test", subject_id=1)
    return engine


def test_state_changes_are_chained_and_verify(chained: Engine) -> None:
    with session_scope(chained) as session:
        events = session.query(AuditEvent).order_by(AuditEvent.seq).all()
        assert [e.action for e in events] == ["bank.created", "bank.entry.withdrawn", "test.note"]
        assert events[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in pairwise(events))
        assert events[1].details == {"bank_id": 1, "from": "pending", "to": "withdrawn"}
        assert PDQ not in str([e.details for e in events])
    assert problems(chained) == []


def test_an_edited_event_is_reported(chained: Engine) -> None:
    with session_scope(chained) as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone else"))
    assert problems(chained) == ["2: its content was changed after it was written"]


def test_a_deleted_event_is_reported(chained: Engine) -> None:
    with session_scope(chained) as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    assert problems(chained) == [
        "3: events 2-2 are missing",
        "3: does not follow the previous event (deleted or reordered)",
    ]


def test_reordered_events_are_reported(chained: Engine) -> None:
    with session_scope(chained) as session:
        first = session.get(AuditEvent, 1)
        second = session.get(AuditEvent, 2)
        assert first is not None
        assert second is not None
        fields = (
            "at",
            "actor",
            "action",
            "subject_type",
            "subject_id",
            "details",
            "prev_hash",
            "hash",
        )
        a = {f: getattr(first, f) for f in fields}
        b = {f: getattr(second, f) for f in fields}
        for field in fields:
            setattr(first, field, b[field])
            setattr(second, field, a[field])
    found = problems(chained)
    assert found
    assert all("deleted or reordered" in p or "changed" in p for p in found)


def test_audit_verify_command(cli_database: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["bank", "create", "ncii"]).exit_code == 0
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0
    assert "verifies" in ok.output
    with session_scope(cli_database) as session:
        session.execute(update(AuditEvent).values(details={"tampered": True}))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "event 1: its content was changed" in broken.output
