from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.api.app import create_app
from consentry.config import Settings
from consentry.db.session import session_scope
from tests.databases import empty_tables, migrated_engine, pg_database

__all__ = ["pg_database"]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Service settings on each database in turn, starting from empty tables."""
    engine = migrated_engine(db_url)
    empty_tables(engine)
    engine.dispose()
    return Settings(data_dir=tmp_path / "var", database_url=db_url)


def wait_ready(client: TestClient) -> None:
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the service never became ready"
        time.sleep(0.02)


def key_headers(client: TestClient, *scopes: Scope) -> dict[str, str]:
    """Authorization headers with a new API key holding these scopes."""
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        _, secret = create_api_key(session=session, name="test", scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        wait_ready(test_client)
        yield test_client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with running(settings) as test_client:
        yield test_client


@pytest.fixture
def scan_headers(client: TestClient) -> dict[str, str]:
    return key_headers(client, Scope.SCAN)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'consentry.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = migrated_engine(db_url)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session
