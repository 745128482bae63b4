"""Statements of reasons in the Transparency Database's shape, and their submission to a
local server implementing its documented API (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select, update

from consentry.audit.models import AuditEvent
from consentry.cases.models import Statement
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.transparency.models import TdbSubmission
from consentry.transparency.submit import submit_due
from consentry.transparency.tdb import tdb_statement, validate
from tests.cases.support import removed_case
from tests.transparency.tdb_server import TOKEN, tdb_server


def _removed(engine: Engine, settings: Settings, count: int, **overrides: object) -> None:
    """`count` cases confirmed and removed, each with its statement of reasons."""
    with session_scope(engine) as session:
        for n in range(count):
            removed_case(
                session=session,
                settings=settings,
                hashes=[],
                locations=[{"content_id": f"c-{n}"}],
                **overrides,
            )


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=str(engine.url.render_as_string(False)))


def test_a_statement_maps_to_the_database_shape_without_personal_data(
    engine: Engine, settings: Settings
) -> None:
    _removed(engine, settings, 1, grounds=["ai_generated"])
    with session_scope(engine) as session:
        statement = session.scalars(select(Statement)).one()
        body = tdb_statement(session=session, statement=statement, settings=settings)
    validate(body)
    assert body["category"] == "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    assert body["category_specification"] == [
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    ]
    assert body["content_type"] == ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_SYNTHETIC_MEDIA"]
    assert body["source_type"] == "SOURCE_ARTICLE_16"
    assert body["automated_detection"] == "No"
    assert body["puid"] == f"consentry-{statement.reference}"
    assert "source_identity" not in body
    text = json.dumps(body)
    for personal in ("person@example.org", "A. Person", "c-0", "example.test"):
        assert personal not in text


def test_a_possible_minor_is_reported_under_protection_of_minors(
    engine: Engine, settings: Settings
) -> None:
    _removed(engine, settings, 1, under_18="yes", grounds=["shared_without_consent"])
    with session_scope(engine) as session:
        body = tdb_statement(
            session=session, statement=session.scalars(select(Statement)).one(), settings=settings
        )
    validate(body)
    assert body["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert body["category_specification"] == ["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]


def _due_now(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(TdbSubmission).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def test_statements_are_submitted_in_batches_and_counted_only_on_201(
    engine: Engine, settings: Settings
) -> None:
    _removed(engine, settings, 3)
    with tdb_server() as (url, database):
        configured = settings.model_copy(
            update={"tdb_url": url, "tdb_token": SecretStr(TOKEN), "outbound_allow": "127.0.0.0/8"}
        )
        database.faults = ["500"]
        assert submit_due(engine=engine, settings=configured) == 0  # refused: retried later
        assert submit_due(engine=engine, settings=configured) == 0  # not due yet
        _due_now(engine)
        assert submit_due(engine=engine, settings=configured) == 3
        assert len(database.statements) == 3
        assert [r for r in database.requests if r[0] == "POST"] == [
            ("POST", "/api/v1/statements")
        ] * 2
    with session_scope(engine) as session:
        rows = session.scalars(select(TdbSubmission)).all()
        assert {r.status for r in rows} == {"submitted"}
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.tdb_submitted")
        ).all()
        assert sorted(e.details["puid"] for e in events) == sorted(r.puid for r in rows)


def test_a_lost_answer_is_not_resent_so_a_puid_is_never_reused(
    engine: Engine, settings: Settings
) -> None:
    _removed(engine, settings, 2)
    with tdb_server() as (url, database):
        configured = settings.model_copy(
            update={"tdb_url": url, "tdb_token": SecretStr(TOKEN), "outbound_allow": "127.0.0.0/8"}
        )
        database.faults = ["lost"]  # stored there, but the answer never arrives
        assert submit_due(engine=engine, settings=configured) == 0
        _due_now(engine)
        assert submit_due(engine=engine, settings=configured) == 2
        posts = [r for r in database.requests if r[0] == "POST"]
        lookups = [r for r in database.requests if r[0] == "GET"]
    assert len(posts) == 1  # the retry looked the puids up instead of sending them again
    assert len(lookups) == 2


def test_a_wrong_token_keeps_statements_waiting_then_marks_them_failed(
    engine: Engine, settings: Settings
) -> None:
    _removed(engine, settings, 1)
    with tdb_server() as (url, _):
        configured = settings.model_copy(
            update={
                "tdb_url": url,
                "tdb_token": SecretStr("wrong"),
                "delivery_max_attempts": 2,
                "outbound_allow": "127.0.0.0/8",
            }
        )
        submit_due(engine=engine, settings=configured)
        with session_scope(engine) as session:
            row = session.scalars(select(TdbSubmission)).one()
            assert row.status == "pending"
            assert row.last_error is not None
            assert row.last_error.startswith("HTTP 401")
        _due_now(engine)
        submit_due(engine=engine, settings=configured)
    with session_scope(engine) as session:
        assert session.scalars(select(TdbSubmission.status)).one() == "failed"
