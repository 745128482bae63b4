"""Bank files: consentry's versioned JSON lines, and python-threatexchange's `TYPE VALUE` text.

Text is written for python-threatexchange (pytx): every kind under pytx's name. A video
is one `vpdq` line whose value is pytx's (a JSON list of "PDQ,quality,seconds"
strings); a video file's digests are `video_md5` and `video_sha256`. pytx has no name
for a photo's digests or for window hashes: those are left out of a text export and
counted (the caller says so); `.jsonl` keeps every kind.

Reading never raises on a bad line: each line becomes an entry to add or a
`LineError` with its line number, so an import can report and skip.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consentry.banks.models import EntryStatus, SourceKind
from consentry.banks.records import EntryRecord
from consentry.banks.service import NewEntry
from consentry.hashing.pdq import InvalidHash
from consentry.signals.registry import kind_of, normalise_value

JSONL_FORMAT = "consentry-bank/1"
SUFFIXES = (".jsonl", ".txt")


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    reason: str


class UnknownFileFormat(ValueError):
    pass


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        got = suffix or "none"
        raise UnknownFileFormat(
            f"{path.name}: the format follows the extension, .jsonl or .txt (got {got})"
        )
    return suffix


def read_entries(
    lines: Iterable[str],
    *,
    kind: str,
    default_signal: str,
    status: EntryStatus | None,
    source_ref: str | None = None,
) -> Iterator[tuple[int, NewEntry | LineError]]:
    """(line number, entry or error) for every non-blank, non-comment line.

    `status` overrides the file's statuses; for text files, which carry none, it
    defaults to pending.
    """
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        try:
            if kind == ".jsonl":
                found = [_from_json(text, status, source_ref)]
            else:
                found = _from_text(text, default_signal, status, source_ref, number)
        except (InvalidHash, ValueError, TypeError, KeyError) as error:
            yield number, LineError(number, _reason(error))
            continue
        for entry in found:
            yield number, entry


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error)[:200]


# python-threatexchange's names for our kinds, where they differ (its digests are of
# video files only).
_PYTX_NAMES = {"video_md5": "md5", "video_sha256": "sha256"}
_PYTX_VIDEO_DIGESTS = {kind: name for name, kind in _PYTX_NAMES.items()}
_PYTX_KINDS = {"pdq", "vpdq"}


def _from_text(
    text: str, default_signal: str, status: EntryStatus | None, source_ref: str | None, line: int
) -> list[NewEntry]:
    parts = text.split(maxsplit=1)
    if len(parts) == 1:
        signal_type, value = default_signal, parts[0]
    else:
        signal_type, value = kind_of(_PYTX_NAMES.get(parts[0], parts[0])).name, parts[1]
    status = status or EntryStatus.PENDING
    if kind_of(signal_type).timed:
        return [
            NewEntry(
                signal_type=signal_type,
                value=frame,
                status=status,
                quality=quality,
                source_kind=SourceKind.IMPORT,
                source_ref=source_ref,
                group=f"line:{line}",
                at_ms=at_ms,
            )
            for frame, quality, at_ms in _pytx_frames(value)
        ]
    if " " in value:
        raise ValueError("expected 'TYPE VALUE' or a bare value")
    return [
        NewEntry(
            signal_type=signal_type,
            value=normalise_value(signal_type, value),
            status=status,
            source_kind=SourceKind.IMPORT,
            source_ref=source_ref,
        )
    ]


def _pytx_frames(value: str) -> list[tuple[str, int, int]]:
    """(PDQ, quality, milliseconds) of each frame in pytx's vpdq value."""
    frames = json.loads(value)
    if not isinstance(frames, list) or not frames:
        raise ValueError("a vpdq value is a JSON list of 'PDQ,quality,seconds' strings")
    parsed = []
    for frame in frames:
        pdq, quality, seconds = str(frame).split(",")
        at = float(seconds)
        if not 0 <= at <= 86_400 or not 0 <= int(quality) <= 100:
            raise ValueError(f"frame {str(frame)[:90]!r}: time or quality out of range")
        parsed.append((normalise_value("vpdq", pdq), int(quality), round(at * 1000)))
    return parsed


def _from_json(text: str, status: EntryStatus | None, source_ref: str | None) -> NewEntry:
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    if record.get("format") != JSONL_FORMAT:
        raise ValueError(
            f"unknown format {str(record.get('format'))[:40]!r}, expected {JSONL_FORMAT!r}"
        )
    signal_type = kind_of(str(record["signal_type"])).name
    quality = record.get("quality")
    if quality is not None and (not isinstance(quality, int) or not 0 <= quality <= 100):
        raise ValueError("quality must be an integer 0-100")
    source = record.get("source") or {}
    extra = record.get("metadata") or {}
    if not isinstance(source, dict) or not isinstance(extra, dict):
        raise ValueError("source and metadata must be objects")
    group = record.get("group") or {}
    if not isinstance(group, dict):
        raise ValueError("group must be an object")
    if kind_of(signal_type).timed and (record.get("at_ms") is None or group.get("id") is None):
        raise ValueError(f"a {signal_type} value is a video frame: it needs at_ms and a group")
    return NewEntry(
        signal_type=signal_type,
        value=normalise_value(signal_type, str(record["value"])),
        status=status or EntryStatus(str(record.get("status", EntryStatus.PENDING))),
        quality=quality,
        source_kind=SourceKind.IMPORT,
        source_ref=source_ref or _optional_str(source.get("ref")),
        extra={"imported_from": _source_json(source), **extra} if source else extra,
        # The exporter's group id keys the group here; it is not kept as an id.
        group=None if group.get("id") is None else f"import:{_optional_str(group['id'])}",
        label=_optional_str(group.get("label")),
        at_ms=_at_ms(record.get("at_ms")),
    )


def _at_ms(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or not 0 <= value <= 86_400_000:
        raise ValueError("at_ms must be an integer 0-86400000")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)[:200]


def _source_json(source: dict[str, Any]) -> dict[str, Any]:
    return {"kind": _optional_str(source.get("kind")), "ref": _optional_str(source.get("ref"))}


def write_lines(
    entries: Iterable[EntryRecord],
    kind: str,
    *,
    video_groups: set[int] | None = None,
    left_out: Counter[str] | None = None,
) -> Iterator[str]:
    """An export's lines. Text carries only matchable entries (no status field), under
    python-threatexchange's names: a video's frames as one `vpdq` line, its digests as
    `video_md5`/`video_sha256` (`video_groups`: the groups that are videos); what pytx
    cannot name is counted in `left_out` by kind, not written."""
    if kind == ".jsonl":
        yield from (_json_line(entry) for entry in entries)
        return
    videos = video_groups or set()
    frames: list[EntryRecord] = []
    for entry in entries:
        if not EntryStatus(entry.status).matchable:
            continue
        if entry.at_ms is not None:
            if frames and frames[-1].group_id != entry.group_id:
                yield _vpdq_line(frames)
                frames = []
            frames.append(entry)
        elif entry.signal_type in _PYTX_VIDEO_DIGESTS and entry.group_id in videos:
            yield f"{_PYTX_VIDEO_DIGESTS[entry.signal_type]} {entry.value}"
        elif entry.signal_type in _PYTX_KINDS:
            yield f"{entry.signal_type} {entry.value}"
        elif left_out is not None:
            left_out[entry.signal_type] += 1
    if frames:
        yield _vpdq_line(frames)


def _vpdq_line(frames: list[EntryRecord]) -> str:
    """One video's frames in pytx's vpdq value (its timestamp precision, 3 decimals)."""
    ordered = sorted(frames, key=lambda f: f.at_ms or 0)
    value = [f"{f.value},{f.quality or 0},{(f.at_ms or 0) / 1000:.3f}" for f in ordered]
    return f"vpdq {json.dumps(value, separators=(',', ':'))}"


def _json_line(entry: EntryRecord) -> str:
    record = {
        "format": JSONL_FORMAT,
        "signal_type": entry.signal_type,
        "value": entry.value,
        "quality": entry.quality,
        "status": entry.status,
        "source": {"kind": entry.source_kind, "ref": entry.source_ref},
        "metadata": entry.extra,
    }
    if entry.group_id is not None:
        record["group"] = {"id": entry.group_id, "label": entry.label}
    if entry.at_ms is not None:
        record["at_ms"] = entry.at_ms
    return json.dumps(record, sort_keys=True, ensure_ascii=False)
