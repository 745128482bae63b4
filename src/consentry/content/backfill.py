"""Backfilling a media library into the content index, on Ray Data.

A platform that adopts consentry holds millions of files posted before it: each is
hashed once (its PDQ as it is, SHA-256 and MD5; a video's byte digests), registered
in the content index under its path, and so matched against every bank value, now
(the copy finder's lookup of new content) and later (a value confirmed afterwards).

Ray Data spreads the hashing over every core of every node (the local runtime on this
machine by default, or a cluster's `--address`), reading each file through pyarrow's
filesystems (a directory, `s3://…`, `gs://…`, `hdfs://…`). Each worker holds at most
BATCH files of at most `max_upload_bytes` each. The driver writes results in chunks:
a chunk's content hashes and its files' outcomes commit together, so a rerun after a
crash skips every file recorded and records none twice (files in flight at the crash
are hashed again). Nothing but hashes is kept; no image is stored."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from pyarrow import fs as pafs
from sqlalchemy import Engine, insert, select

from consentry.config import Settings
from consentry.content.models import BackfilledFile
from consentry.content.service import register
from consentry.db.session import session_scope
from consentry.hashing.errors import HashingError
from consentry.hashing.media import SNIFF_BYTES, looks_like_video
from consentry.hashing.signals import content_pdq, digests
from consentry.matching.follower import load_matcher
from consentry.matching.matcher import Matcher, Query

# Files per task: bounds a worker's memory at BATCH x max_upload_bytes.
BATCH = 8
# Results written per transaction.
CHUNK = 500
INDEXED = "indexed"


@dataclass
class Summary:
    files: int = 0  # in the source
    skipped: int = 0  # recorded by an earlier run
    indexed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    matched: int = 0  # files matching a bank value now
    seconds: float = 0.0
    hashing_seconds: float = 0.0  # of which hashing and writing (Ray started)


def filesystem(source: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem and root path of a directory or a filesystem URL."""
    if "://" in source:
        return pafs.FileSystem.from_uri(source)  # type: ignore[no-any-return]
    local = pafs.LocalFileSystem()
    return local, str(local.normalize_path(os.path.abspath(source)))


def list_files(source: str) -> list[str]:
    """Every file below the source, as paths relative to it, sorted."""
    system, root = filesystem(source)
    selector = pafs.FileSelector(root, recursive=True)
    prefix = root.rstrip("/") + "/"
    return sorted(
        info.path.removeprefix(prefix)
        for info in system.get_file_info(selector)
        if info.type == pafs.FileType.File
    )


Column = np.ndarray[tuple[Any, ...], np.dtype[Any]]


def hash_batch(
    batch: dict[str, Column], *, source: str, max_pixels: int, max_bytes: int
) -> dict[str, Column]:
    """A Ray Data task: the hashes of a batch of files (or the error kind of each)."""
    system, root = filesystem(source)
    out: dict[str, list[str]] = {"path": [], "pdq": [], "sha256": [], "md5": [], "error": []}
    for relative in batch["path"]:
        pdq, sha256, md5, error = "", "", "", ""
        try:
            pdq, sha256, md5 = _hash_file(system, f"{root}/{relative}", max_pixels, max_bytes)
        except HashingError as failure:
            error = failure.kind
        except OSError:
            error = "read_failed"
        for name, value in (("path", str(relative)), ("pdq", pdq), ("sha256", sha256)):
            out[name].append(value)
        out["md5"].append(md5)
        out["error"].append(error)
    return {name: np.array(values, dtype=object) for name, values in out.items()}


class TooLarge(HashingError):
    kind = "too_large"


def _hash_file(
    system: pafs.FileSystem, path: str, max_pixels: int, max_bytes: int
) -> tuple[str, str, str]:
    size = system.get_file_info(path).size
    if size is not None and size > max_bytes:
        raise TooLarge(f"larger than {max_bytes:,} bytes")
    with system.open_input_stream(path) as stream:
        head = stream.read(SNIFF_BYTES)
        if looks_like_video(head):  # a video's bytes, streamed: no frames here
            long, short = hashlib.sha256(head), hashlib.md5(head, usedforsecurity=False)
            while chunk := stream.read(1 << 20):
                long.update(chunk)
                short.update(chunk)
            return "", long.hexdigest(), short.hexdigest()
        data = head + stream.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        raise TooLarge(f"larger than {max_bytes:,} bytes")
    sha256, md5 = digests(data)
    return content_pdq(data, max_pixels=max_pixels).to_hex(), sha256, md5


def backfill(
    *,
    engine: Engine,
    settings: Settings,
    source: str,
    api_key_id: int,
    workers: int,
    address: str | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Summary:
    """Hash every file of `source` not recorded yet, register it for `api_key_id`, and
    count what matches the banks now. `progress(done, total)` after each chunk."""
    import ray  # the `ray` extra: only this command needs it

    started = time.perf_counter()
    summary = Summary()
    files = list_files(source)
    summary.files = len(files)
    with session_scope(engine) as session:
        done = set(
            session.scalars(select(BackfilledFile.path).where(BackfilledFile.source == source))
        )
    todo = [path for path in files if path not in done]
    summary.skipped = len(files) - len(todo)
    if not todo:
        summary.seconds = time.perf_counter() - started
        return summary
    matcher = load_matcher(engine)
    if address:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    else:  # the embedded default: Ray's local runtime on this machine's cores
        ray.init(
            num_cpus=workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    try:
        context = ray.data.DataContext.get_current()  # (sets up Ray Data's logging)
        context.enable_progress_bars = False  # ours is on the driver
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        task = partial(
            hash_batch,
            source=source,
            max_pixels=settings.max_image_pixels,
            max_bytes=settings.max_upload_bytes,
        )
        blocks = max(workers * 4, len(todo) // 2000)  # big enough to keep tasks busy
        hashed = ray.data.from_items(
            [{"path": p} for p in todo], override_num_blocks=blocks
        ).map_batches(
            task,
            batch_size=BATCH,
            batch_format="numpy",
            compute=ray.data.TaskPoolStrategy(size=workers),
            num_cpus=1,
        )
        hashing = time.perf_counter()
        for batch in hashed.iter_batches(batch_size=chunk, batch_format="numpy"):
            _write(engine, source, api_key_id, batch, summary, matcher)
            progress(summary.indexed + sum(summary.errors.values()), len(todo))
        summary.hashing_seconds = time.perf_counter() - hashing
    finally:
        ray.shutdown()
    summary.seconds = time.perf_counter() - started
    return summary


def _write(
    engine: Engine,
    source: str,
    api_key_id: int,
    batch: dict[str, Column],
    summary: Summary,
    matcher: Matcher,
) -> None:
    rows = list(zip(*(batch[k] for k in ("path", "pdq", "sha256", "md5", "error")), strict=True))
    items: list[tuple[str, str, str]] = []
    for path, pdq, sha256, md5, error in rows:
        if error:
            summary.errors[str(error)] += 1
            continue
        summary.indexed += 1
        values = [
            (kind, str(v)) for kind, v in (("pdq", pdq), ("sha256", sha256), ("md5", md5)) if v
        ]
        items.extend((str(path), kind, value) for kind, value in values)
        if any(matcher.match(Query.from_value(kind, value)) for kind, value in values):
            summary.matched += 1
    with session_scope(engine) as session:
        register(session=session, api_key_id=api_key_id, items=items)
        session.execute(
            insert(BackfilledFile),
            [
                {"source": source, "path": str(p), "outcome": str(e) or INDEXED}
                for p, _, _, _, e in rows
            ],
        )
