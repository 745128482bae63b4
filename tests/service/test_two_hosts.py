"""Two `consentry serve` hosts on one PostgreSQL database, as behind a load balancer:
a bank change reaches both within a second, a key's rate limit is one limit, each
clock mark fires once and each webhook is delivered once."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.actions.service import add_endpoint
from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.cases.models import Deadline, DeadlineMark
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.browser import start_server
from tests.cases.support import LOOPBACK, eventually, notice, webhook_receiver
from tests.databases import empty_tables, migrated_engine

MEMBER = "3e" * 32


def test_two_hosts_keep_every_guarantee(tmp_path: Path, pg_database: str) -> None:
    engine = migrated_engine(pg_database)
    empty_tables(engine)
    with session_scope(engine) as session:
        _, scanner = create_api_key(actor=SYSTEM, session=session, name="s", scopes=[Scope.SCAN])
        _, filer = create_api_key(
            actor=SYSTEM, session=session, name="f", scopes=[Scope.NOTICES_WRITE]
        )
        _, reader = create_api_key(
            actor=SYSTEM, session=session, name="r", scopes=[Scope.BANKS_READ]
        )
        bank = create_bank(actor=SYSTEM, session=session, name="shared", auto_max_distance=0)
        bank_id = bank.id
    settings = {
        "database_url": pg_database,
        "scheduler_seconds": "0.1",
        "delivery_backoff_seconds": "0.2",
        "outbound_allow": "127.0.0.0/8",
        "rate_limit_per_minute": "10",
    }
    with webhook_receiver() as hook:
        with session_scope(engine) as session:
            add_endpoint(actor=SYSTEM, session=session, url=hook.url, allowed=LOOPBACK)
        hosts = [start_server(tmp_path / name, **settings) for name in ("a", "b")]
        try:
            a, b = (base for _, base in hosts)

            # Freshness: a value confirmed through one host is matched on the other.
            with session_scope(engine) as session:
                add_entry(
                    session=session,
                    bank=session.get_one(type(bank), bank_id),
                    new=NewEntry("pdq", MEMBER, status=EntryStatus.CONFIRMED),
                )
            added = time.monotonic()
            auth = {"Authorization": f"Bearer {scanner}"}

            def matched_on(base: str) -> bool:
                reply = httpx.post(f"{base}/v1/scan", json={"pdq": MEMBER}, headers=auth)
                return bool(reply.json()["verdict"] == "auto_action")

            eventually(lambda: matched_on(a) and matched_on(b), timeout=5)
            lag = time.monotonic() - added
            assert lag < 5  # ≤ 1 s by design (each host polls the change log every 0.2 s)

            # One rate limit: a key's requests to both hosts count against one limit.
            while time.time() % 60 > 45:  # the fixed window must not turn mid-test
                time.sleep(0.5)
            answers: Counter[int] = Counter()
            for n in range(20):
                base = (a, b)[n % 2]
                reply = httpx.get(f"{base}/v1/banks", headers={"Authorization": f"Bearer {reader}"})
                answers[reply.status_code] += 1
                time.sleep(0.3)  # past each host's sync of its counts (0.25 s)
            # One limit, overshot by at most the requests of one sync interval (documented).
            assert 10 <= answers[200] <= 11
            assert answers[200] + answers[429] == 20

            # Clocks: a request's clock run out fires each mark once, from either host.
            filed = httpx.post(
                f"{a}/v1/notices", json=notice(), headers={"Authorization": f"Bearer {filer}"}
            )
            assert filed.status_code == 201
            with session_scope(engine) as session:
                for deadline in session.scalars(select(Deadline)):
                    deadline.started_at -= timedelta(hours=49)
                    deadline.due_at -= timedelta(hours=49)
            hook.wait_for("clock.breached")
            hook.wait_for("clock.escalated", count=3)
            time.sleep(1.0)  # both hosts' schedulers have run again several times
        finally:
            for server, _ in hosts:
                server.terminate()
                server.wait(timeout=15)
        with session_scope(engine) as session:
            assert len(session.scalars(select(DeadlineMark)).all()) == 4
        assert len(hook.events("clock.escalated")) == 3
        assert len(hook.events("clock.breached")) == 1
        # No double delivery: every message arrived once, whichever host sent it.
        ids = [delivery.json["id"] for delivery in hook.deliveries]
        assert len(ids) == len(set(ids))
    engine.dispose()
