"""Real databases for tests: a SQLite file, and PostgreSQL at 127.0.0.1:5432.

PostgreSQL tests must run in CI (`.ci/run` starts the server); elsewhere they
skip with the reason when no server answers.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, make_url, text

import consentry.service.tables  # noqa: F401  (registers every table: empty_tables needs them)
from consentry.db.base import Base
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade

PG_SERVER = os.environ.get("CONSENTRY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}: {error}")
    name = f"consentry_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    # A throwaway database: a commit need not wait for the disk (nothing here must
    # survive a crash of the server), which the tests' many small transactions feel.
    admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    try:
        yield _sqlalchemy_url(PG_SERVER.rsplit("/", 1)[0] + "/" + name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


_template_dir = Path(tempfile.mkdtemp(prefix="consentry-template-"))
atexit.register(shutil.rmtree, _template_dir, ignore_errors=True)


def _sqlite_template() -> Path:
    """A SQLite database migrated to head, once per run: copying it (well under a
    millisecond) replaces a fresh migration (about half a second) in every test."""
    template = _template_dir / "head.db"
    if not template.exists():
        engine = make_engine(f"sqlite:///{_template_dir / 'build.db'}")
        upgrade(engine)
        engine.dispose()  # the last connection folds the WAL into the file
        (_template_dir / "build.db").rename(template)
    return template


def migrated_engine(url: str) -> Engine:
    """An engine on a database at the head migration: a fresh SQLite file starts as a
    copy of the run's template; any other database is upgraded (a no-op once done)."""
    database = make_url(url).database
    if url.startswith("sqlite") and database and not Path(database).exists():
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), database)
        os.chmod(database, 0o600)
    engine = make_engine(url)
    upgrade(engine)
    return engine


def empty_tables(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
