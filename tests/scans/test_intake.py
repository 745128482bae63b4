"""Group commit: concurrent matched scans share a transaction, each is answered only
once it is durable, and one bad request fails alone."""

from __future__ import annotations

import asyncio
import signal
import threading
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.schemas import Match, Tier
from consentry.scans.intake import ScanIntake
from consentry.scans.models import ScanMatch, ScanRecord
from consentry.scans.records import Scans
from tests.browser import start_server
from tests.helpers import run_async

MEMBER = "5c" * 32


def _bank_entry(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        bank = create_bank(actor=SYSTEM, session=session, name="viral")
        entry, _ = add_entry(
            session=session,
            bank=bank,
            new=NewEntry("pdq", MEMBER, status=EntryStatus.CONFIRMED),
        )
        return bank.id, entry.id


def test_the_writer_reconnects_when_its_connection_is_cut(
    pg_engine: Engine, tmp_path: Path, pg_database: str
) -> None:
    """PostgreSQL restarted, or a proxy dropped the writer's idle connection: the next
    scan is written on a new connection, not failed."""
    bank_id, entry_id = _bank_entry(pg_engine)
    match = Match("viral", entry_id, "pdq", MEMBER, 3, 31, "original", Tier.AUTO)
    intake = ScanIntake(pg_engine, Settings(data_dir=tmp_path, database_url=pg_database))

    async def twice() -> list[int | None]:
        try:
            scan_ids = []
            for n in range(2):
                [(_, scan_id)] = await intake.settle(
                    Scans(None, [(f"upload-{n}", [match])], {"viral": bank_id})
                )
                scan_ids.append(scan_id)
                if n == 0:
                    with pg_engine.connect() as other:
                        assert intake._raw is not None
                        other.execute(
                            text("SELECT pg_terminate_backend(:pid)"),
                            {"pid": intake._raw.info.backend_pid},
                        )
            return scan_ids
        finally:
            await intake.close()

    first, second = run_async(twice())
    assert first is not None
    assert second is not None
    with session_scope(pg_engine) as session:
        assert session.scalar(select(func.count()).select_from(ScanRecord)) == 2


def test_concurrent_requests_share_commits_and_a_bad_one_fails_alone(
    engine: Engine, settings: Settings
) -> None:
    bank_id, entry_id = _bank_entry(engine)
    match = Match("viral", entry_id, "pdq", MEMBER, 3, 31, "original", Tier.AUTO)
    intake = ScanIntake(engine, settings)

    async def scan_all() -> list[object]:
        requests = [
            Scans(None, [(f"upload-{n}", [match]), (f"upload-{n}b", [])], {"viral": bank_id})
            for n in range(40)
        ]
        requests[17] = Scans(None, [("upload-17", [match])], {})  # names no bank id: fails
        try:
            return await asyncio.gather(
                *(intake.settle(r) for r in requests), return_exceptions=True
            )
        finally:
            await intake.close()

    results = run_async(scan_all())
    assert isinstance(results[17], KeyError)
    scan_ids = {}
    for n, result in enumerate(results):
        if n == 17:
            continue
        assert isinstance(result, list)
        (matches, scan_id), (unmatched, none) = result
        assert [m.entry_id for m in matches] == [entry_id]
        assert scan_id is not None
        assert (unmatched, none) == ([], None)
        scan_ids[scan_id] = f"upload-{n}"
    with session_scope(engine) as session:
        stored = dict(session.execute(select(ScanRecord.id, ScanRecord.content_id)).all())
        assert stored == scan_ids  # every answered scan, and nothing of the failed one
        kept = session.execute(select(ScanMatch.scan_id, ScanMatch.entry_id, ScanMatch.distance))
        assert sorted(kept) == sorted((scan_id, entry_id, 3) for scan_id in scan_ids)
        verdicts = set(session.scalars(select(ScanRecord.verdict)))
        assert {v.value for v in verdicts} == {"auto_action"}


def test_a_scan_answered_before_a_kill_is_kept(tmp_path: Path, engine: Engine, db_url: str) -> None:
    """SIGKILL the server while it answers matched scans from 16 clients: every scan it
    answered with 200 (200 or more) is in the database afterwards."""
    _bank_entry(engine)
    with session_scope(engine) as session:
        _, key = create_api_key(actor=SYSTEM, session=session, name="p", scopes=[Scope.SCAN])
    server, base = start_server(tmp_path, database_url=db_url)
    answered: dict[int, str] = {}
    lock, enough, stop = threading.Lock(), threading.Event(), threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as http:
            n = 0
            while not stop.is_set():
                content_id = f"upload-{worker}-{n}"
                n += 1
                try:
                    reply = http.post(
                        "/v1/scan", json={"pdq": MEMBER, "content_id": content_id}, timeout=10
                    )
                except httpx.TransportError:
                    return  # the server is gone
                if reply.status_code == 200:
                    with lock:
                        answered[reply.json()["scan_id"]] = content_id
                        if len(answered) >= 200:
                            enough.set()

    clients = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    try:
        for thread in clients:
            thread.start()
        assert enough.wait(timeout=120)
    finally:
        server.send_signal(signal.SIGKILL)  # mid-stream: other scans are in flight
        server.wait(timeout=10)
        stop.set()
        for thread in clients:
            thread.join(timeout=15)
    assert len(answered) >= 200
    with session_scope(engine) as session:
        stored = dict(session.execute(select(ScanRecord.id, ScanRecord.content_id)).all())
        assert {i: stored.get(i) for i in answered} == answered
        with_matches = session.scalar(
            select(func.count(func.distinct(ScanMatch.scan_id))).where(
                ScanMatch.scan_id.in_(answered)
            )
        )
        assert with_matches == len(answered)
