import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from consentry.cli.main import app
from consentry.config import get_settings


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONSENTRY_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _line(value: str, status: str) -> str:
    record = {"format": "consentry-bank/1", "signal_type": "pdq", "value": value}
    return json.dumps(record | {"status": status})


def test_a_file_exchange_through_the_cli(tmp_path: Path) -> None:
    values = [f"{n:064x}" for n in range(1, 4)]
    source = tmp_path / "ngo.jsonl"
    source.write_text("\n".join(_line(v, "confirmed") for v in values))
    assert run("bank", "create", "from-ngo").exit_code == 0
    added = run("exchange", "add", "ngo", "--kind", "file", "--bank", "from-ngo",
                "--path", str(source))  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "exchange ngo (file) feeds bank from-ngo" in added.stdout
    first = run("exchange", "sync", "ngo")
    assert first.exit_code == 0
    assert "ngo: 1 pages, 3 added, 0 unchanged, 0 skipped" in first.stdout
    source.write_text(_line(values[0], "withdrawn") + "\n" + _line(values[1], "confirmed"))
    second = run("exchange", "sync", "ngo")
    assert "1 withdrawn, 1 revoked" in second.stdout  # the value no longer listed: revoked
    assert "withdrawn:         1" in run("bank", "show", "from-ngo").stdout
    listed = run("exchange", "list").stdout
    assert "ngo" in listed
    assert "from-ngo" in listed
    status = run("exchange", "status", "ngo").stdout
    assert "last error:   none" in status
    assert run("exchange", "remove", "ngo").exit_code == 0
    assert run("exchange", "status", "ngo").exit_code == 2


def test_mistakes_are_refused_with_a_reason(tmp_path: Path) -> None:
    assert run("bank", "create", "b").exit_code == 0
    no_path = run("exchange", "add", "x", "--kind", "file", "--bank", "b")
    assert no_path.exit_code == 2
    assert "takes --path" in no_path.output
    bad_pin = run("exchange", "add", "x", "--kind", "consentry", "--bank", "b",
                  "--url", "https://hub.example/v1/feed", "--pin", "sha256:abc")  # fmt: skip
    assert bad_pin.exit_code == 2
    assert "fingerprint" in bad_pin.output
    missing = run("exchange", "add", "x", "--kind", "file", "--bank", "nope",
                  "--path", str(tmp_path / "f.txt"))  # fmt: skip
    assert missing.exit_code == 2
    failed = run("exchange", "add", "y", "--kind", "file", "--bank", "b",
                 "--path", str(tmp_path / "gone.jsonl"))  # fmt: skip
    assert failed.exit_code == 0
    result = run("exchange", "sync", "y")
    assert result.exit_code == 1
    assert "not a readable file" in result.output


def test_a_partner_gets_its_key_on_the_last_line() -> None:
    assert run("bank", "create", "cases").exit_code == 0
    added = run("partner", "add", "platform-a", "--bank", "cases")
    assert added.exit_code == 0, added.output
    key = added.stdout.strip().splitlines()[-1]
    assert key.startswith("cst_")
    assert "fingerprint (for --pin): sha256:" in added.output
    assert "platform-a" in run("partner", "list").stdout
    assert run("partner", "add", "platform-a", "--bank", "cases").exit_code == 2
    assert run("partner", "remove", "platform-a").exit_code == 0
    assert run("partner", "remove", "platform-a").exit_code == 2
