"""A known history, built through the real services on a controlled clock, and every
figure of the report checked against it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.accounts.users import create_user
from consentry.actions.models import AckResult, ActionRequest
from consentry.banks.service import list_banks
from consentry.cases.appeals import decide_appeal, file_requester_appeal
from consentry.cases.clocks import ClockSettings, fire_due
from consentry.cases.decisions import decide
from consentry.cases.intake import file_notice
from consentry.cases.models import Case, Outcome, Statement
from consentry.cases.removal import acknowledge
from consentry.cases.schemas import DecisionIn, NoticeIn
from consentry.config import Settings
from consentry.core.actor import REQUESTER, SYSTEM, Actor
from consentry.core.clock import use_clock
from consentry.reports.figures import compute
from consentry.reports.publish import publish, to_csv, to_html
from consentry.scans.models import ScanMatch, ScanRecord
from consentry.transparency.models import SubmissionStatus, TdbSubmission
from consentry.transparency.submit import enqueue_statements
from tests.cases.support import notice

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Time under the test's control, for every module at once."""
    clock = Clock()
    with use_clock(clock):
        yield clock


def _history(session: Session, clock: Clock, settings: Settings) -> None:
    def filed(**overrides: object) -> Case:
        return file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice(hashes=[], **overrides)),
            filed_by=Actor.key(1),
            settings=settings,
        ).case

    a = filed(locations=[{"content_id": "a"}])
    b = filed(locations=[{"content_id": "b"}])
    c = filed(request_types=["third_party"], locations=[{"content_id": "c"}])
    filed(signature=None, locations=[{"content_id": "d"}])  # incomplete: received, not valid
    lead, _ = create_user(actor=SYSTEM, session=session, email="lead@example.org", role=Role.LEAD)
    clock.now = T0 + timedelta(hours=1)
    for case in (a, b):
        decide(
            session=session,
            case=case,
            decision=DecisionIn(decision="confirm"),
            actor=Actor.user(5),
            settings=settings,
        )
    decide(
        session=session,
        case=c,
        decision=DecisionIn(decision="decline", reason_code="not_intimate"),
        actor=Actor.user(5),
        settings=settings,
    )
    actions = {act.case_id: act.id for act in session.scalars(select(ActionRequest))}
    clock.now = T0 + timedelta(hours=10)
    acknowledge(
        session=session,
        action_id=actions[a.id],
        result=AckResult.DONE,
        actor=Actor.key(2),
        settings=settings,
        now=clock.now,
    )
    clock.now = T0 + timedelta(hours=49)
    fire_due(session=session, now=clock.now, clocks=ClockSettings.of(settings))
    clock.now = T0 + timedelta(hours=60)
    acknowledge(
        session=session,
        action_id=actions[b.id],
        result=AckResult.DONE,
        actor=Actor.key(2),
        settings=settings,
        now=clock.now,
    )
    appeal = file_requester_appeal(
        session=session, case=c, explanation="It is intimate.", actor=REQUESTER, settings=settings
    )
    decide_appeal(
        session=session, appeal_id=appeal.id, outcome=Outcome.UPHELD, user=lead, settings=settings
    )
    bank = next(b for b in list_banks(session=session) if b.name == "cases")
    scan = ScanRecord(content_id="x", verdict="review", created_at=clock.now)
    session.add(scan)
    session.flush()
    for distance in (0, 12):
        session.add(
            ScanMatch(
                scan_id=scan.id,
                entry_id=1,
                bank_id=bank.id,
                signal_type="pdq",
                distance=distance,
                threshold=31,
                variant="original",
                tier="review",
            )
        )
    session.flush()


@pytest.fixture
def history(session: Session, clock: Clock, tmp_path: Path) -> Session:
    settings = Settings(data_dir=tmp_path)
    clock.now = T0 - timedelta(days=1)  # before the period: it must not count
    with_entry = file_notice(  # a bank entry for the scan matches to point at
        session=session,
        notice=NoticeIn.model_validate(notice()),
        filed_by=SYSTEM,
        settings=settings,
    )
    decide(  # its clock stops before the period, so it breaches nothing in it
        session=session,
        case=with_entry.case,
        decision=DecisionIn(decision="decline", reason_code="other"),
        actor=Actor.user(5),
        settings=settings,
    )
    clock.now = T0
    _history(session, clock, settings)
    return session


def _figures(session: Session) -> object:
    return compute(session=session, start=T0, end=T0 + timedelta(days=7), removal_hours=48)


def test_every_figure_matches_the_known_history(history: Session) -> None:
    report = publish(_figures(history), threshold=1)  # type: ignore[arg-type]
    assert report["notices"] == {
        "received_by_request_type": {"depicted_person": 3, "third_party": 1},
        "valid": 3,
    }
    assert report["decisions"] == {"confirm": 2, "decline: not_intimate": 1}
    assert report["actions"] == {
        "requested_by_kind": {"remove": 3},
        "automated": 0,
        "automated_share": 0.0,
        "removals_confirmed": 2,
        "content_not_found": 0,
    }
    assert report["time_to_action_hours"] == {
        "removals_measured": 2,
        "median": 35.0,
        "p95": 60.0,
        "within_48h": 1,
        "within_48h_share": 0.5,
    }
    assert report["breaches"] == {"removal_clock": 1}
    assert report["appeals"] == {
        "received_by_appellant": {"requester": 1},
        "upheld_reversed": 1,
        "rejected": 0,
        "content_restored": 0,
    }
    assert report["matches"] == {"by_bank_and_tier": {"cases / review": 2}}
    assert report["transparency_database"] == {
        "statements_by_status": {},
        "median_hours_to_submission": None,
    }


def test_time_to_the_transparency_database_and_failures_are_reported(history: Session) -> None:
    enqueue_statements(session=history)
    first, second = history.scalars(select(TdbSubmission).order_by(TdbSubmission.statement_id))
    issued = history.get_one(Statement, first.statement_id).issued_at
    first.status, first.submitted_at = SubmissionStatus.SUBMITTED, issued + timedelta(hours=3)
    second.status = SubmissionStatus.FAILED
    history.flush()
    report = publish(_figures(history), threshold=1)  # type: ignore[arg-type]
    assert report["transparency_database"] == {
        "statements_by_status": {"failed": 1, "submitted": 1},
        "median_hours_to_submission": 3.0,
    }


def test_small_numbers_are_suppressed_and_nothing_personal_is_published(
    history: Session,
) -> None:
    report = publish(_figures(history), threshold=5)  # type: ignore[arg-type]
    assert report["notices"]["received_by_request_type"] == {
        "depicted_person": "<5",
        "third_party": "<5",
    }
    assert report["time_to_action_hours"]["median"] is None
    assert report["actions"]["automated_share"] is None
    assert report["appeals"]["rejected"] == 0  # zero singles nobody out
    for text in (json.dumps(report), to_csv(report), to_html(report)):
        assert "example.org" not in text
        assert "A. Person" not in text
    csv_lines = to_csv(report).splitlines()
    assert csv_lines[0] == "figure,value"
    assert "notices.received_by_request_type.third_party,<5" in csv_lines
    html = to_html(publish(_figures(history), threshold=1))  # type: ignore[arg-type]
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<td>time to action hours · median</td><td>35.0</td>" in html


def test_nothing_outside_the_period_counts(history: Session) -> None:
    later = compute(
        session=history,
        start=T0 + timedelta(days=30),
        end=T0 + timedelta(days=60),
        removal_hours=48,
    )
    assert sum(later.notices_by_type.values()) == 0
    assert later.hours_to_action == []
