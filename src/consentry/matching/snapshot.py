"""Matcher snapshots on disk, so a process with millions of hashes starts in seconds.

A snapshot holds each signal kind's index, what is known of each entry and the
change-log position it reflects; loading one and applying the changes since
gives the same matcher as a full load. A snapshot of another database, of an
older format, or ahead of the database's log is ignored.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from consentry.matching.matcher import Matcher
from consentry.matching.registry import EntryRegistry
from consentry.signals.base import SignalIndex
from consentry.signals.registry import KINDS

# 4: frame times; 3: entry groups; 2: one folder per signal kind; 1: a PDQ folder and
# digest arrays. Versions 2 and 3 are not read: the database is (their kinds list no
# longer matches anyway).
VERSION = 4
# Version 1's digest-types.npy codes, as persisted.
_V1_DIGEST_KINDS = {1: "sha256", 2: "md5"}


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
        for name, index in matcher.indexes.items():
            index.save(staging / "kinds" / name)
        bank, status, group, times = matcher.registry.arrays()
        np.save(staging / "entry-bank.npy", bank)
        np.save(staging / "entry-status.npy", status)
        np.save(staging / "entry-group.npy", group)
        np.save(staging / "entry-time.npy", times)
        meta = {
            "version": VERSION,
            "seq": matcher.seq,
            "database": database,
            "kinds": sorted(matcher.indexes),
        }
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
    if meta.get("version") not in (1, VERSION) or meta.get("database") != database:
        return None
    if int(meta.get("seq", -1)) > log_end:
        return None  # the database was replaced since
    if meta["version"] == VERSION and meta.get("kinds") != sorted(KINDS):
        return None  # kinds were added or removed since: load from the database
    try:
        if meta["version"] == 1:
            indexes = _v1_indexes(folder)
        else:
            indexes = {n: kind.load_index(folder / "kinds" / n) for n, kind in KINDS.items()}
        # Version 1 predates groups and videos: none of its entries is in a group.
        current = meta["version"] == VERSION
        registry = EntryRegistry.from_arrays(
            np.load(folder / "entry-bank.npy"),
            np.load(folder / "entry-status.npy"),
            np.load(folder / "entry-group.npy") if current else None,
            np.load(folder / "entry-time.npy") if current else None,
        )
    except (OSError, ValueError, KeyError):
        return None
    return Matcher(indexes=indexes, registry=registry, seq=int(meta["seq"]))


def _v1_indexes(folder: Path) -> dict[str, SignalIndex]:
    """A version 1 snapshot's PDQ index and digests, as this version's indexes."""
    indexes = {name: kind.new_index() for name, kind in KINDS.items()}
    indexes["pdq"] = KINDS["pdq"].load_index(folder / "pdq")
    ids = np.load(folder / "digest-ids.npy").tolist()
    codes = np.load(folder / "digest-types.npy").tolist()
    values = [value.decode() for value in np.load(folder / "digest-values.npy").tolist()]
    for entry_id, code, value in zip(ids, codes, values, strict=True):
        indexes[_V1_DIGEST_KINDS[code]].stage([entry_id], [value])
    for index in indexes.values():
        index.commit()
    return indexes
