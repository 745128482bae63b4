import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine

from consentry.banks import service
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.follower import catch_up, load_matcher
from consentry.matching.matcher import Query

ROOT = Path(__file__).resolve().parents[2]
VALUE = "c3" * 32
# How long another process may take, on a loaded CI machine, before a test calls it lost.
# How fresh it is in fact (one poll interval, POLL_SECONDS) is measured in bench/freshness.py.
PATIENCE_SECONDS = 30.0


def ask(probe: subprocess.Popen[str], value: str) -> int:
    return ask_value(probe, "pdq", value)


def ask_value(probe: subprocess.Popen[str], kind: str, value: str) -> int:
    """How many matches the probe process finds for the value."""
    assert probe.stdin is not None
    assert probe.stdout is not None
    probe.stdin.write(f"{kind} {value}\n")
    probe.stdin.flush()
    return int(probe.stdout.readline())


def wait_until(probe: subprocess.Popen[str], expected: int) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while ask(probe, VALUE) != expected:
        assert time.monotonic() < deadline, "the other process never saw the change"
        time.sleep(0.01)


def start_probe(db_url: str) -> subprocess.Popen[str]:
    """Another process following the change log; ready once it answers."""
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.matching.follower_probe", db_url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert probe.stdout is not None
    assert probe.stdout.readline().strip() == "ready"
    return probe


def test_changes_reach_another_process(engine: Engine, db_url: str) -> None:
    with session_scope(engine) as session:
        service.create_bank(actor=SYSTEM, session=session, name="ncii")
    probe = start_probe(db_url)
    try:
        assert ask(probe, VALUE) == 0
        with session_scope(engine) as session:
            bank = service.get_bank(session=session, name="ncii")
            service.add_entry(
                session=session,
                bank=bank,
                new=NewEntry("pdq", VALUE, EntryStatus.CONFIRMED),
            )
        wait_until(probe, 1)
        with session_scope(engine) as session:
            bank = service.get_bank(session=session, name="ncii")
            service.change_status(
                actor=SYSTEM,
                session=session,
                bank=bank,
                signal_type="pdq",
                value=VALUE,
                action=ChangeAction.WITHDRAWN,
            )
        wait_until(probe, 0)
    finally:
        probe.kill()
        probe.wait()


def test_catch_up_is_idempotent_after_a_racing_load(engine: Engine) -> None:
    with session_scope(engine) as session:
        bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
        service.add_entry(
            session=session, bank=bank, new=NewEntry("pdq", VALUE, EntryStatus.PENDING)
        )
    matcher = load_matcher(engine)
    matcher.seq = 0  # as if the load had read the log position before these changes
    catch_up(engine, matcher)
    catch_up(engine, matcher)
    assert len(matcher.indexes["pdq"]) == 1
    assert len(matcher.match(Query.from_value("pdq", VALUE))) == 1
