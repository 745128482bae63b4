"""`consentry evidence export` / `verify` and `consentry report`, through the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consentry.actions.models import AckResult, ActionRequest
from consentry.cases.removal import acknowledge
from consentry.cli.main import app
from consentry.config import get_settings
from consentry.core.actor import Actor
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from consentry.transparency.tdb import validate
from tests.cli.support import database_with_a_case


@pytest.fixture
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield database_with_a_case(tmp_path, monkeypatch)
    get_settings.cache_clear()


def test_export_then_verify_then_catch_a_tampered_copy(reference: str, tmp_path: Path) -> None:
    out = tmp_path / "bundle.json"
    exported = CliRunner().invoke(app, ["evidence", "export", reference, str(out)])
    assert exported.exit_code == 0, exported.output
    key_file = tmp_path / "var" / "evidence-ed25519.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    fingerprint = json.loads(out.read_text())["key_fingerprint"]
    verified = CliRunner().invoke(app, ["evidence", "verify", str(out), "--key", fingerprint])
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("OK ")
    data = json.loads(out.read_text())
    data["content"]["events"][0]["actor"] = "user:999"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    failed = CliRunner().invoke(app, ["evidence", "verify", str(tampered)])
    assert failed.exit_code == 1
    assert "FAIL the signature does not match the content" in failed.stdout
    assert "(case.received): its fields do not match its hash (edited)" in failed.stdout
    missing = CliRunner().invoke(app, ["evidence", "export", "CS-NONE-NONE-NONE", str(out)])
    assert missing.exit_code == 2


def test_report_command_writes_json_csv_and_html(reference: str, tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    shown = CliRunner().invoke(app, ["report", "--from", today, "--to", today, "--threshold", "1"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["notices"]["received_by_request_type"] == {"depicted_person": 1}
    out = tmp_path / "report.html"
    written = CliRunner().invoke(
        app, ["report", "--from", today, "--to", today, "--format", "html", "--out", str(out)]
    )
    assert written.exit_code == 0, written.output
    assert "<!doctype html>" in out.read_text()
    wrong = CliRunner().invoke(app, ["report", "--from", "yesterday", "--to", today])
    assert wrong.exit_code == 2
    assert "is not a date" in wrong.output


def test_tdb_export_writes_valid_statements(reference: str, tmp_path: Path) -> None:
    assert (
        CliRunner().invoke(app, ["case", "decide", reference, "--decision", "confirm"]).exit_code
        == 0
    )
    engine = make_engine(get_settings().resolved_database_url())
    with session_scope(engine) as session:
        (action,) = session.scalars(select(ActionRequest)).all()
        acknowledge(
            session=session,
            action_id=action.id,
            result=AckResult.DONE,
            actor=Actor.key(2),
            settings=get_settings(),
        )
    engine.dispose()
    today = datetime.now(UTC).date().isoformat()
    out = tmp_path / "tdb.json"
    exported = CliRunner().invoke(app, ["tdb", "export", "--from", today, "--to", today, str(out)])
    assert exported.exit_code == 0, exported.output
    (statement,) = json.loads(out.read_text())["statements"]
    validate(statement)
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    status = CliRunner().invoke(app, ["tdb", "status"])
    assert status.stdout.strip() == "pending=0 submitted=0 failed=0"
