"""A file exchange: a consentry-bank/1 `.jsonl` export or a python-threatexchange `.txt`
that its publisher replaces with newer versions.

The file is the source's whole list. Each sync reads it in pages; a `.jsonl` line's
status is applied (so a value that became withdrawn is withdrawn here), and a value
this exchange brought that the newer file no longer lists is revoked (a `.txt` lists
only active values, so that is how its withdrawals arrive). The checkpoint names the
file's digest and the last line applied: an unchanged file is not read again, and a
sync killed halfway resumes after the last committed page of the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from consentry.banks.formats import LineError, UnknownFileFormat, file_kind, read_entries
from consentry.banks.service import NewEntry
from consentry.exchanges.base import ExchangeError, ExchangeRecord, Page, Source
from consentry.signals.registry import PDQ

PAGE_LINES = 5_000


def _digest(path: Path) -> str:
    found = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            found.update(block)
    return found.hexdigest()


def _record(entry: NewEntry) -> ExchangeRecord:
    return ExchangeRecord(
        signal_type=entry.signal_type,
        value=entry.value,
        status=entry.status,
        quality=entry.quality,
        group=entry.group,
        at_ms=entry.at_ms,
    )


class FileSource(Source):
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.kind = file_kind(path)
        except UnknownFileFormat as error:
            raise ExchangeError(str(error)) from None

    def _lines(self) -> Iterator[tuple[int, NewEntry | LineError]]:
        with self.path.open(encoding="utf-8", errors="replace") as lines:
            # Text carries no statuses: what it lists is pending until confirmed here.
            yield from read_entries(lines, kind=self.kind, default_signal=PDQ.name, status=None)

    def pages(self, checkpoint: dict[str, Any] | None) -> Iterator[Page]:
        if not self.path.is_file():
            raise ExchangeError(f"{self.path} is not a readable file")
        digest = _digest(self.path)
        resume = 0
        if checkpoint is not None and checkpoint.get("sha256") == digest:
            if checkpoint.get("done"):
                return  # the same file as at the last complete sync
            resume = int(checkpoint.get("line", 0))
        listed: set[tuple[str, str]] = set()
        records: list[ExchangeRecord] = []
        skipped: list[str] = []
        line = resume
        for number, item in self._lines():
            if isinstance(item, LineError):
                if number > resume:
                    skipped.append(f"line {item.line}: {item.reason}")
                continue
            listed.add((item.signal_type, item.value))
            if number <= resume:
                continue  # applied before the last sync was cut short; still listed
            if number != line and len(records) >= PAGE_LINES:
                yield Page(records, {"sha256": digest, "line": line, "done": False}, True, skipped)
                records, skipped = [], []
            records.append(_record(item))
            line = number
        if _digest(self.path) != digest:
            raise ExchangeError(f"{self.path} changed while it was read; the next sync reads it")
        done = {"sha256": digest, "line": line, "done": True}
        yield Page(records, done, False, skipped, listed=frozenset(listed))
