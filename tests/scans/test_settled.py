"""S2: in the second after a confirmation or a withdrawal the matcher may lag the
database; what a scan answers and the action it requests are decided on the same,
database-settled matches, so they always agree."""

from __future__ import annotations

import psycopg
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from consentry.banks.models import BankEntry, ChangeAction
from consentry.banks.service import NewEntry, add_entry, change_status, create_bank
from consentry.cases.copies import EntryState, as_stored, entry_states
from consentry.cases.models import Case, CaseHash, CaseStatus
from consentry.core.actor import SYSTEM
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.matching.schemas import Match, Tier
from consentry.scans.models import ScanMatch, ScanRecord
from consentry.scans.records import Scans, record_unless_held, verdict_of
from consentry.scans.service import settled_matches, sort_out
from tests.helpers import run_async

PENDING, CONFIRMED, WITHDRAWN = "a1" * 32, "b2" * 32, "c3" * 32


def _match(entry_id: int, value: str, tier: Tier) -> Match:
    return Match("ncii", entry_id, "pdq", value, 0, 31, "original", tier)


def _entries(session: Session) -> dict[str, int]:
    bank = create_bank(actor=SYSTEM, session=session, name="ncii")
    ids = {}
    for value, status in (
        (PENDING, None),
        (CONFIRMED, ChangeAction.CONFIRMED),
        (WITHDRAWN, ChangeAction.WITHDRAWN),
    ):
        entry, _ = add_entry(session=session, bank=bank, new=NewEntry("pdq", value))
        ids[value] = entry.id
        if status is not None:
            change_status(
                actor=SYSTEM,
                session=session,
                bank=bank,
                signal_type="pdq",
                value=value,
                action=status,
            )
    return ids


def test_matches_are_settled_against_the_database(session: Session) -> None:
    ids = _entries(session)
    # The matcher still believes the pending entry confirmed and the withdrawn one live.
    lagging = [
        _match(ids[PENDING], PENDING, Tier.AUTO),
        _match(ids[WITHDRAWN], WITHDRAWN, Tier.AUTO),
        _match(ids[CONFIRMED], CONFIRMED, Tier.REVIEW),
    ]
    states = entry_states(session=session, matches=lagging)
    settled = as_stored(states=states, matches=lagging)
    assert [(m.value, m.tier) for m in settled] == [
        (PENDING, Tier.REVIEW),
        (CONFIRMED, Tier.REVIEW),
    ]
    assert verdict_of(settled).value == "review"
    assert as_stored(states=states, matches=[lagging[1]]) == []


async def _unless_held(
    engine: Engine, requests: list[Scans]
) -> tuple[dict[int, EntryState], list[int]]:
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        return await record_unless_held(connection=connection, requests=requests)


def test_one_statement_settles_and_records_as_the_orm_path_does(pg_engine: Engine) -> None:
    """PostgreSQL's batch writer reads the states, applies S2 and writes the records in
    one statement: the same states, verdicts, tiers and kept scans as `settled_matches`
    and `record_scans`, and nothing written when a confirmed case holds a kept match."""
    with session_scope(pg_engine) as session:
        ids = _entries(session)
        bank_id = session.scalars(select(BankEntry.bank_id)).first()
        every = [ids[PENDING], ids[WITHDRAWN], ids[CONFIRMED]]
    assert bank_id is not None
    request = Scans(
        api_key_id=None,
        found=[
            ("lagging", [_match(ids[PENDING], PENDING, Tier.AUTO),
                         _match(ids[WITHDRAWN], WITHDRAWN, Tier.AUTO)]),
            ("gone", [_match(ids[WITHDRAWN], WITHDRAWN, Tier.AUTO)]),
            ("nothing", []),
            ("exact", [_match(ids[CONFIRMED], CONFIRMED, Tier.AUTO)]),
        ],
        bank_ids={"ncii": bank_id},
    )  # fmt: skip
    states, scan_ids = run_async(_unless_held(pg_engine, [request, request]))
    with session_scope(pg_engine) as session:
        expected = settled_matches(session=session, requests=[request, request])
        assert states == entry_states(session=session, matches=[
            _match(entry_id, "", Tier.AUTO) for entry_id in every
        ])  # fmt: skip
    settled, kept, held = sort_out(requests=[request, request], states=states)
    assert (settled, held) == expected[0::2]
    assert len(kept) == len(scan_ids) == 4
    with session_scope(pg_engine) as session:
        rows = session.execute(
            select(ScanRecord.id, ScanRecord.content_id, ScanRecord.verdict)
            .where(ScanRecord.id.in_(scan_ids))
            .order_by(ScanRecord.id)
        ).all()
        tiers = session.execute(
            select(ScanMatch.scan_id, ScanMatch.entry_id, ScanMatch.tier)
            .where(ScanMatch.scan_id.in_(scan_ids))
            .order_by(ScanMatch.scan_id)
        ).all()
    assert [(r.id, r.content_id, r.verdict.value) for r in rows] == [
        (scan_ids[0], "lagging", "review"),
        (scan_ids[1], "exact", "auto_action"),
        (scan_ids[2], "lagging", "review"),
        (scan_ids[3], "exact", "auto_action"),
    ]
    assert [(t.entry_id, t.tier) for t in tiers] == [
        (ids[PENDING], "review"), (ids[CONFIRMED], "auto"),
    ] * 2  # fmt: skip

    with session_scope(pg_engine) as session:
        case = Case(
            reference="CS-AAAA-BBBB-CCCC",
            pin_digest="x",
            status=CaseStatus.CONFIRMED,
            request_types=["depicted_person"],
            received_at=utcnow(),
            filed_by="portal",
        )
        session.add(case)
        session.flush()
        session.add(CaseHash(entry_id=ids[CONFIRMED], case_id=case.id))
    with session_scope(pg_engine) as session:
        before = session.scalar(select(func.count()).select_from(ScanRecord))
        states, scan_ids = run_async(_unless_held(pg_engine, [request]))
        assert states[ids[CONFIRMED]].held
        assert scan_ids == []
        assert session.scalar(select(func.count()).select_from(ScanRecord)) == before


def test_an_uploaders_content_id_is_kept_as_sent(pg_engine: Engine) -> None:
    """The content id is the uploader's text: quotes, backslashes, braces, commas, SQL and
    JSON syntax and any script travel as data through the batch's JSON rows."""
    hostile = ['a"b\\c', "{1,2}", "x'); DROP TABLE scan_records; --", '"}]', "ü\u2028😀", ""]
    with session_scope(pg_engine) as session:
        ids = _entries(session)
        bank_id = session.scalars(select(BankEntry.bank_id)).first()
    assert bank_id is not None
    request = Scans(
        api_key_id=None,
        found=[
            (content_id, [_match(ids[CONFIRMED], CONFIRMED, Tier.AUTO)]) for content_id in hostile
        ],
        bank_ids={"ncii": bank_id},
    )
    _, scan_ids = run_async(_unless_held(pg_engine, [request]))
    with session_scope(pg_engine) as session:
        kept = session.scalars(
            select(ScanRecord.content_id).where(ScanRecord.id.in_(scan_ids)).order_by(ScanRecord.id)
        ).all()
    assert kept == hostile
