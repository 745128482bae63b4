"""How soon a bank change is matched in another process, against HMA's published figure.

A bank of N confirmed random PDQ values; a second process loads its matcher and follows
the bank change log, as every service worker does. The bench adds a value, and later
withdraws it, and times from each commit until the other process matches the value (no
longer matches it). Its questions cost a pipe round trip (about 0.1 ms), well under the
poll interval. HMA rebuilds its whole index on any change: a new hash is matchable after
28 s at 10^5 and 89 s at 10^6 (HMA's own figures; HMA does not run here).

    python bench/freshness.py [--sizes 1e5 1e6] [--changes 50]
    python bench/freshness.py follow URL   # the other process (started by the bench)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from common import RESULTS, header, table
from deployments import database, random_hash

from consentry.banks.batches import add_entries
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.banks.service import NewEntry, add_entry, change_status, create_bank, get_bank
from consentry.core.actor import CLI
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope
from consentry.matching.follower import POLL_SECONDS, ChangeFollower, load_matcher
from consentry.matching.matcher import Query

OUT = RESULTS / "freshness.md"
HMA_SECONDS = {100_000: 28.0, 1_000_000: 89.0}
BATCH = 10_000


def follow(url: str) -> None:
    """The other process: prints "ready", then for each PDQ value read, its match count."""
    engine = make_engine(url, read_only=True)
    matcher = load_matcher(engine)
    ChangeFollower(engine, matcher).start()
    print("ready", flush=True)
    for line in sys.stdin:
        print(len(matcher.match(Query.from_value("pdq", line.strip()))), flush=True)


def seed(url: str, size: int) -> float:
    """A bank of `size` confirmed values, imported as `consentry bank import` does (a
    transaction per batch); returns the values imported per second."""
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        create_bank(session=session, name="ncii", auto_max_distance=0, actor=CLI)
    started = time.perf_counter()
    for start in range(0, size, BATCH):
        values = [random_hash() for _ in range(min(BATCH, size - start))]
        batch = [NewEntry("pdq", v, status=EntryStatus.CONFIRMED) for v in values]
        with session_scope(engine) as session:
            bank = get_bank(session=session, name="ncii")
            add_entries(session=session, bank=bank, batch=batch, actor=CLI)
    engine.dispose()
    return size / (time.perf_counter() - started)


class Follower:
    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "follow", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.ask_line() == "ready"

    def ask_line(self, value: str | None = None) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if value is not None:
            self.process.stdin.write(value + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def until(self, value: str, matches: int, since: float) -> float:
        while int(self.ask_line(value)) != matches:
            if time.perf_counter() - since > 300:
                raise SystemExit("the other process never saw the change")
        return time.perf_counter() - since

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def lags(url: str, changes: int) -> tuple[list[float], list[float]]:
    """Seconds from commit to matched (added) and to unmatched (withdrawn), per change."""
    engine = make_engine(url)
    follower = Follower(url)
    phase = np.random.default_rng(7)

    def timed(change: Callable[..., object], value: str, matches: int) -> float:
        time.sleep(phase.uniform(0, POLL_SECONDS))  # commit at any point of a poll
        with session_scope(engine) as session:
            change(session=session, bank=get_bank(session=session, name="ncii"))
        return follower.until(value, matches, time.perf_counter())

    added, withdrawn = [], []
    try:
        for _ in range(changes):
            value = random_hash()
            new = NewEntry("pdq", value, status=EntryStatus.CONFIRMED)
            added.append(timed(partial(add_entry, new=new), value, matches=1))
            withdraw = partial(
                change_status, signal_type="pdq", value=value,
                action=ChangeAction.WITHDRAWN, actor=CLI,
            )  # fmt: skip
            withdrawn.append(timed(withdraw, value, matches=0))
    finally:
        follower.close()
        engine.dispose()
    return added, withdrawn


def main() -> None:
    if sys.argv[1:2] == ["follow"]:
        follow(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1e5", "1e6"])
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for kind in ("sqlite", "postgresql"):
        for size in (int(float(s)) for s in args.sizes):
            with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
                imported = seed(url, size)
                added, withdrawn = lags(url, args.changes)
            (a50, a99), (w50, w99) = (np.percentile(x, [50, 99]) for x in (added, withdrawn))
            hma = HMA_SECONDS.get(size)
            rows.append([
                kind, f"{size:,}", f"{imported:,.0f}", f"{a50:.3f} / {a99:.3f}",
                f"{w50:.3f} / {w99:.3f}", f"{max(added + withdrawn):.3f}",
                f"{hma:.0f} s ({hma / max(a99, w99):,.0f}x)" if hma else "-",
            ])  # fmt: skip
            print(rows[-1], file=sys.stderr)
    columns = [
        "database", "bank values", "import values/s", "added -> matched p50 / p99 s",
        "withdrawn -> unmatched p50 / p99 s", "max s", "HMA (its time / our p99)",
    ]  # fmt: skip
    lines = [
        *header("Freshness: a bank change seen by another process", "python bench/freshness.py"),
        f"A bank of N confirmed PDQ values, imported in batches of {BATCH:,} (a transaction "
        "each, as `consentry bank import`); another process follows its change log (poll "
        f"interval {POLL_SECONDS} s), as each service worker does. {args.changes} values "
        "added one at a time at random points of a poll, each withdrawn once matched; "
        "seconds from each commit until the other process matches the value (or no longer "
        "does). HMA's column is its published time until a new hash is matchable (a full "
        "index rebuild on any change), and how many times our worse p99 that is.",
        "",
        *table(columns, rows),
    ]
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
