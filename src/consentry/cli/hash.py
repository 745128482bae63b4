"""`consentry hash`: the signals of image files, as JSON lines or a table."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from consentry.cli.output import emit_json, progress_bar
from consentry.config import get_settings
from consentry.hashing.files import FileResult, hash_files, walk
from consentry.hashing.video import VideoLimits


def hashed(paths: list[str], *, workers: int, bank: bool) -> Iterator[FileResult]:
    """Each file's signals within the configured limits (`bank`: as a bank holds them)."""
    settings = get_settings()
    return hash_files(
        paths,
        max_pixels=settings.max_image_pixels,
        workers=workers,
        bank=bank,
        video=VideoLimits.of(settings),
    )


def result_record(result: FileResult) -> dict[str, Any]:
    if result.signals is not None:
        return {"path": result.path, **result.signals.to_json()}
    if result.video is not None:
        return {"path": result.path, **result.video.to_json()}
    assert result.error is not None
    return {
        "path": result.path,
        "error": {"type": result.error.kind, "message": result.error.message},
    }


def hash_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            exists=True, help="Image and video files, or directories walked recursively."
        ),
    ],
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON object per file on stdout, in sorted order.")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Processes hashing in parallel.")
    ] = 1,
) -> None:
    """Compute the signals of images and videos: PDQ, anchored windows, vPDQ, SHA-256, MD5.

    PDQ comes with its 8 rotations/flips, its border-trimmed and its content-area hash;
    pdq_windows are the keypoint-anchored window hashes over the whole image, as a bank
    holds them. A video gives vpdq: the PDQ of a frame every second (reliable ones,
    still scenes collapsed), each as {"t": seconds, "pdq": hex, "quality": q}.

    Exit status: 0 when every file hashed, 1 when any failed, 2 for a usage error.
    """
    files = list(walk(str(p) for p in paths))
    failed = 0
    table = Table("format", "size", "quality", "pdq", "error")
    table.add_column("path", overflow="fold")
    with progress_bar(len(files), "hashing") as progress:
        for result in hashed(files, workers=workers, bank=True):
            failed += result.error is not None
            if json_lines:
                emit_json(result_record(result))
            else:
                table.add_row(*_row(result))
            if progress is not None:
                progress.advance(progress.task_ids[0])
    if not json_lines:
        # Piped output is not cut to an 80-column guess.
        console = Console() if sys.stdout.isatty() else Console(width=240)
        console.print(table)
        Console(stderr=True).print(f"{len(files) - failed} hashed, {failed} failed")
    raise typer.Exit(1 if failed else 0)


def _row(result: FileResult) -> tuple[str, ...]:
    if result.video is not None:
        v = result.video
        first = v.frames[0].pdq.to_hex()[:16] if v.frames else ""
        size = f"{v.width}x{v.height}"
        return (v.format, size, f"{len(v.frames)} frames", first, "", result.path)
    if result.signals is None:
        assert result.error is not None
        return ("", "", "", "", f"{result.error.kind}: {result.error.message}", result.path)
    s = result.signals
    return (s.format, f"{s.width}x{s.height}", str(s.quality), s.pdq.to_hex()[:16], "", result.path)
