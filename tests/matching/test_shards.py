"""Bank shards (Ray actors that follow the change log themselves): a worker matching
through them finds exactly what one in-process index finds, and never less than it
knows of."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import ray
from sqlalchemy import Engine, select

from consentry.accounts.models import Scope
from consentry.banks.models import Bank, BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry, add_entry, change_status, create_bank
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.follower import catch_up, load_matcher
from consentry.matching.live import LiveIndex
from consentry.matching.matcher import Query, new_indexes
from consentry.matching.shards import RemoteIndex, bank_shards, remote_indexes
from consentry.matching.share import Share
from tests.helpers import key_headers, running


def _near(rng: np.random.Generator, value: str, bits: int) -> str:
    number = int(value, 16)
    for bit in rng.choice(256, size=bits, replace=False):
        number ^= 1 << int(bit)
    return f"{number:064x}"


def _add(engine: Engine, values: list[str]) -> None:
    with session_scope(engine) as session:
        bank = session.query(Bank).filter_by(name="ncii").one_or_none()
        bank = bank or create_bank(actor=SYSTEM, session=session, name="ncii", auto_max_distance=4)
        for value in values:
            add_entry(
                session=session, bank=bank, new=NewEntry("pdq", value, status=EntryStatus.CONFIRMED)
            )


def _withdraw(engine: Engine, value: str) -> None:
    with session_scope(engine) as session:
        bank = session.query(Bank).filter_by(name="ncii").one()
        change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="pdq",
            value=value,
            action=ChangeAction.WITHDRAWN,
        )


def test_a_worker_matches_through_shards_as_through_its_own_index(
    local_ray: None, engine: Engine, db_url: str
) -> None:
    rng = np.random.default_rng(7)
    centres = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(12)]
    values = [_near(rng, centres[n % 12], int(rng.integers(0, 30))) for n in range(90)]
    _add(engine, values)
    for value in values[:90:9]:
        _withdraw(engine, value)
    actors = bank_shards(db_url, 3)
    try:
        sharded = load_matcher(engine, indexes=remote_indexes(actors))
        whole = load_matcher(engine)
        assert isinstance(sharded.indexes["pdq"], RemoteIndex)
        assert len(sharded.indexes["pdq"]) == len(whole.indexes["pdq"]) == 80
        for centre in centres:
            query = Query.from_value("pdq", _near(rng, centre, 10))
            expected = whole.match(query)
            assert expected
            assert sharded.match(query) == expected

        # The shards catch up to the worker's position before answering: a value the
        # worker has just learnt of is found at once, a withdrawn one is gone.
        fresh = rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()
        _add(engine, [fresh])
        _withdraw(engine, values[1])
        catch_up(engine, sharded)
        assert [m.value for m in sharded.match(Query.from_value("pdq", fresh))] == [fresh]
        assert values[1] not in {m.value for m in sharded.match(Query.from_value("pdq", values[1]))}
    finally:
        for actor in actors:  # named per database: the next test's must start afresh
            ray.kill(actor)


def test_the_service_scans_against_bank_shards(
    local_ray: None, tmp_path: Path, engine: Engine, db_url: str
) -> None:
    value = "5a" * 32
    _add(engine, [value])
    settings = Settings(data_dir=tmp_path / "var", database_url=db_url, bank_shards=2)
    try:
        with running(settings) as client:
            headers = key_headers(client, Scope.SCAN)
            answer = client.post("/v1/scan", json={"pdq": value}, headers=headers)
            assert answer.status_code == 200
            assert answer.json()["verdict"] == "auto_action"
            live = client.app.state.parts[LiveIndex]  # type: ignore[attr-defined]
            assert isinstance(live.matcher.indexes["pdq"], RemoteIndex)
            assert not (tmp_path / "var" / "index").exists()  # no snapshot of shards

            # A shard that dies is restarted and the search sent again: the scan waits.
            first, second = bank_shards(db_url, 2)
            ray.kill(first, no_restart=False)
            again = client.post("/v1/scan", json={"pdq": value}, headers=headers)
            assert again.status_code == 200
            assert again.json()["verdict"] == "auto_action"

            # One that is gone for good: a 503 to retry (problem+json), not a failure.
            ray.kill(second, no_restart=True)
            gone = client.post("/v1/scan", json={"pdq": value}, headers=headers)
            assert gone.status_code == 503
            assert gone.headers["content-type"] == "application/problem+json"
            assert gone.headers["retry-after"] == "5"
    finally:
        for actor in bank_shards(db_url, 2):
            ray.kill(actor)


def test_a_bank_shard_reads_only_its_share(engine: Engine) -> None:
    """A shard's load asks the database for its own entries only (withdrawn ones aside):
    with N shards, every value is read once, not N times."""
    values = [f"{n:02x}" * 32 for n in range(1, 31)]
    _add(engine, values)
    _withdraw(engine, values[0])
    with session_scope(engine) as session:
        ids = set(session.scalars(select(BankEntry.id).where(BankEntry.status == "confirmed")))
    held: set[int] = set()
    for shard in range(3):
        # Indexes that keep whatever they are given: what they hold is what was read.
        matcher = load_matcher(engine, indexes=lambda _: new_indexes(), share=Share(shard, 3))
        loaded = {hit.entry_id for hit in matcher.indexes["pdq"].search(values, 0)}
        assert loaded == {i for i in ids if i % 3 == shard}
        held |= loaded
    assert held == ids
