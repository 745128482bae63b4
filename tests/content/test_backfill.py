"""`consentry backfill` on Ray's local runtime: every file hashed once into the content
index, errors by type, matches counted; a run killed with SIGKILL is resumed by running
it again, and no file is recorded twice or left out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.config import Settings
from consentry.content.backfill import backfill
from consentry.content.models import BackfilledFile, ContentHash
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing.signals import content_pdq
from tests.databases import empty_tables, migrated_engine
from tests.images import jpeg, pattern


def _library(root: Path, images: int) -> list[bytes]:
    made = []
    for n in range(images):
        folder = root / f"album-{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        data = jpeg(pattern(n, 96, 72))
        (folder / f"photo-{n}.jpg").write_bytes(data)
        made.append(data)
    return made


def _owner(engine: Engine) -> int:
    with session_scope(engine) as session:
        key, _ = create_api_key(
            actor=SYSTEM, session=session, name="library", scopes=[Scope.CONTENT_WRITE]
        )
        return key.id


def test_a_library_is_hashed_once_and_matched(engine: Engine, tmp_path: Path) -> None:
    library = tmp_path / "library"
    images = _library(library, 12)
    (library / "notes.txt").write_text("not an image")
    (library / "cut.jpg").write_bytes(images[0][:300])
    owner = _owner(engine)
    with session_scope(engine) as session:
        bank = create_bank(actor=SYSTEM, session=session, name="ncii")
        value = content_pdq(images[5]).to_hex()
        add_entry(session=session, bank=bank, new=NewEntry("pdq", value, EntryStatus.CONFIRMED))
    settings = Settings(data_dir=tmp_path / "var", database_url=str(engine.url))
    seen: list[tuple[int, int]] = []
    summary = backfill(
        engine=engine,
        settings=settings,
        source=str(library),
        api_key_id=owner,
        workers=2,
        chunk=5,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (summary.files, summary.indexed, summary.skipped) == (14, 12, 0)
    assert dict(summary.errors) == {"truncated": 1, "unsupported_format": 1}
    assert summary.matched == 1
    assert seen[-1] == (14, 14)
    with session_scope(engine) as session:
        stored = session.execute(select(ContentHash.content_id, ContentHash.signal_type)).all()
        assert len(stored) == 36  # PDQ, SHA-256 and MD5 of each image
        assert ("album-2/photo-5.jpg", "pdq") in {tuple(row) for row in stored}
        outcomes = dict(session.execute(select(BackfilledFile.path, BackfilledFile.outcome)).all())
        assert outcomes["notes.txt"] == "unsupported_format"
        assert outcomes["album-0/photo-0.jpg"] == "indexed"
    again = backfill(
        engine=engine, settings=settings, source=str(library), api_key_id=owner, workers=2
    )
    assert (again.skipped, again.indexed, sum(again.errors.values())) == (14, 0, 0)


def test_a_killed_backfill_resumes_without_repeats_or_gaps(
    tmp_path: Path, pg_database: str
) -> None:
    """On PostgreSQL, as a platform runs it (Ray starts twice: one database is enough)."""
    engine = migrated_engine(pg_database)
    empty_tables(engine)
    db_url = pg_database
    library = tmp_path / "library"
    _library(library, 150)
    owner = _owner(engine)
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(tmp_path / "var")}
    env["CONSENTRY_DATABASE_URL"] = db_url
    command = [sys.executable, "-m", "consentry", "backfill", str(library), "--key", str(owner)]
    command += ["--workers", "1", "--chunk", "10", "--json"]

    def recorded() -> int:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(BackfilledFile)) or 0

    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while recorded() < 20 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    before = recorded()
    assert 0 < before < 150, "the run was not killed mid-way"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert f'"skipped": {before}' in finished.stdout
    with session_scope(engine) as session:
        paths = session.scalars(select(BackfilledFile.path)).all()
        assert sorted(paths) == sorted({*paths})
        assert len(paths) == 150
        per_file = session.execute(
            select(ContentHash.content_id, func.count()).group_by(ContentHash.content_id)
        ).all()
        assert len(per_file) == 150
        assert {count for _, count in per_file} == {3}
    engine.dispose()
