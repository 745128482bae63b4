import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.cli.main import app
from consentry.hashing import compute_signals
from tests.images import encode, jpeg, pattern, png


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    (root / "b-dir").mkdir(parents=True)
    (root / "a.jpg").write_bytes(jpeg(pattern(50)))
    (root / "b-dir" / "c.png").write_bytes(png(pattern(51)))
    (root / "b-dir" / "d.webp").write_bytes(encode(pattern(52), "WEBP"))
    (root / "notes.txt").write_text("not an image")
    (root / "z.jpg").write_bytes(jpeg(pattern(53))[:3000])
    return root


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "consentry", *args], capture_output=True, text=True, check=False
    )


def test_json_lines_in_sorted_order_with_errors(photos: Path) -> None:
    result = run("hash", "--json", str(photos))
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [
        str(photos / "a.jpg"),
        str(photos / "b-dir" / "c.png"),
        str(photos / "b-dir" / "d.webp"),
        str(photos / "notes.txt"),
        str(photos / "z.jpg"),
    ]
    first = records[0]
    assert first == {
        "path": str(photos / "a.jpg"),
        **compute_signals((photos / "a.jpg").read_bytes(), bank=True).to_json(),
    }
    assert records[3]["error"] == {
        "type": "unsupported_format",
        "message": "not an image file, or not a format consentry reads",
    }
    assert records[4]["error"]["type"] == "truncated"
    assert [r.get("format") for r in records[:3]] == ["JPEG", "PNG", "WEBP"]


def test_workers_do_not_change_the_output(photos: Path) -> None:
    one = run("hash", "--json", str(photos))
    two = run("hash", "--json", "--workers", "2", str(photos))
    assert one.stdout == two.stdout


def test_exit_status_zero_when_every_file_hashed(photos: Path) -> None:
    result = run("hash", "--json", str(photos / "a.jpg"), str(photos / "b-dir"))
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 3


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("hash", str(tmp_path / "nope.jpg"))
    assert result.returncode == 2
    assert "Invalid value for 'paths'" in result.stderr


def test_table_without_json(photos: Path) -> None:
    result = CliRunner().invoke(app, ["hash", str(photos)])
    assert result.exit_code == 1
    assert "a.jpg" in result.output
    assert "unsupported_format" in result.output
    assert "3 hashed, 2 failed" in result.output


def test_help_explains_the_command() -> None:
    result = CliRunner().invoke(app, ["hash", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output
    assert "--json" in result.output
