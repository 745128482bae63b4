"""Hashing many files: walking directories in a stable order, in parallel, in order."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from consentry.hashing.errors import HashingError, ReadFailed
from consentry.hashing.media import is_video
from consentry.hashing.signals import ImageSignals, compute_signals
from consentry.hashing.video import VideoLimits, VideoSignals, hash_video


@dataclass(frozen=True, slots=True)
class FileResult:
    """The signals of one file (an image's or a video's), or why it could not be hashed."""

    path: str
    signals: ImageSignals | None = None
    error: HashingError | None = None
    video: VideoSignals | None = None


def walk(arguments: Iterable[str]) -> Iterator[str]:
    """Each file argument as given; each directory's files below it, recursively, sorted."""
    for argument in arguments:
        if not os.path.isdir(argument):
            yield argument
            continue
        found: list[tuple[tuple[str, ...], str]] = []
        # Symlinked directories are not followed: a link loop must not hang a scan.
        for folder, dirs, files in os.walk(argument):
            dirs.sort()
            for name in files:
                full = os.path.join(folder, name)
                found.append((Path(os.path.relpath(full, argument)).parts, full))
        yield from (full for _, full in sorted(found))


def hash_file(
    path: str, *, max_pixels: int, bank: bool = False, video: VideoLimits | None = None
) -> FileResult:
    """The file's signals (`bank`: as a bank holds them, else for looking a copy up); a
    video's frames (vPDQ, within `video` limits), never read into memory whole."""
    try:
        with open(path, "rb") as stream:
            if is_video(stream):
                return FileResult(path, video=hash_video(path, limits=video, query=not bank))
            data = stream.read()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return FileResult(path, error=ReadFailed(f"could not read the file: {reason}"))
    except HashingError as error:
        return FileResult(path, error=error)
    try:
        return FileResult(path, signals=compute_signals(data, max_pixels=max_pixels, bank=bank))
    except HashingError as error:
        return FileResult(path, error=error)


def hash_files(
    paths: Iterable[str],
    *,
    max_pixels: int,
    workers: int = 1,
    bank: bool = False,
    video: VideoLimits | None = None,
) -> Iterator[FileResult]:
    """Results in the order of `paths`, whatever the number of worker processes."""
    task = partial(hash_file, max_pixels=max_pixels, bank=bank, video=video)
    if workers <= 1:
        yield from map(task, paths)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(task, paths, chunksize=4)
