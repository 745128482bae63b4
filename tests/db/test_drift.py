"""The migrations build exactly the tables the models describe, on both databases: a
model changed without its migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import consentry.service.tables  # noqa: F401  (registers every table)
from consentry.db.base import Base
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade


def test_models_and_migrations_agree(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
