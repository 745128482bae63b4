"""A command-line test's own database: a SQLite file with one filed case."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentry.cases.intake import file_notice
from consentry.cases.schemas import NoticeIn
from consentry.config import get_settings
from consentry.core.actor import Actor
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope
from tests.cases.support import notice


def database_with_a_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the commands at a fresh database and data folder under `tmp_path`, file one
    notice there, and return its case reference. The caller clears the settings cache
    once the test is over."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", url)
    monkeypatch.setenv("CONSENTRY_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        reference = file_notice(
            session=session,
            notice=NoticeIn.model_validate(notice()),
            filed_by=Actor.key(1),
            settings=get_settings(),
        ).case.reference
    engine.dispose()
    return reference
