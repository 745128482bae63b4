"""Engines for the configured database, with SQLite tuned for several processes."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _owner_only(database: Path) -> None:
    """The data directory and database file, readable by this user alone (F20): they
    hold hashes of intimate images and contact details. Existing ones are left as the
    operator set them."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine; on SQLite, write transactions take the write lock when they begin.

    pysqlite's deferred transactions upgrade from reading to writing half-way,
    where two processes can deadlock ("database is locked"); BEGIN IMMEDIATE
    queues writers instead. `read_only` engines (change-log followers) use a
    plain BEGIN so they never hold up a writer.

    Bound parameters never appear in errors (and so in logs): they hold e-mail
    addresses, case references and content IDs (F17).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        _owner_only(Path(parsed.database))
    engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "connect")
    def _connect(connection: Any, _record: Any) -> None:
        connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = connection.cursor()
        # WAL lets readers in other processes work while one writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine
