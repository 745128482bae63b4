from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from consentry.accounts.models import Scope
from consentry.config import Settings
from consentry.core.clock import use_clock
from consentry.db.session import session_scope
from tests.databases import empty_tables, migrated_engine, pg_database
from tests.helpers import key_headers, running, wait_ready
from tests.workflow import app, case_settings, decider, filer, mailbox, platform, receiver

# One key seals secrets for the whole run, in this process and in every server it starts
# (a deployment has one; tests/db/test_sealed.py covers the key file).
os.environ.setdefault("CONSENTRY_SECRETS_KEY", Fernet.generate_key().decode())

__all__ = [
    "app",
    "case_settings",
    "decider",
    "filer",
    "key_headers",
    "mailbox",
    "pg_database",
    "platform",
    "receiver",
    "running",
    "wait_ready",
]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Service settings on each database in turn, starting from empty tables."""
    engine = migrated_engine(db_url)
    empty_tables(engine)
    engine.dispose()
    return Settings(data_dir=tmp_path / "var", database_url=db_url)


@pytest.fixture
def fresh_windows() -> Iterator[None]:
    """Throttles and rate limits count in fixed windows (a minute, 15 minutes, an hour, a
    day): a test that counts up to a limit runs on a clock that starts just after the
    beginning of a day, so that no window ends in the middle of it."""
    started = datetime.now(UTC)
    morning = started.replace(hour=0, minute=0, second=1, microsecond=0)
    with use_clock(lambda: morning + (datetime.now(UTC) - started)):
        yield


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with running(settings) as test_client:
        yield test_client


@pytest.fixture
def scan_headers(client: TestClient) -> dict[str, str]:
    return key_headers(client, Scope.SCAN)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One running service for a whole module, on each database in turn: for modules
    whose tests leave nothing another test reads (stateless endpoints), where starting a
    service per test costs more than the tests."""
    folder = tmp_path_factory.mktemp("shared")
    url = f"sqlite:///{folder / 'consentry.db'}"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
    engine = migrated_engine(url)
    empty_tables(engine)
    engine.dispose()
    with running(Settings(data_dir=folder / "var", database_url=url)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def shared_scan_headers(shared_client: TestClient) -> dict[str, str]:
    return key_headers(shared_client, Scope.SCAN)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'consentry.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


def _fresh(url: str) -> Iterator[Engine]:
    engine = migrated_engine(url)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    yield from _fresh(db_url)


@pytest.fixture
def pg_engine(pg_database: str) -> Iterator[Engine]:
    """For what only PostgreSQL has (its own statements, say)."""
    yield from _fresh(pg_database)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """Ray's local runtime for a module's tests (the `ray` extra)."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


# Whole modules that drive Chromium, start servers or run long property searches: left
# out by `-m "not slow"` while working; CI runs everything.
SLOW_MODULES = (
    "_in_browser",
    "test_bounded_work",
    "test_schemathesis",
    "test_serve",
    "test_faults",
    "test_slow_receivers",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(part in item.path.stem for part in SLOW_MODULES):
            item.add_marker(pytest.mark.slow)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the hashing kernels (numba) once, in the controlling process, before the
    workers and the servers they start hash their first image: they then load the
    on-disk cache instead of each compiling for seconds at once."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        from consentry.hashing.windows import warm_up

        warm_up()
