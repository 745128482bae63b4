"""F20: the embedded database is created readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from consentry.db.engine import make_engine


def test_a_new_sqlite_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "var" / "consentry.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect():
        pass
    engine.dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
