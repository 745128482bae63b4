"""Claims with leases, on SQLite and PostgreSQL: one holder at a time, whatever the race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.accounts.users import create_user
from consentry.audit.models import AuditEvent
from consentry.cases.errors import CaseConflict
from consentry.cases.intake import file_notice
from consentry.cases.models import Case
from consentry.cases.schemas import NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.review.claims import (
    DEFAULT_LEASE,
    CaseHeld,
    claim_case,
    hand_over,
    held_by,
    holder,
    release_case,
)
from tests.cases.support import notice


def _setup(
    session: Session, tmp_path_settings: Settings, reviewers: int = 2
) -> tuple[Case, list[int]]:
    filed = file_notice(
        session=session,
        notice=NoticeIn.model_validate(notice()),
        filed_by=SYSTEM,
        settings=tmp_path_settings,
    )
    users = [
        create_user(actor=SYSTEM, session=session, email=f"r{i}@example.org", role=Role.REVIEWER)[
            0
        ].id
        for i in range(reviewers)
    ]
    return filed.case, users


@pytest.fixture
def case_settings(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("var"), database_url=str(engine.url))


def _events(session: Session, case: Case) -> list[str]:
    return [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_id == str(case.id), AuditEvent.action.like("case.%ed%"))
            .order_by(AuditEvent.seq)
        )
        if e.action in {"case.claimed", "case.released", "case.handed_over"}
    ]


def test_a_held_case_cannot_be_claimed_until_its_lease_runs_out(
    session: Session, case_settings: Settings
) -> None:
    case, (first, second) = _setup(session, case_settings)
    now = utcnow()
    claim_case(session=session, case=case, user_id=first, now=now)
    with pytest.raises(CaseHeld):
        claim_case(session=session, case=case, user_id=second, now=now + timedelta(minutes=5))
    later = now + DEFAULT_LEASE + timedelta(seconds=1)
    assert holder(session=session, case_id=case.id, now=later) is None
    taken = claim_case(session=session, case=case, user_id=second, now=later)
    assert taken.user_id == second
    assert held_by(session=session, user_id=first, now=later) == []
    assert _events(session, case) == ["case.claimed", "case.claimed"]


def test_a_renewal_keeps_the_claim_and_is_not_an_event(
    session: Session, case_settings: Settings
) -> None:
    case, (first, _) = _setup(session, case_settings)
    now = utcnow()
    claim_case(session=session, case=case, user_id=first, now=now)
    renewed = claim_case(session=session, case=case, user_id=first, now=now + timedelta(minutes=10))
    assert renewed.claimed_at == now
    assert renewed.expires_at == now + timedelta(minutes=10) + DEFAULT_LEASE
    assert _events(session, case) == ["case.claimed"]


def test_release_and_hand_over(session: Session, case_settings: Settings) -> None:
    case, (first, second, third) = _setup(session, case_settings, reviewers=3)
    claim_case(session=session, case=case, user_id=first)
    assert not release_case(session=session, case=case, user_id=second)
    with pytest.raises(CaseConflict):
        hand_over(session=session, case=case, from_user=second, to_user=third, note="x")
    hand_over(session=session, case=case, from_user=first, to_user=second, note="needs a lead")
    renewed = claim_case(session=session, case=case, user_id=second)
    assert renewed.note == "needs a lead"
    with pytest.raises(CaseHeld):
        claim_case(session=session, case=case, user_id=first)
    assert release_case(session=session, case=case, user_id=second)
    claim_case(session=session, case=case, user_id=third)
    assert _events(session, case) == [
        "case.claimed",
        "case.handed_over",
        "case.released",
        "case.claimed",
    ]


def test_racing_reviewers_never_both_win(engine: Engine, case_settings: Settings) -> None:
    with session_scope(engine) as session:
        case, users = _setup(session, case_settings, reviewers=6)
        case_id = case.id
    barrier = threading.Barrier(len(users))
    winners: list[int] = []
    refused: list[int] = []

    def attempt(user_id: int) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as session:
                claim_case(session=session, case=session.get_one(Case, case_id), user_id=user_id)
            winners.append(user_id)
        except CaseHeld:
            refused.append(user_id)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert sorted(winners + refused) == sorted(users)
    with session_scope(engine) as session:
        assert holder(session=session, case_id=case_id) is not None
        assert holder(session=session, case_id=case_id).user_id == winners[0]  # type: ignore[union-attr]
