"""Scale benchmarks: matched vs unmatched scans (group commit), on SQLite and PostgreSQL.

Run: .venv/bin/python bench/scale.py scans [--seconds 10] [--connections 16]
Needs wrk (Debian package `wrk`) and, for PostgreSQL, a server at 127.0.0.1:5432 (user
postgres, trust). Each part rewrites its own section of bench/results/scale.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
from common import RESULTS, header, table
from service_load import free_port, wrk
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
OUT = RESULTS / "scale.md"


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
    script = folder / f"{name}.lua"
    script.write_text(
        "bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\n"
        "i = 0\n"
        'wrk.method = "POST"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n  i = i % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[i])\nend\n"
    )
    return script


@contextlib.contextmanager
def serve(url: str, folder: Path, workers: int) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(folder), "CONSENTRY_DATABASE_URL": url}
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
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


def scans(args: argparse.Namespace) -> list[str]:
    rows = []
    for kind in ("postgresql", "sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="consentry-scale-"))
        try:
            with database(kind, folder) as url:
                key, members = seed(url, 1000)
                matched = lua_scans(key, folder, "matched", members[:1])
                unmatched = lua_scans(
                    key, folder, "unmatched", [random_hash() for _ in range(4000)]
                )
                with serve(url, folder, args.workers) as base:
                    wrk(f"{base}/v1/scan", unmatched, 3, args.connections)  # warm-up
                    wrk(f"{base}/v1/scan", matched, 3, args.connections)
                    hit = wrk(f"{base}/v1/scan", matched, args.seconds, args.connections)
                    miss = wrk(f"{base}/v1/scan", unmatched, args.seconds, args.connections)
                print(kind, "matched", hit, "unmatched", miss, file=sys.stderr)
                rows.append(
                    [
                        "PostgreSQL" if kind == "postgresql" else "SQLite",
                        f"{hit['rps']:,.0f}",
                        f"{hit['p99']:.1f}",
                        f"{miss['rps']:,.0f}",
                        f"{miss['p99']:.1f}",
                        f"{hit['rps'] / miss['rps']:.2f}",
                        int(hit["non2xx"] + miss["non2xx"]),
                    ]
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return [
        "## Matched vs unmatched scans",
        "",
        f"`consentry serve --workers {args.workers}` on 127.0.0.1; wrk (one thread, "
        f"{args.connections} connections, {args.seconds} s per run) on the same 2-core machine. "
        "Matched: every request scans one confirmed bank hash as a new upload (its own "
        "`content_id`), as re-uploads of a viral image do; each is answered only after its "
        "scan record is committed. Unmatched: random non-members, same run.",
        "",
        *table(
            [
                "database",
                "matched scans/s",
                "matched p99 ms",
                "unmatched scans/s",
                "unmatched p99 ms",
                "matched/unmatched",
                "non-2xx",
            ],
            rows,
        ),
    ]


PARTS = {"scans": scans}


def write_section(part: str, lines: list[str]) -> None:
    """Replace this part's section of the results file, keeping the others."""
    begin, end = f"<!-- {part} -->", f"<!-- /{part} -->"
    current = OUT.read_text() if OUT.exists() else ""
    sections = dict(re.findall(r"<!-- (\w+) -->\n(.*?)<!-- /\1 -->\n", current, re.DOTALL))
    sections[part] = "\n".join(lines) + "\n"
    body = header("Scale", "python bench/scale.py PART")
    for name in PARTS:
        if name in sections:
            body += [
                begin.replace(part, name),
                sections[name].rstrip("\n"),
                end.replace(part, name),
            ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(body) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("part", choices=sorted(PARTS))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    lines = PARTS[args.part](args)
    write_section(args.part, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
