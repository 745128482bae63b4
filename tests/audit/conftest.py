"""The audit tests' command-line database: the CLI reads its settings from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from consentry.config import get_settings


@pytest.fixture
def cli_database(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Engine]:
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", db_url)
    monkeypatch.setenv("CONSENTRY_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
