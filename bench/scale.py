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
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import RESULTS, machine, median, table
from content_index import index, latencies
from deployments import database, lua_scans, random_hash, seed, serve
from floor import floor
from service_load import wrk
from sqlalchemy import delete

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.config import Settings
from consentry.core.actor import CLI
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope

OUT = RESULTS / "scale.md"


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
                p50, p99 = latencies(lambda row, m=matcher: m.match(queries[int(row[0, 0])]),
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
