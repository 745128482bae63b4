"""Scale benchmarks, each part a section of bench/results/scale.md:

- `scans`: matched vs unmatched scans (group commit), on PostgreSQL and SQLite (needs
  wrk, and PostgreSQL at 127.0.0.1:5432, user postgres, trust);
- `index`: the content index checked for new bank hashes at 1e6, 1e7 and 1e8 content
  hashes (one core), and a lookup at 1e8 over 2 Ray actor shards vs one index;
- `floor`: the reads a batch of 1e4 new hashes must make at each size, times a read's
  cost on this machine (the least time any exact lookup can take);
- `backfill`: `consentry backfill` on 1 and 2 Ray workers vs `consentry hash`;
- `banks`: a scan's bank lookup in the worker's index vs through bank shards.

Run: .venv/bin/python bench/scale.py PART [--sizes 1e6,1e7,1e8]
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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import numpy as np
from common import RESULTS, machine, median, table
from floor import floor
from service_load import free_port, lua_json_posts, wrk
from sqlalchemy import create_engine, delete, text

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks.models import EntryStatus, SourceKind
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.config import Settings
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


def scans(args: argparse.Namespace) -> list[str]:
    rows, rounds = [], []
    for kind in ("postgresql", "sqlite"):
        name = "PostgreSQL" if kind == "postgresql" else "SQLite"
        folder = Path(tempfile.mkdtemp(prefix="consentry-scale-"))
        try:
            with database(kind, folder) as url:
                key, members = seed(url, 1000)
                matched = lua_scans(key, folder, "matched", members[:1])
                unmatched = lua_scans(
                    key, folder, "unmatched", [random_hash() for _ in range(4000)]
                )
                hits, misses = [], []
                with serve(url, folder, args.workers) as base:
                    wrk(f"{base}/v1/scan", unmatched, 3, args.connections)  # warm-up
                    wrk(f"{base}/v1/scan", matched, 3, args.connections)
                    for _ in range(args.rounds):
                        hits.append(wrk(f"{base}/v1/scan", matched, args.seconds, args.connections))
                        misses.append(
                            wrk(f"{base}/v1/scan", unmatched, args.seconds, args.connections)
                        )
                print(kind, "matched", hits, "unmatched", misses, file=sys.stderr)
                failed = int(sum(r["non2xx"] for r in hits + misses))
                if failed:
                    print((folder / "server.log").read_text()[-4000:], file=sys.stderr)
                ratios = [h["rps"] / m["rps"] for h, m in zip(hits, misses, strict=True)]
                rounds.append(
                    f"- {name}, each round's matched/unmatched: "
                    + ", ".join(f"{r:.2f}" for r in ratios)
                )
                rows.append(
                    [
                        name,
                        f"{median([h['rps'] for h in hits]):,.0f}",
                        f"{median([h['p99'] for h in hits]):.1f}",
                        f"{median([m['rps'] for m in misses]):,.0f}",
                        f"{median([m['p99'] for m in misses]):.1f}",
                        f"{median(ratios):.2f}",
                        failed,
                    ]
                )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return [
        "## Matched vs unmatched scans",
        "",
        f"`consentry serve --workers {args.workers}` on 127.0.0.1; wrk (one thread, "
        f"{args.connections} connections) on the same 2-core machine. Matched: every request "
        "scans one confirmed bank hash as a new upload (its own `content_id`), as re-uploads "
        "of a viral image do; each is answered only after its scan record is committed. "
        f"Unmatched: random non-members. {args.rounds} rounds on one server, each "
        f"{args.seconds} s matched then {args.seconds} s unmatched (each run opens its "
        "connections anew); the medians, and each round's ratio below.",
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
        *rounds,
    ]


def _random_words(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**63, size=(n, 4), dtype=np.uint64) * 2 + 1


def _queries(words: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Half near copies of indexed hashes (0-31 bits flipped), half new random hashes."""
    rng = np.random.default_rng(seed)
    near = words[rng.integers(0, len(words), count // 2)].copy()
    for row in near:
        for bit in rng.choice(256, size=int(rng.integers(0, 32)), replace=False):
            row[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return np.concatenate([near, _random_words(count - count // 2, seed + 1)])


def _latencies(search: Callable[[np.ndarray], object], queries: np.ndarray) -> tuple[float, float]:
    for row in queries[:200]:  # warm-up: an index just built has pages yet untouched
        search(row[None, :])
    times = []
    for row in queries:
        start = time.perf_counter()
        search(row[None, :])
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def index(args: argparse.Namespace) -> list[str]:
    from consentry.signals.hamming import HammingIndex

    rows = []
    memory_per_hash = 0.0
    single_at_largest: tuple[float, float] = (0.0, 0.0)
    sizes = [int(float(x)) for x in args.sizes.split(",")]
    for n in sizes:
        words = _random_words(n, seed=n)
        built = time.perf_counter()
        content = HammingIndex()
        content.add(np.arange(n, dtype=np.int64), words)
        build = time.perf_counter() - built
        memory = sum(a.nbytes for s in content._segments for a in s.arrays().values())
        memory_per_hash = memory / n
        queries = _queries(words, 2000, seed=7)
        del words
        p50, p99 = _latencies(partial(content.search, radius=31), queries[:1000])
        batch = _queries(queries, 10_000, seed=9)
        started = time.perf_counter()
        content.search(batch, 31)
        batch_seconds = time.perf_counter() - started
        print(n, p50, p99, batch_seconds, file=sys.stderr)
        rows.append(
            [f"{n:.0e}", f"{p50:.2f}", f"{p99:.2f}", f"{batch_seconds * 1000:,.0f}",
             f"{memory / 2**20:,.0f}", f"{memory_per_hash:.0f}", f"{build:.0f}"]
        )  # fmt: skip
        single_at_largest = (p50, p99)
        del content
    lines = [
        "## Content index: new bank hashes checked against the platform's content",
        "",
        "One index over N random 256-bit content hashes, one core. *One new hash*: 1,000 "
        "lookups at PDQ's radius 31, one at a time (half near copies of indexed hashes, half "
        "new; after 200 to warm up); *1e4 new hashes*: one batch of 10,000 (as an import or "
        "exchange page brings them). Memory is the index's arrays (hashes included).",
        "",
        *table(
            [
                "content hashes",
                "one new hash p50 ms",
                "p99 ms",
                "1e4 new hashes ms",
                "memory MB",
                "bytes per hash",
                "build s",
            ],
            rows,
        ),
    ]
    if args.shards:
        lines += _sharded(sizes[-1], args.shards, single_at_largest, memory_per_hash)
    return lines


def _sharded(n: int, shards: int, single: tuple[float, float], per_hash: float) -> list[str]:
    import ray

    from consentry.matching.shards import RemoteIndex
    from consentry.signals.pdq import PdqIndex

    class FilledShard:
        """A shard that makes its own share of the random set (no transfer to set it up),
        searched as content and bank shards are (`RemoteIndex`)."""

        def __init__(self, n: int, seed: int) -> None:
            self.index = PdqIndex()
            self.index.index.add(np.arange(n, dtype=np.int64) * 1000 + seed, _random_words(n, seed))

        def search(self, kind: str, values: list[str], radius: int, seq: int) -> object:
            return self.index.search(values, radius)

        def size(self, kind: str) -> int:
            return len(self.index)

    ray.init(num_cpus=shards, include_dashboard=False, log_to_driver=False)
    try:
        built = time.perf_counter()
        actors = [ray.remote(FilledShard).remote(n // shards, k) for k in range(shards)]
        ray.get([a.size.remote("pdq") for a in actors])
        build = time.perf_counter() - built
        sharded = RemoteIndex("pdq", actors, lambda: 0)
        words = _queries(_random_words(100_000, 0), 11_000, 3)
        queries = [w.astype(">u8").tobytes().hex() for w in words]
        for value in queries[:200]:  # warm-up, as for one index
            sharded.search([value], 31)
        times = []
        for value in queries[:1000]:
            start = time.perf_counter()
            sharded.search([value], 31)
            times.append((time.perf_counter() - start) * 1000)
        p50, p99 = float(np.percentile(times, 50)), float(np.percentile(times, 99))
        started = time.perf_counter()
        sharded.search(queries[1000:], 31)
        batch = time.perf_counter() - started
    finally:
        ray.shutdown()
    print("sharded", p50, p99, build, file=sys.stderr)
    return [
        f"### Sharded: {n:.0e} hashes in {shards} Ray actors vs one index",
        "",
        f"Each actor holds {n // shards:,} hashes (made in the actor); a lookup asks every "
        "shard at once (`ray.get` over the actors' `search`) and merges: still exact. Ray's "
        f"local runtime, {shards} CPUs; queries as above (random, with near copies).",
        "",
        *table(
            ["index", "one new hash p50 ms", "p99 ms", "1e4 new hashes ms", "build s"],
            [
                [f"one index, {n:.0e}", f"{single[0]:.2f}", f"{single[1]:.2f}", "", ""],
                [
                    f"{shards} shards, {n:.0e}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    f"{batch * 1000:,.0f}",
                    f"{build:.0f}",
                ],
            ],
        ),
        f"Memory per hash at {n:.0e}: {per_hash:.0f} bytes (hashes, ids and 11 substring "
        f"tables). 1e9 content hashes: {per_hash * 1e9 / 2**30:,.0f} GiB of index, e.g. "
        f"{int(np.ceil(per_hash * 1e9 / 2**30 / 48))} shards of at most 48 GiB (on 64 GiB "
        "nodes), or more, smaller ones. Every shard searches every query over its share, in "
        "parallel: a lookup costs the slowest shard's search plus Ray's call (about 1 ms), "
        "so it stays near the figure of one shard's size; here the two actors and the "
        "driver share two cores.",
        "",
    ]


def backfill_part(args: argparse.Namespace) -> list[str]:
    from common import photo_paths

    from consentry.content.backfill import backfill
    from consentry.content.models import BackfilledFile
    from consentry.hashing.signals import content_pdq, digests

    folder = Path(tempfile.mkdtemp(prefix="consentry-backfill-"))
    library = folder / "library"
    photos = photo_paths()
    for copy in range(args.copies):
        target = library / f"set-{copy}"
        target.mkdir(parents=True)
        for photo in photos:
            shutil.copyfile(photo, target / photo.name)
    files = len(photos) * args.copies
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(folder / "var")}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "consentry", "hash", "--json", str(library)],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    hash_rate = files / (time.perf_counter() - started)
    started = time.perf_counter()
    for path in sorted(library.rglob("*.jpg")):
        data = path.read_bytes()
        content_pdq(data)
        digests(data)
    same_rate = files / (time.perf_counter() - started)
    rows = [
        ["`consentry hash` (one process: every signal)", f"{hash_rate:,.0f}", ""],
        ["one process, the backfill's hashes (PDQ as is, digests)", f"{same_rate:,.0f}", ""],
    ]
    url = f"sqlite:///{folder / 'consentry.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        key, _ = create_api_key(
            session=session, name="library", scopes=[Scope.CONTENT_WRITE], actor=CLI
        )
        key_id = key.id
    settings = Settings(data_dir=folder / "var", database_url=url)
    one = 0.0
    for workers in (1, 2):
        with session_scope(engine) as session:  # each run from the start
            session.execute(delete(BackfilledFile))
        started = time.perf_counter()
        summary = backfill(
            engine=engine, settings=settings, source=str(library), api_key_id=key_id,
            workers=workers,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        assert summary.indexed == files, summary
        rate = files / summary.hashing_seconds
        one = one or rate
        rows.append(
            [
                f"`consentry backfill`, {workers} Ray worker(s)",
                f"{rate:,.0f} ({files / seconds:,.0f} with Ray's start)",
                f"{rate / one:.2f}",
            ]
        )
        print(workers, rate, file=sys.stderr)
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return [
        "## Backfill on Ray",
        "",
        f"{files:,} JPEGs (the {len(photos)} shared BSDS500 photos, {args.copies} copies), "
        "on this 2-core machine (the driver, Ray's own processes and the workers share its "
        "two cores), SQLite. The backfill's rate is from the first file to the last result "
        "written (every hash and outcome in the database); in brackets, with starting Ray's "
        "local runtime and listing the files.",
        "",
        *table(["run", "images/s", "scaling vs 1 worker"], rows),
    ]


def banks(args: argparse.Namespace) -> list[str]:
    """A scan's bank lookup in the worker's own index vs through bank shards (Ray actors
    that load and follow the bank change log themselves)."""
    import ray

    from consentry.matching.follower import load_matcher
    from consentry.matching.matcher import Query
    from consentry.matching.shards import bank_shards, remote_indexes

    n = int(float(args.bank_size))
    folder = Path(tempfile.mkdtemp(prefix="consentry-banks-"))
    try:
        url = f"sqlite:///{folder / 'consentry.db'}"
        started = time.perf_counter()
        _, values = seed(url, n)
        print(f"{n:,} bank values: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        engine = make_engine(url)
        near = [f"{int(v, 16) ^ ((1 << 12) - 1):064x}" for v in values[:500]]
        queries = [Query.from_value("pdq", q) for q in near + [random_hash() for _ in range(500)]]
        rows = []
        ray.init(num_cpus=args.shards + 1, include_dashboard=False, log_to_driver=False)
        try:
            started = time.perf_counter()
            actors = bank_shards(url, args.shards)
            sharded = load_matcher(engine, indexes=remote_indexes(actors))
            ray.get([actor.size.remote("pdq") for actor in actors])
            shard_load = time.perf_counter() - started
            started = time.perf_counter()
            whole = load_matcher(engine)
            load = time.perf_counter() - started
            for name, matcher, seconds in (
                ("in the worker", whole, load),
                (f"{args.shards} Ray actor shards", sharded, shard_load),
            ):
                p50, p99 = _latencies(lambda row, m=matcher: m.match(queries[int(row[0, 0])]),
                                      np.arange(len(queries))[:, None])  # fmt: skip
                rows.append([name, f"{p50:.3f}", f"{p99:.3f}", f"{seconds:.1f}"])
                print(name, p50, p99, file=sys.stderr)
            registry = sum(a.itemsize for a in whole.registry.arrays())
        finally:
            ray.shutdown()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [
        "## Bank shards: a scan's lookup in the worker vs in Ray actors",
        "",
        f"{n:,} confirmed PDQ values in one bank (SQLite); 1,000 lookups of one value (half "
        "12 bits from a member, half random) through the worker's matcher, after 200 to warm "
        "up. With `CONSENTRY_BANK_SHARDS`, the shards load and follow the change log "
        "themselves and the worker holds only what it knows of each entry "
        f"({registry:.0f} bytes: bank, status, group, frame time) instead of the index.",
        "",
        *table(["bank index", "lookup p50 ms", "p99 ms", "load s"], rows),
    ]


PARTS = {
    "scans": scans,
    "index": index,
    "floor": floor,
    "backfill": backfill_part,
    "banks": banks,
}


def write_section(part: str, lines: list[str]) -> None:
    """Replace this part's section of the results file, keeping the others."""
    begin, end = f"<!-- {part} -->", f"<!-- /{part} -->"
    current = OUT.read_text() if OUT.exists() else ""
    sections = dict(re.findall(r"<!-- (\w+) -->\n(.*?)<!-- /\1 -->\n", current, re.DOTALL))
    # Parts run apart, maybe on other machines: each says when and where.
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [lines[0], "", f"Run on {stamp}; {machine()}.", *lines[1:]]
    sections[part] = "\n".join(lines) + "\n"
    body = [
        "# Scale",
        "",
        "Generated by `python bench/scale.py PART`, a part at a time (each section says "
        "when and on what it ran).",
        "",
    ]
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
    parser.add_argument("--rounds", type=int, default=3, help="matched/unmatched rounds (scans)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", default="1e6,1e7,1e8", help="index: content hash counts")
    parser.add_argument("--shards", type=int, default=2, help="index: shards at the largest")
    parser.add_argument("--copies", type=int, default=8, help="backfill: copies of the photos")
    parser.add_argument("--bank-size", default="1e5", help="banks: bank values")
    args = parser.parse_args()
    if args.part == "scans" and shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    lines = PARTS[args.part](args)
    write_section(args.part, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
