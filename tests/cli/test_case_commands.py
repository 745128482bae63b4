from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.cli.main import app
from consentry.config import get_settings
from tests.cli.support import database_with_a_case


@pytest.fixture(autouse=True)
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield database_with_a_case(tmp_path, monkeypatch)
    get_settings.cache_clear()


def test_case_decide_confirms_and_show_reports_it(reference: str) -> None:
    listed = CliRunner().invoke(app, ["case", "list"])
    assert listed.exit_code == 0
    assert reference in listed.stdout
    decided = CliRunner().invoke(app, ["case", "decide", reference, "--decision", "confirm"])
    assert decided.exit_code == 0, decided.output
    assert decided.stdout.strip() == f"{reference}: confirmed"
    shown = CliRunner().invoke(app, ["case", "show", reference])
    assert '"confirmed": 1' in shown.stdout


def test_case_decide_explains_a_decline_without_reason(reference: str) -> None:
    refused = CliRunner().invoke(app, ["case", "decide", reference, "--decision", "decline"])
    assert refused.exit_code == 1
    assert "reason_code" in refused.output
    unknown = CliRunner().invoke(app, ["case", "show", "CS-NONE"])
    assert unknown.exit_code == 2


def test_webhook_add_prints_the_secret_once(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = CliRunner().invoke(app, ["webhook", "add", "http://127.0.0.1:9/hook"])
    assert refused.exit_code == 1
    assert "loopback" in refused.output
    monkeypatch.setenv("CONSENTRY_OUTBOUND_ALLOW", "127.0.0.1")
    get_settings.cache_clear()
    added = CliRunner().invoke(app, ["webhook", "add", "http://127.0.0.1:9/hook"])
    assert added.exit_code == 0
    assert added.stdout.strip().splitlines()[-1].startswith("whsec_")
    listed = CliRunner().invoke(app, ["webhook", "list"])
    assert "whsec_" not in listed.stdout
    assert CliRunner().invoke(app, ["webhook", "add", "not a url"]).exit_code == 1
