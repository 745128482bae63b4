from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.cli.main import app
from consentry.cli.user import bootstrap
from consentry.config import get_settings
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_user_create_prints_a_one_time_link() -> None:
    result = CliRunner().invoke(app, ["user", "create", "--role", "lead", "lead@example.org"])
    assert result.exit_code == 0
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/setup#token=")
    again = CliRunner().invoke(app, ["user", "create", "--role", "lead", "lead@example.org"])
    assert again.exit_code == 2


def test_first_start_bootstraps_an_admin_once(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(database)
    upgrade(engine)
    bootstrap(engine)
    first = capsys.readouterr().err
    assert "admin@localhost" in first
    assert "/setup#token=" in first
    bootstrap(engine)
    assert capsys.readouterr().err == ""


def test_apikey_create_prints_the_key_alone_on_the_last_line() -> None:
    result = CliRunner().invoke(
        app, ["apikey", "create", "--scope", "scan", "--scope", "banks:read", "pipe"]
    )
    assert result.exit_code == 0
    assert result.stdout.strip().splitlines()[-1].startswith("cst_")
    listing = CliRunner().invoke(app, ["apikey", "list"])
    assert "pipe" in listing.stdout
    assert "cst_" in listing.stdout  # the prefix only
    assert CliRunner().invoke(app, ["apikey", "revoke", "1"]).exit_code == 0
    assert CliRunner().invoke(app, ["apikey", "revoke", "9"]).exit_code == 2
