"""Matcher snapshots on disk, so a process with millions of hashes starts in seconds.

A snapshot holds the index, what is known of each entry, the digests and the
change-log position it reflects; loading one and applying the changes since
gives the same matcher as a full load. A snapshot of another database, of an
older format, or ahead of the database's log is ignored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from consentry.hashing.signal_types import SignalType
from consentry.matching.index import HammingIndex
from consentry.matching.matcher import Matcher
from consentry.matching.registry import EntryRegistry

VERSION = 1
_TYPES = list(SignalType)


def database_identity(url: str) -> str:
    """A fingerprint of the database a snapshot came from (never the password)."""
    shown = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def save_snapshot(matcher: Matcher, folder: Path, *, database: str) -> None:
    """Write atomically: readers see the old snapshot or the new one, never half of one."""
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with matcher.lock:
        matcher.index.save(staging / "pdq")
        bank, status = matcher.registry.arrays()
        np.save(staging / "entry-bank.npy", bank)
        np.save(staging / "entry-status.npy", status)
        entries = sorted(matcher.digest_of.items())
        np.save(staging / "digest-ids.npy", np.array([e for e, _ in entries], dtype=np.int64))
        np.save(
            staging / "digest-types.npy",
            np.array([_TYPES.index(t) for _, (t, _v) in entries], dtype=np.int8),
        )
        np.save(staging / "digest-values.npy", np.array([v for _, (_t, v) in entries], dtype="S64"))
        meta = {"version": VERSION, "seq": matcher.seq, "database": database}
        (staging / "snapshot.json").write_text(json.dumps(meta))
    retired = folder.with_name(folder.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)


def load_snapshot(folder: Path, *, database: str, log_end: int) -> Matcher | None:
    """The snapshot's matcher (banks still to be loaded), or None when there is none to trust."""
    try:
        meta = json.loads((folder / "snapshot.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("version") != VERSION or meta.get("database") != database:
        return None
    if int(meta.get("seq", -1)) > log_end:
        return None  # the database was replaced since
    matcher = Matcher(
        index=HammingIndex.load(folder / "pdq"),
        registry=EntryRegistry.from_arrays(
            np.load(folder / "entry-bank.npy"), np.load(folder / "entry-status.npy")
        ),
        seq=int(meta["seq"]),
    )
    ids = np.load(folder / "digest-ids.npy")
    types = np.load(folder / "digest-types.npy")
    values = np.load(folder / "digest-values.npy")
    digests: defaultdict[tuple[SignalType, str], set[int]] = defaultdict(set)
    for entry_id, type_code, value in zip(
        ids.tolist(), types.tolist(), values.tolist(), strict=True
    ):
        key = (_TYPES[type_code], value.decode())
        digests[key].add(entry_id)
        matcher.digest_of[entry_id] = key
    matcher.digests = digests
    return matcher
