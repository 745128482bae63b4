"""Bank files: consentry's versioned JSON lines, and python-threatexchange's `TYPE VALUE` text.

Reading never raises on a bad line: each line becomes an entry to add or a
`LineError` with its line number, so an import can report and skip.
"""

from __future__ import annotations

import json
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
                yield number, _from_json(text, status, source_ref)
            else:
                yield number, _from_text(text, default_signal, status, source_ref)
        except (InvalidHash, ValueError, TypeError, KeyError) as error:
            yield number, LineError(number, _reason(error))


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r}"
    return str(error)[:200]


def _from_text(
    text: str, default_signal: str, status: EntryStatus | None, source_ref: str | None
) -> NewEntry:
    parts = text.split()
    if len(parts) == 1:
        signal_type, value = default_signal, parts[0]
    elif len(parts) == 2:
        signal_type, value = kind_of(parts[0]).name, parts[1]
    else:
        raise ValueError("expected 'TYPE VALUE' or a bare value")
    return NewEntry(
        signal_type=signal_type,
        value=normalise_value(signal_type, value),
        status=status or EntryStatus.PENDING,
        source_kind=SourceKind.IMPORT,
        source_ref=source_ref,
    )


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
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)[:200]


def _source_json(source: dict[str, Any]) -> dict[str, Any]:
    return {"kind": _optional_str(source.get("kind")), "ref": _optional_str(source.get("ref"))}


def write_entry(entry: EntryRecord, kind: str) -> str | None:
    """One line of an export; text exports carry only matchable entries (no status field)."""
    if kind == ".txt":
        if not EntryStatus(entry.status).matchable:
            return None
        return f"{entry.signal_type} {entry.value}"
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
    return json.dumps(record, sort_keys=True, ensure_ascii=False)
