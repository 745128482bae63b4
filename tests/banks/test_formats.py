import json

from consentry.banks.formats import JSONL_FORMAT, LineError, read_entries, write_entry
from consentry.banks.models import EntryStatus
from consentry.banks.records import EntryRecord
from consentry.banks.service import NewEntry

PDQ = "ab" * 32

# Pinned: consentry's bank export format. Change it only with a new format version.
GOLDEN_LINE = (
    '{"format": "consentry-bank/1", "metadata": {"note": "x"}, "quality": 90, '
    '"signal_type": "pdq", "source": {"kind": "case", "ref": "CASE-1"}, '
    '"status": "confirmed", "value": "' + PDQ + '"}'
)


def test_jsonl_export_is_pinned() -> None:
    record = EntryRecord(1, "pdq", PDQ, 90, "confirmed", "case", "CASE-1", {"note": "x"})
    assert write_entry(record, ".jsonl") == GOLDEN_LINE


def test_text_export_carries_only_matchable_entries() -> None:
    active = EntryRecord(1, "pdq", PDQ, None, "pending", "import", None, {})
    withdrawn = EntryRecord(2, "md5", "a" * 32, None, "withdrawn", "import", None, {})
    assert write_entry(active, ".txt") == f"pdq {PDQ}"
    assert write_entry(withdrawn, ".txt") is None


def test_jsonl_round_trip_keeps_status_quality_and_provenance() -> None:
    [(number, entry)] = list(
        read_entries([GOLDEN_LINE], kind=".jsonl", default_signal="pdq", status=None)
    )
    assert number == 1
    assert isinstance(entry, NewEntry)
    assert (entry.status, entry.quality, entry.value) == (EntryStatus.CONFIRMED, 90, PDQ)
    assert entry.extra["imported_from"] == {"kind": "case", "ref": "CASE-1"}


def test_text_lines_typed_bare_comments_and_errors() -> None:
    lines = [
        "# a comment",
        f"pdq {PDQ.upper()}",
        PDQ,
        "",
        "md5 " + "c" * 32,
        "pdq nothex",
        "sha1 " + "a" * 40,
        "too many parts here",
    ]
    results = list(read_entries(lines, kind=".txt", default_signal="pdq", status=None))
    good = [(n, e) for n, e in results if isinstance(e, NewEntry)]
    bad = [e for _, e in results if isinstance(e, LineError)]
    assert [n for n, _ in good] == [2, 3, 5]
    assert good[0][1].value == PDQ
    assert good[2][1].signal_type == "md5"
    assert all(e.status is EntryStatus.PENDING for _, e in good)
    assert [e.line for e in bad] == [6, 7, 8]
    assert "unknown signal type" in bad[1].reason


def test_bad_json_lines_are_reported_not_raised() -> None:
    lines = [
        "{not json",
        json.dumps({"format": "other/9"}),
        json.dumps({"format": JSONL_FORMAT}),
        "[1]",
    ]
    results = list(read_entries(lines, kind=".jsonl", default_signal="pdq", status=None))
    assert all(isinstance(e, LineError) for _, e in results)
    assert "missing field 'signal_type'" in results[2][1].reason  # type: ignore[union-attr]
