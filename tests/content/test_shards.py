"""A sharded content index (Ray actors following the content log) returns exactly what
one index over every value returns, and the copy finder works through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import ray
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks.models import EntryStatus
from consentry.banks.service import NewEntry, add_entry, create_bank
from consentry.config import Settings
from consentry.content.finder import ContentFinder
from consentry.content.following import load_content
from consentry.content.models import ContentHash
from consentry.content.service import register
from consentry.content.shards import ContentShard
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.shards import RemoteIndex, ShardOf, shard_actors
from consentry.matching.share import Share
from consentry.signals.registry import KINDS
from tests.cases.support import eventually
from tests.databases import empty_tables, migrated_engine
from tests.helpers import key_headers, running


def _flipped(rng: np.random.Generator, value: str, bits: int) -> str:
    number = int(value, 16)
    for bit in rng.choice(256, size=bits, replace=False):
        number ^= 1 << int(bit)
    return f"{number:064x}"


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shards=st.integers(1, 4))
def test_shards_together_hold_exactly_one_index(seed: int, shards: int) -> None:
    """Every shard is given every change and keeps its own ids: the union of their
    searches is what one index returns."""
    rng = np.random.default_rng(seed)
    centres = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(20)]
    values = [_flipped(rng, centres[n % 20], int(rng.integers(0, 40))) for n in range(400)]
    ids = [int(i) for i in rng.choice(10**6, size=400, replace=False)]
    parts = [ShardOf(KINDS["pdq"].new_index(), Share(k, shards)) for k in range(shards)]
    whole = KINDS["pdq"].new_index()
    for index in (*parts, whole):
        index.stage(ids[:300], values[:300])
        index.commit()
        index.add(ids[300:], values[300:])
        index.remove(ids[::7])
    assert sum(len(part) for part in parts) == len(whole)
    queries = [_flipped(rng, centre, int(rng.integers(0, 20))) for centre in centres]
    for radius in (0, 31, 48):
        key = lambda h: (h.query, h.entry_id)  # noqa: E731
        merged = sorted((hit for part in parts for hit in part.search(queries, radius)), key=key)
        assert merged == sorted(whole.search(queries, radius), key=key)


def test_the_copy_finder_works_on_a_sharded_index(
    local_ray: None, tmp_path: Path, db_url: str
) -> None:
    engine = migrated_engine(db_url)
    empty_tables(engine)
    engine.dispose()
    sharded = Settings(data_dir=tmp_path / "var", database_url=db_url, content_shards=2)
    try:
        with running(sharded) as client:
            writer = key_headers(client, Scope.CONTENT_WRITE)
            items = [{"content_id": f"post-{n}", "pdq": f"{n:02x}" * 32} for n in range(1, 9)]
            client.post("/v1/content/batch", json={"items": items}, headers=writer)
            with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
                bank = create_bank(actor=SYSTEM, session=session, name="ncii", auto_max_distance=0)
                add_entry(
                    session=session,
                    bank=bank,
                    new=NewEntry("pdq", "07" * 32, status=EntryStatus.CONFIRMED),
                )
            finder = client.app.state.parts[ContentFinder]  # type: ignore[attr-defined]

            def indexed(count: int) -> Callable[[], bool]:
                return lambda: finder.indexes is not None and len(finder.indexes["pdq"]) == count

            eventually(indexed(8))
            assert isinstance(finder.indexes["pdq"], RemoteIndex)
            hits = finder.indexes["pdq"].search(["07" * 32], 0)
            assert [h.value for h in hits] == ["07" * 32]
            # Registered later: the shards follow the content log themselves.
            late = [{"content_id": "post-late", "pdq": "77" * 32}]
            client.post("/v1/content/batch", json={"items": late}, headers=writer)
            eventually(indexed(9))
    finally:
        for actor in shard_actors(
            ContentShard, "content", db_url, 2
        ):  # named per database: none left behind
            ray.kill(actor)


def test_a_shard_reads_only_its_share_of_the_content(db_url: str) -> None:
    """Each shard's load asks the database for its own ids only: with N shards, every
    value is read once, not N times."""
    engine = migrated_engine(db_url)
    empty_tables(engine)
    values = [f"{n:02x}" * 32 for n in range(1, 31)]
    with session_scope(engine) as session:
        key, _ = create_api_key(
            session=session, name="p", scopes=[Scope.CONTENT_WRITE], actor=SYSTEM
        )
        register(
            session=session,
            api_key_id=key.id,
            items=[(f"post-{n}", "pdq", v) for n, v in enumerate(values)],
        )
    with session_scope(engine) as session:
        ids = set(session.scalars(select(ContentHash.id)))
    held: set[int] = set()
    for shard in range(3):
        plain = KINDS["pdq"].new_index()  # keeps whatever it is given
        with session_scope(engine) as session:
            load_content(session=session, indexes={"pdq": plain}, share=Share(shard, 3))
        loaded = {hit.entry_id for hit in plain.search(values, 0)}
        assert loaded == {i for i in ids if i % 3 == shard}
        held |= loaded
    assert held == ids
    engine.dispose()
