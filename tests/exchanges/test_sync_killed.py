"""A sync killed with SIGKILL halfway resumes after its last committed page: nothing
lost, nothing applied twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from consentry.banks.models import BankChange, BankEntry, ChangeAction
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.exchanges.files import PAGE_LINES
from consentry.exchanges.models import Exchange, ExchangeKind
from consentry.exchanges.sync import sync
from tests.exchanges.support import follow

LINES = PAGE_LINES * 12  # pages enough that the kill always lands mid-sync


def _checkpoint(engine: Engine) -> dict[str, object] | None:
    with session_scope(engine) as session:
        return session.scalar(select(Exchange.checkpoint))


def test_a_killed_sync_resumes_where_its_last_page_ended(
    engine: Engine, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w") as out:
        for n in range(1, LINES + 1):
            record = {"format": "consentry-bank/1", "signal_type": "pdq", "value": f"{n:064x}"}
            out.write(json.dumps(record | {"status": "confirmed"}) + "\n")
    follow(engine, name="ngo", kind=ExchangeKind.FILE, location=str(path))
    env = {**os.environ, "CONSENTRY_DATABASE_URL": db_url, "CONSENTRY_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "consentry", "exchange", "sync", "ngo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while (_checkpoint(engine) or {}).get("line", 0) == 0:
        assert process.poll() is None, "the sync ended before its first page was committed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    process.kill()
    process.wait()
    cut = _checkpoint(engine)
    assert cut is not None
    assert not cut["done"], "the sync finished before it was killed"

    resumed = sync(engine=engine, settings=settings, name="ngo", actor=SYSTEM)
    assert resumed.error is None
    assert resumed.applied.added == LINES - int(str(cut["line"]))
    assert resumed.applied.unchanged == 0  # the committed pages were not read into the bank again
    with session_scope(engine) as session:
        entries = session.scalar(select(func.count()).select_from(BankEntry))
        added = session.scalar(select(func.count()).where(BankChange.action == ChangeAction.ADDED))
    assert (entries, added) == (LINES, LINES)
    assert _checkpoint(engine) == {"sha256": cut["sha256"], "line": LINES, "done": True}
