"""What the scale and freshness benchmarks stand up: a temporary database (SQLite, or a
PostgreSQL database dropped after), a bank of random confirmed hashes, and `consentry
serve` with every worker ready."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
from service_load import free_port, lua_json_posts
from sqlalchemy import create_engine, text

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks.models import EntryStatus, SourceKind
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.core.actor import CLI
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope

rng = np.random.default_rng(20)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def random_hash() -> str:
    return rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'consentry.db'}"
        return
    name = f"consentry_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, members: int) -> tuple[str, list[str]]:
    """A bank of confirmed random hashes; returns a scan key and the members' values."""
    engine = make_engine(url)
    upgrade(engine)
    values = [random_hash() for _ in range(members)]
    with session_scope(engine) as session:
        bank = create_bank(session=session, name="viral", auto_max_distance=0, actor=CLI)
        _, key = create_api_key(session=session, name="load", scopes=[Scope.SCAN], actor=CLI)
        for value in values:
            add_entry(
                session=session,
                bank=bank,
                new=NewEntry(
                    "pdq", value, status=EntryStatus.CONFIRMED, source_kind=SourceKind.IMPORT
                ),
            )
    engine.dispose()
    return key, values


def lua_scans(key: str, folder: Path, name: str, values: list[str]) -> Path:
    """Scans of these hashes, each upload with its own content id (re-uploads of one image)."""
    bodies = [
        json.dumps({"pdq": values[i % len(values)], "content_id": f"upload-{i}"})
        for i in range(4000)
    ]
    return lua_json_posts(key, folder / f"{name}.lua", bodies)


@contextlib.contextmanager
def serve(url: str, folder: Path, workers: int) -> Iterator[str]:
    """`consentry serve`, once every worker answers; its log is kept in `folder`."""
    port = free_port()
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(folder), "CONSENTRY_DATABASE_URL": url}
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "consentry",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Each worker listens on its own socket (SO_REUSEPORT) once started, and each
        # new connection goes to a worker at random: 20 ready answers in a row on fresh
        # connections mean every worker has loaded (one still loading answers 503).
        ready, start = 0, time.perf_counter()
        while ready < workers * 10 and time.perf_counter() - start < 120:
            with contextlib.suppress(httpx.TransportError):
                ok = httpx.get(f"{base}/readyz", timeout=5).status_code == 200
                ready = ready + 1 if ok else 0
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
