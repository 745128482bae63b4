"""`INSERT … ON CONFLICT` for the database in use: SQLite and PostgreSQL spell it alike,
but SQLAlchemy builds it from each dialect's own `insert`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def upsert_insert(session: Session, table: Any) -> Any:
    """`insert(table)` with `on_conflict_do_update` / `_do_nothing`, for this session's database."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table)
