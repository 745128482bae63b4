import json
from collections import Counter

from consentry.banks.formats import JSONL_FORMAT, LineError, read_entries, write_lines
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
    assert list(write_lines([record], ".jsonl")) == [GOLDEN_LINE]


def test_text_export_carries_only_matchable_entries() -> None:
    active = EntryRecord(1, "pdq", PDQ, None, "pending", "import", None, {})
    withdrawn = EntryRecord(2, "md5", "a" * 32, None, "withdrawn", "import", None, {})
    assert list(write_lines([active, withdrawn], ".txt")) == [f"pdq {PDQ}"]


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


def _frame(n: int, group: int, status: str = "confirmed") -> EntryRecord:
    value = f"{n:02x}" * 32
    return EntryRecord(n, "vpdq", value, 90, status, "manual", None, {}, group, "v.mp4", n * 1000)


def test_text_uses_pytx_names_and_counts_what_pytx_cannot_name() -> None:
    md5 = EntryRecord(9, "md5", "c" * 32, None, "confirmed", "manual", None, {}, 4, "v.mp4")
    sha = EntryRecord(11, "sha256", "e" * 64, None, "confirmed", "manual", None, {}, 4, "v.mp4")
    image_md5 = EntryRecord(10, "md5", "d" * 32, None, "confirmed", "manual", None, {}, 5, "i")
    window = EntryRecord(12, "pdq_windows", "f" * 64, None, "pending", "manual", None, {}, 5, "i")
    entries = [_frame(2, 4), _frame(1, 4), _frame(3, 4, "withdrawn"), md5, sha, image_md5]
    left_out: Counter[str] = Counter()
    lines = list(
        write_lines(
            [*entries, window, _frame(7, 6)], ".txt", video_groups={4, 6}, left_out=left_out
        )
    )
    assert lines == [
        f"video_md5 {'c' * 32}",
        f"video_sha256 {'e' * 64}",
        'vpdq ["' + "01" * 32 + ',90,1.000","' + "02" * 32 + ',90,2.000"]',
        'vpdq ["' + "07" * 32 + ',90,7.000"]',
    ]
    assert left_out == {"md5": 1, "pdq_windows": 1}
    read = [e for _, e in read_entries(lines, kind=".txt", default_signal="pdq", status=None)]
    assert all(isinstance(e, NewEntry) for e in read)
    frames = [e for e in read if isinstance(e, NewEntry) and e.signal_type == "vpdq"]
    assert [(e.at_ms, e.quality, e.group) for e in frames] == [
        (1000, 90, "line:3"), (2000, 90, "line:3"), (7000, 90, "line:4")
    ]  # fmt: skip
    assert [e.signal_type for e in read if isinstance(e, NewEntry)][:2] == ["md5", "sha256"]


def test_a_bad_vpdq_line_is_rejected_with_its_number() -> None:
    lines = ["vpdq []", 'vpdq ["zz,90,1.0"]', 'vpdq ["' + "ab" * 32 + ',90,-4"]', "vpdq notjson"]
    found = list(read_entries(lines, kind=".txt", default_signal="pdq", status=None))
    assert [(n, type(e)) for n, e in found] == [(n, LineError) for n in (1, 2, 3, 4)]


def test_jsonl_keeps_a_frames_time() -> None:
    [line] = write_lines([_frame(5, 4)], ".jsonl")
    assert json.loads(line)["at_ms"] == 5000
    [(_, entry)] = read_entries([line], kind=".jsonl", default_signal="pdq", status=None)
    assert isinstance(entry, NewEntry)
    assert entry.at_ms == 5000


def test_a_frame_without_its_time_or_video_is_rejected() -> None:
    line = json.dumps({"format": JSONL_FORMAT, "signal_type": "vpdq", "value": "ab" * 32})
    [(_, found)] = read_entries([line], kind=".jsonl", default_signal="pdq", status=None)
    assert isinstance(found, LineError)
    assert "video frame" in found.reason
