import json
from pathlib import Path

from sqlalchemy import Engine

from consentry.banks import service
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.matching.follower import load_matcher
from consentry.matching.matcher import Matcher, Query
from consentry.matching.schemas import BankConfig, Tier
from consentry.matching.snapshot import load_snapshot

VALUES = [f"{i:064x}" for i in range(1, 6)]
DIGEST = "d" * 64


def answers(matcher: Matcher) -> list[list[int]]:
    queries = [Query.from_value("pdq", v) for v in VALUES]
    queries.append(Query.from_value("sha256", DIGEST))
    return [sorted(m.entry_id for m in matcher.match(q)) for q in queries]


def test_snapshot_then_changes_equals_a_full_load(engine: Engine, tmp_path: Path) -> None:
    snapshot = tmp_path / "index"
    with session_scope(engine) as session:
        bank = service.create_bank(actor=SYSTEM, session=session, name="ncii", pdq_threshold=0)
        for value in VALUES[:3]:
            service.add_entry(
                session=session,
                bank=bank,
                new=NewEntry("pdq", value, EntryStatus.CONFIRMED),
            )
        service.add_entry(session=session, bank=bank, new=NewEntry("sha256", DIGEST))
    first = load_matcher(engine, snapshot=snapshot)
    assert (snapshot / "snapshot.json").exists()
    with session_scope(engine) as session:
        bank = service.get_bank(session=session, name="ncii")
        service.add_entry(session=session, bank=bank, new=NewEntry("pdq", VALUES[4]))
        service.change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="pdq",
            value=VALUES[0],
            action=ChangeAction.WITHDRAWN,
        )
        service.change_status(
            actor=SYSTEM,
            session=session,
            bank=bank,
            signal_type="sha256",
            value=DIGEST,
            action=ChangeAction.REVOKED,
        )
    from_snapshot = load_matcher(engine, snapshot=snapshot)
    full = load_matcher(engine)
    assert answers(from_snapshot) == answers(full)
    assert answers(full) == [[], [2], [3], [], [5], []]
    assert answers(first) != answers(full)


def test_snapshot_of_another_database_is_ignored(engine: Engine, tmp_path: Path) -> None:
    snapshot = tmp_path / "index"
    with session_scope(engine) as session:
        bank = service.create_bank(actor=SYSTEM, session=session, name="ncii", pdq_threshold=0)
        service.add_entry(session=session, bank=bank, new=NewEntry("pdq", VALUES[0]))
    load_matcher(engine, snapshot=snapshot)
    meta = snapshot / "snapshot.json"
    meta.write_text(meta.read_text().replace('"database": "', '"database": "x'))
    matcher = load_matcher(engine, snapshot=snapshot)
    assert answers(matcher)[0] == [1]


def test_a_version_1_snapshot_still_loads() -> None:
    """Written by the release before signal kinds were plugins (a PDQ folder, digest
    arrays with persisted type codes): a new release starts from it, not from scratch."""
    folder = Path(__file__).parent / "fixtures" / "snapshot-v1"
    meta = json.loads((folder / "snapshot.json").read_text())
    assert meta["version"] == 1
    matcher = load_snapshot(folder, database=meta["database"], log_end=meta["seq"])
    assert matcher is not None
    assert matcher.seq == meta["seq"]
    matcher.set_bank(BankConfig(1, "ncii", 31, 0, True))
    expected = {  # value -> (entry id, tier), as the fixture's bank held them
        ("pdq", "f" * 64): (1, Tier.AUTO),
        ("pdq", "0f" * 32): (2, Tier.REVIEW),
        ("pdq", "0" * 64): None,  # withdrawn
        ("sha256", "ab" * 32): (4, Tier.AUTO),
        ("md5", "cd" * 16): (5, Tier.REVIEW),
        ("md5", "ef" * 16): (6, Tier.AUTO),
    }
    for (kind, value), match in expected.items():
        found = [(m.entry_id, m.tier) for m in matcher.match(Query.from_value(kind, value))]
        assert found == ([] if match is None else [match]), (kind, value)
    assert len(matcher) == 5
