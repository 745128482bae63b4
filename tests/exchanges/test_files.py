"""File exchanges: a publisher's newer file carries its withdrawals to the bank that
follows it, in either format, and an unchanged file is not applied again."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select

from consentry.audit.models import AuditEvent
from consentry.banks.models import BankChange, BankEntry, ChangeAction, EntryGroup
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.exchanges import service
from consentry.exchanges.files import PAGE_LINES
from consentry.exchanges.models import Exchange, ExchangeKind
from consentry.exchanges.sync import sync
from tests.exchanges.support import follow

VALUES = [f"{n:064x}" for n in range(1, 7)]


def _line(value: str, status: str, **extra: object) -> str:
    record = {"format": "consentry-bank/1", "signal_type": "pdq", "value": value}
    return json.dumps(record | {"status": status} | extra)


def _follow(engine: Engine, path: Path) -> None:
    follow(engine, name="ngo", kind=ExchangeKind.FILE, location=str(path))


def _statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {e.value: e.status.value for e in session.scalars(select(BankEntry))}


def test_a_newer_jsonl_withdraws_and_nothing_is_applied_twice(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "ngo.jsonl"
    path.write_text("\n".join(_line(v, "confirmed") for v in VALUES[:4]) + "\n")
    _follow(engine, path)
    first = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert (first.error, first.applied.added) == (None, 4)
    assert set(_statuses(engine).values()) == {"confirmed"}

    assert sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM).pages == 0

    path.write_text(
        "\n".join(
            [_line(VALUES[0], "withdrawn"), _line(VALUES[1], "revoked")]
            + [_line(v, "confirmed") for v in VALUES[2:5]]
            + ["{not json"]
        )
    )
    second = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert (second.applied.withdrawn, second.applied.revoked, second.applied.added) == (1, 1, 1)
    assert [reason[:7] for reason in second.skipped] == ["line 6:"]
    assert _statuses(engine) == {
        VALUES[0]: "withdrawn",
        VALUES[1]: "revoked",
        VALUES[2]: "confirmed",
        VALUES[3]: "confirmed",
        VALUES[4]: "confirmed",
    }
    with session_scope(engine) as session:
        added = session.scalar(select(func.count()).where(BankChange.action == ChangeAction.ADDED))
        exchange = service.get_exchange(session=session, name="ngo")
        assert exchange.last_applied["withdrawn"] == 1
        assert exchange.last_success_at is not None
    assert added == 5  # each value added once, whatever was read again


def test_a_value_missing_from_a_newer_text_list_is_revoked(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """python-threatexchange's .txt lists only active values: leaving one out is how a
    withdrawal arrives. A withdrawn value never comes back with a later list."""
    path = tmp_path / "list.txt"
    path.write_text("".join(f"pdq {v}\n" for v in VALUES[:3]))
    _follow(engine, path)
    assert sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM).applied.added == 3
    path.write_text("".join(f"pdq {v}\n" for v in VALUES[1:3]))
    assert sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM).applied.revoked == 1
    assert _statuses(engine) == {VALUES[0]: "revoked", VALUES[1]: "pending", VALUES[2]: "pending"}
    with session_scope(engine) as session:  # the revocation is in the audit log
        audited = session.scalars(
            select(AuditEvent.details)
            .where(AuditEvent.action == "bank.entries.added")
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert audited is not None
    assert audited["revoked"] == 1
    path.write_text("".join(f"pdq {v}\n" for v in VALUES[:3]))
    again = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert (again.applied.added, again.applied.changed) == (0, 0)
    assert _statuses(engine)[VALUES[0]] == "revoked"


def test_a_video_over_two_pages_stays_one_group(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    frames = [
        _line(f"{n:064x}", "confirmed", at_ms=n * 1000, group={"id": 7, "label": "a.mp4"})
        for n in range(1, PAGE_LINES + 3)
    ]
    path = tmp_path / "videos.jsonl"
    path.write_text("\n".join(frame.replace('"pdq"', '"vpdq"') for frame in frames))
    _follow(engine, path)
    result = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert (result.error, result.pages, result.applied.added) == (None, 2, PAGE_LINES + 2)
    with session_scope(engine) as session:
        groups = session.scalars(select(EntryGroup.label)).all()
        grouped = session.scalar(
            select(func.count(func.distinct(BankEntry.group_id))).where(
                BankEntry.group_id.is_not(None)
            )
        )
    assert (groups, grouped) == (["ngo #import:7"], 1)  # the source's label never travels


def test_a_missing_file_is_the_exchanges_error_not_a_crash(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _follow(engine, tmp_path / "gone.jsonl")
    result = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert result.error is not None
    assert "not a readable file" in result.error
    with session_scope(engine) as session:
        exchange = session.scalar(select(Exchange))
        assert exchange is not None
        assert exchange.last_error == result.error
        assert exchange.last_success_at is None
