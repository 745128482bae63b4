"""The retention job on SQLite and PostgreSQL: each class purged on time, legal holds
honoured, confirmed hashes kept, tombstones left, and the audit chain still verifying."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role
from consentry.accounts.users import create_user
from consentry.actions.models import AckResult, ActionRequest
from consentry.audit.service import verify
from consentry.banks.models import BankEntry
from consentry.cases.decisions import case_entries, decide
from consentry.cases.intake import file_notice
from consentry.cases.models import Case, CasePersonal, PreservedCopy
from consentry.cases.notify import contact_email
from consentry.cases.preservation import store_copy
from consentry.cases.removal import acknowledge
from consentry.cases.schemas import DecisionIn, NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM, Actor
from consentry.db.base import utcnow
from consentry.retention.models import Tombstone
from consentry.retention.purge import purge_due
from consentry.review.claims import add_comment
from tests.cases.support import notice
from tests.images import jpeg, pattern

PDQ_A = "a5" * 32
PDQ_B = "3c" * 32


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, evidence_copies=True)


def _file(session: Session, settings: Settings, value: str, **overrides: object) -> Case:
    return file_notice(
        session=session,
        notice=NoticeIn.model_validate(
            notice(
                hashes=[{"signal_type": "pdq", "value": value, "quality": 90}],
                locations=[{"content_id": value[:6], "description": "posted by @someone"}],
                explanation="My ex posted it.",
                **overrides,
            )
        ),
        filed_by=Actor.key(1),
        settings=settings,
    ).case


def test_a_declined_case_is_purged_class_by_class(session: Session, settings: Settings) -> None:
    case = _file(session, settings, PDQ_A)
    reviewer, _ = create_user(
        actor=SYSTEM, session=session, email="rev@example.org", role=Role.REVIEWER
    )
    add_comment(session=session, case=case, user_id=reviewer.id, text="Check the handle.")
    decide(
        session=session,
        case=case,
        decision=DecisionIn(decision="decline", reason_code="not_intimate"),
        actor=Actor.user(1),
        settings=settings,
    )
    now = utcnow()
    assert purge_due(session=session, settings=settings, now=now) == {}
    contact_only = purge_due(session=session, settings=settings, now=now + timedelta(days=200))
    assert contact_only == {"contact": 1}
    assert contact_email(session=session, case_id=case.id) is None
    personal = session.scalars(select(CasePersonal).where(CasePersonal.case_id == case.id)).one()
    assert personal.data["explanation"] == "My ex posted it."  # free text lives longer
    later = purge_due(session=session, settings=settings, now=now + timedelta(days=400))
    assert later == {"free_text": 2, "hashes": 1}
    session.refresh(personal)
    assert "explanation" not in personal.data
    assert all("description" not in loc for loc in personal.data["locations"])
    (entry,) = [e for e, _ in case_entries(session=session, case_id=case.id)]
    assert entry.status == "revoked"
    assert entry.value != PDQ_A
    assert len(entry.value) == 64
    assert session.scalar(select(BankEntry).where(BankEntry.value == PDQ_A)) is None
    classes = sorted(session.scalars(select(Tombstone.data_class)).all())
    assert classes == ["contact", "free_text", "free_text", "hashes"]
    assert purge_due(session=session, settings=settings, now=now + timedelta(days=800)) == {}
    session.flush()
    assert list(verify(session=session)) == []


def test_legal_holds_and_confirmed_hashes_are_kept(session: Session, settings: Settings) -> None:
    case = _file(session, settings, PDQ_B)
    decide(
        session=session,
        case=case,
        decision=DecisionIn(decision="confirm"),
        actor=Actor.user(1),
        settings=settings,
    )
    action = session.scalars(select(ActionRequest)).one()
    store_copy(
        session=session,
        action_id=action.id,
        data=jpeg(pattern(4)),
        media_type="image/jpeg",
        actor=Actor.key(2),
        settings=settings,
    )
    acknowledge(
        session=session,
        action_id=action.id,
        result=AckResult.DONE,
        actor=Actor.key(2),
        settings=settings,
    )
    now = utcnow()
    # The preservation hold (a year) covers the case: nothing goes while it lasts.
    assert purge_due(session=session, settings=settings, now=now + timedelta(days=300)) == {}
    after_hold = purge_due(session=session, settings=settings, now=now + timedelta(days=366 + 30))
    assert after_hold == {"contact": 1, "free_text": 1, "copies": 1}
    assert session.scalars(select(PreservedCopy.ciphertext)).one() is None
    (entry,) = [e for e, _ in case_entries(session=session, case_id=case.id)]
    assert (entry.status, entry.value) == ("confirmed", PDQ_B)  # re-uploads stay blocked
    session.flush()
    assert list(verify(session=session)) == []
