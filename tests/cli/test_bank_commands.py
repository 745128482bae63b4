import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from consentry.cli.main import app
from consentry.config import get_settings
from consentry.hashing import compute_signals
from tests.images import jpeg, pattern, png


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONSENTRY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.png").write_bytes(png(pattern(80)))
    (folder / "sub" / "b.jpg").write_bytes(jpeg(pattern(81)))
    (folder / "c.txt").write_text("not an image")
    return folder


def test_bank_lifecycle_through_the_cli(tmp_path: Path, photos: Path) -> None:
    assert run("bank", "create", "ncii", "--threshold", "31").exit_code == 0
    assert run("bank", "create", "ncii").exit_code == 1
    a = compute_signals((photos / "a.png").read_bytes())
    listing = tmp_path / "bank.txt"
    listing.write_text(f"# shared list\npdq {a.pdq}\n{a.pdq}\nsha256 {a.sha256}\nbogus\npdq 12\n")
    result = run("bank", "import", "ncii", str(listing), "--status", "confirmed")
    assert result.exit_code == 1
    assert "2 added, 1 unchanged, 2 rejected" in result.output
    assert "line 5:" in result.output
    assert "line 6:" in result.output

    found = run("match", "--json", str(photos))
    assert found.exit_code == 1  # c.txt is not an image
    records = [json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")]
    assert [r["query"] for r in records] == [
        str(photos / "a.png"),
        str(photos / "c.txt"),
        str(photos / "sub" / "b.jpg"),
    ]
    assert {(m["signal_type"], m["variant"], m["tier"]) for m in records[0]["matches"]} == {
        ("pdq", "original", "auto"),
        ("sha256", "exact", "auto"),
    }
    assert records[0]["query_quality"] == a.quality
    assert records[0]["low_quality"] is False
    assert records[1]["error"]["type"] == "unsupported_format"
    assert records[2]["matches"] == []

    assert run("bank", "withdraw", "ncii", str(a.pdq)).exit_code == 0
    assert run("bank", "import", "ncii", str(listing), "--status", "confirmed").exit_code == 1
    by_hash = run("match", "--json", "--hash", str(a.pdq))
    assert by_hash.exit_code == 0
    assert json.loads(by_hash.stdout.splitlines()[0])["matches"] == []
    assert run("bank", "confirm", "ncii", str(a.pdq)).exit_code == 1  # withdrawn is final

    export = tmp_path / "out.jsonl"
    assert run("bank", "export", "ncii", str(export)).exit_code == 0
    statuses = sorted(json.loads(line)["status"] for line in export.read_text().splitlines())
    assert statuses == ["confirmed", "withdrawn"]
    assert run("bank", "create", "copy").exit_code == 0
    imported = run("bank", "import", "copy", str(export))
    assert imported.exit_code == 0
    assert "2 added, 0 unchanged, 0 rejected" in imported.output
    again = run("bank", "import", "copy", str(export))
    assert "0 added, 2 unchanged, 0 rejected" in again.output
    shown = run("bank", "show", "copy")
    assert "withdrawn:" in shown.output
    assert "copy" in run("bank", "list").output


def test_scan_reports_a_summary(photos: Path) -> None:
    run("bank", "create", "ncii")
    b = compute_signals((photos / "sub" / "b.jpg").read_bytes())
    assert run("bank", "import", "ncii", "/dev/null").exit_code == 2  # no extension: usage error
    listing = photos.parent / "l.txt"
    listing.write_text(f"pdq {b.pdq}\n")
    run("bank", "import", "ncii", str(listing))
    result = run("scan", "--json", "--bank", "ncii", "--workers", "2", str(photos))
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [bool(r.get("matches")) for r in lines] == [False, False, True]
    assert lines[2]["matches"][0]["tier"] == "review"  # pending entries go to a human
    assert "3 queried, 1 matched (0 auto, 1 review), 1 failed" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("match", "--hash", "xyz"), "64 hexadecimal digits"),
        (("match", "--hash", "a" * 64, "--signal", "md5"), "32 hexadecimal digits"),
        (("match", "--bank", "nope", "--hash", "a" * 64), "no bank named 'nope'"),
        (("match",), "either --hash"),
        (("bank", "show", "nope"), "no bank named 'nope'"),
        (("bank", "withdraw", "nope", "a" * 64), "no bank named 'nope'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_bank_add_keeps_an_image_as_one_group_and_match_names_it(tmp_path: Path) -> None:
    from PIL import Image

    from tests.images import blobs

    original = blobs(12, 800, 600)
    (tmp_path / "beach.png").write_bytes(png(original))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    copy = tmp_path / "copy.jpg"
    tilted = original.rotate(3, resample=Image.Resampling.BICUBIC)
    copy.write_bytes(jpeg(tilted.crop((90, 70, 720, 540))))
    assert run("bank", "create", "ncii").exit_code == 0
    added = run(
        "bank",
        "add",
        "ncii",
        str(tmp_path / "beach.png"),
        str(tmp_path / "broken.jpg"),
        "--status",
        "confirmed",
    )
    assert added.exit_code == 1  # one image could not be hashed; the other was added
    assert "1 file," in added.stdout
    hashed = json.loads(run("hash", "--json", str(tmp_path / "beach.png")).stdout)
    assert len(hashed["pdq_windows"]) >= 5
    found = run("match", "--json", str(copy))
    assert found.exit_code == 0
    [match] = [m for m in json.loads(found.stdout)["matches"] if m["signal_type"] == "pdq_windows"]
    assert match["label"] == "beach.png"
    assert match["tier"] == "review"
    assert match["windows"] >= 1
    assert run("bank", "set", "ncii", "--windows-auto").exit_code == 0
    shown = run("bank", "add", "ncii", str(tmp_path / "beach.png"), "--label", "again")
    assert "0 values added" in shown.stdout


def test_import_of_a_newer_export_withdraws_what_it_marks_withdrawn(tmp_path: Path) -> None:
    """As a user met it: re-importing a newer export reported "0 added, 900 unchanged",
    and the importing bank went on matching the withdrawn value."""
    values = [f"{n:02x}" * 32 for n in range(1, 5)]
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"pdq {v}\n" for v in values))
    for command in (
        ["bank", "create", "hub"],
        ["bank", "create", "platform"],
        ["bank", "import", "hub", str(listing), "--status", "confirmed"],
        ["bank", "export", "hub", str(tmp_path / "v1.jsonl")],
        ["bank", "import", "platform", str(tmp_path / "v1.jsonl")],
        ["bank", "withdraw", "hub", values[0]],
        ["bank", "export", "hub", str(tmp_path / "v2.jsonl")],
    ):
        assert run(*command).exit_code == 0, command
    result = run("bank", "import", "platform", str(tmp_path / "v2.jsonl"))
    assert result.exit_code == 0
    assert "0 added, 1 withdrawn, 3 unchanged, 0 rejected" in result.stdout
    assert "withdrawn:         1" in run("bank", "show", "platform").stdout
