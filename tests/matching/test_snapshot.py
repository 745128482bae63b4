from pathlib import Path

from sqlalchemy import Engine

from consentry.banks import service
from consentry.banks.models import ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.db.session import session_scope
from consentry.matching.follower import load_matcher
from consentry.matching.matcher import Matcher, Query

VALUES = [f"{i:064x}" for i in range(1, 6)]
DIGEST = "d" * 64


def answers(matcher: Matcher) -> list[list[int]]:
    queries = [Query.from_value("pdq", v) for v in VALUES]
    queries.append(Query.from_value("sha256", DIGEST))
    return [sorted(m.entry_id for m in matcher.match(q)) for q in queries]


def test_snapshot_then_changes_equals_a_full_load(engine: Engine, tmp_path: Path) -> None:
    snapshot = tmp_path / "index"
    with session_scope(engine) as session:
        bank = service.create_bank(session=session, name="ncii", pdq_threshold=0)
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
            session=session,
            bank=bank,
            signal_type="pdq",
            value=VALUES[0],
            action=ChangeAction.WITHDRAWN,
        )
        service.change_status(
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
        bank = service.create_bank(session=session, name="ncii", pdq_threshold=0)
        service.add_entry(session=session, bank=bank, new=NewEntry("pdq", VALUES[0]))
    load_matcher(engine, snapshot=snapshot)
    meta = snapshot / "snapshot.json"
    meta.write_text(meta.read_text().replace('"database": "', '"database": "x'))
    matcher = load_matcher(engine, snapshot=snapshot)
    assert answers(matcher)[0] == [1]
