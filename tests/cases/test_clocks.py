"""Clocks: per request type, per item, from stored times, escalations and breaches
fired exactly once however many workers run the scheduler."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.cases.clocks import ClockSettings, fire_due
from consentry.cases.copies import copies_found
from consentry.cases.decisions import confirm
from consentry.cases.events import history
from consentry.cases.intake import file_notice
from consentry.cases.models import Case, CaseHash, Deadline, DeadlineMark, Item
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.matching.schemas import Match, Tier
from consentry.scans.models import ScanRecord
from tests.cases.support import notice

CLOCKS = ClockSettings()


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def _file(session: Session, tmp_path: Path, **overrides: object) -> Case:
    filed = file_notice(
        session=session,
        notice=NoticeIn.model_validate(notice(**overrides)),
        filed_by=Actor.key(1),
        settings=_settings(tmp_path),
    )
    return filed.case


def _age(session: Session, case: Case, hours: float) -> None:
    """Pretend the case's clocks started `hours` ago."""
    shift = timedelta(hours=hours)
    for deadline in session.scalars(select(Deadline).where(Deadline.case_id == case.id)):
        deadline.started_at -= shift
        deadline.due_at -= shift
    session.flush()


def test_each_request_type_gets_its_clocks(session: Session, tmp_path: Path) -> None:
    depicted = _file(session, tmp_path)
    third = _file(
        session,
        tmp_path,
        request_types=["third_party"],
        locations=[],
        hashes=[{"signal_type": "md5", "value": "1" * 32}],
    )
    california = _file(
        session,
        tmp_path,
        request_types=["ca_sb981"],
        locations=[],
        hashes=[{"signal_type": "md5", "value": "2" * 32}],
    )
    hours = {
        case.id: {
            d.regime: (d.due_at - d.started_at) / timedelta(hours=1)
            for d in session.scalars(select(Deadline).where(Deadline.case_id == case.id))
        }
        for case in (depicted, third, california)
    }
    assert hours[depicted.id] == {"removal": 48}
    assert hours[third.id] == {"internal_target": 24}
    assert hours[california.id] == {
        "removal": 48,
        "sb981_ack": 48,
        "sb981_update": 7 * 24,
        "sb981_decision": 30 * 24,
    }
    ack = session.scalars(
        select(Deadline).where(Deadline.case_id == california.id, Deadline.regime == "sb981_ack")
    ).one()
    assert ack.stop_reason == "acknowledged"


def test_escalations_and_the_breach_fire_once(session: Session, tmp_path: Path) -> None:
    case = _file(session, tmp_path)
    _age(session, case, 25)
    assert fire_due(session=session, now=utcnow(), clocks=CLOCKS) == 2  # 12 h and 24 h
    _age(session, case, 24)
    assert fire_due(session=session, now=utcnow(), clocks=CLOCKS) == 2  # 36 h and the breach
    assert fire_due(session=session, now=utcnow(), clocks=CLOCKS) == 0
    marks = session.scalars(select(DeadlineMark.mark).order_by(DeadlineMark.id)).all()
    assert marks == ["12h", "24h", "36h", "breach"]
    actions = [e.action for e in history(session=session, case_id=case.id)]
    assert actions.count("case.clock_escalated") == 3
    assert actions.count("case.clock_breached") == 1
    deadline = session.scalars(select(Deadline)).one()
    assert deadline.breached_at == deadline.due_at
    assert deadline.stopped_at is None


def test_marks_fire_once_with_several_workers(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        case = _file(session, tmp_path)
        _age(session, case, 49)
    fired: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for _ in range(3):
            try:
                with session_scope(engine) as session:
                    fired.append(fire_due(session=session, now=utcnow(), clocks=CLOCKS))
            except Exception:  # SQLite: a writer that lost the race is busy; retry
                continue

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(fired) == 4
    with session_scope(engine) as session:
        assert len(session.scalars(select(DeadlineMark)).all()) == 4


def test_a_copy_found_after_the_window_gets_a_clock_from_its_discovery(
    session: Session, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    case = _file(session, tmp_path)
    confirm(session=session, case=case, actor=Actor.user(1), item_ids=None, settings=settings)
    window = session.scalars(select(Deadline)).one()

    def found(content_id: str) -> Item:
        scan = ScanRecord(content_id=content_id, verdict="auto_action")
        session.add(scan)
        session.flush()
        entry = session.scalars(select(CaseHash.entry_id)).one()
        match = Match("cases", entry, "pdq", "", 0, 31, "original", Tier.AUTO)
        (item,) = copies_found(
            session=session,
            scan_id=scan.id,
            content_id=scan.content_id,
            matches=[match],
            settings=settings,
        )
        return item

    early = found("copy-early")
    assert early.deadline_id == window.id  # within the window: it shares the case's clock
    _age(session, case, 50)
    late = found("copy-late")
    assert late.deadline_id != window.id
    own = session.get_one(Deadline, late.deadline_id)
    assert own.due_at - own.started_at == timedelta(hours=48)
    assert own.started_at == late.located_at
