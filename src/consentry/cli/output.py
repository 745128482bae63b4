"""Shared pieces of CLI output: JSON lines, progress on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

stderr = Console(stderr=True)


def emit_json(record: dict[str, Any], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; nothing when piped or in CI."""
    if not stderr.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as progress:
        progress.add_task(description, total=total)
        yield progress
