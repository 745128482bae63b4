"""Writing matched scans: their records and every match, for a whole batch of requests
in as few round trips as the database allows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import Session

from consentry.banks.models import EntryStatus
from consentry.cases.copies import EntryState, states_of
from consentry.db.base import utcnow
from consentry.matching.schemas import Match, Tier
from consentry.scans.models import ScanMatch, ScanRecord
from consentry.scans.schemas import Verdict


@dataclass(frozen=True, slots=True)
class Scans:
    """One request's scans: for each upload, its content id and what the matcher found."""

    api_key_id: int | None
    found: Sequence[tuple[str | None, list[Match]]]
    bank_ids: dict[str, int]


Kept = Sequence[tuple[Scans, str | None, list[Match]]]


def verdict_of(matches: Sequence[Match]) -> Verdict:
    if not matches:
        return Verdict.NO_MATCH
    if any(m.tier is Tier.AUTO for m in matches):
        return Verdict.AUTO_ACTION
    return Verdict.REVIEW


def record_scans(*, session: Session, scans: Kept) -> list[int]:
    """Keep matched scans with every match (the case workflow acts on them); their ids,
    in order."""
    if session.get_bind().dialect.name == "postgresql":
        return _record_postgresql(session, scans)
    ids = list(
        session.scalars(
            insert(ScanRecord).returning(ScanRecord.id, sort_by_parameter_order=True),
            [_record(request, content_id, matches) for request, content_id, matches in scans],
        )
    )
    session.execute(
        insert(ScanMatch),
        [
            {"scan_id": scan_id, **_match(request, m)}
            for scan_id, (request, _, matches) in zip(ids, scans, strict=True)
            for m in matches
        ],
    )
    return ids


def _record(request: Scans, content_id: str | None, matches: list[Match]) -> dict[str, Any]:
    return {
        "api_key_id": request.api_key_id,
        "content_id": content_id,
        "verdict": verdict_of(matches),
        "created_at": utcnow(),
    }


def _match(request: Scans, m: Match) -> dict[str, Any]:
    return {
        "entry_id": m.entry_id,
        "bank_id": request.bank_ids[m.bank],
        "signal_type": m.signal_type,
        "distance": m.distance,
        "threshold": m.threshold,
        "variant": m.variant,
        "tier": m.tier.value,
        "windows": m.windows,
        "region": m.region,
        "video": m.video,
    }


# One statement for records and matches alike: the records' ids are drawn from their
# sequence first, so the matches can name them. Every round trip to the server counts
# when concurrent scans share one writer.
_INSERTS = """
records AS (
    INSERT INTO scan_records (id, api_key_id, content_id, verdict, created_at)
    SELECT id, api_key_id, content_id, verdict, CAST(:now AS timestamptz) FROM scans
), matches AS (
    INSERT INTO scan_matches (scan_id, entry_id, bank_id, signal_type, distance, threshold,
                              variant, tier, windows, region, video)
    SELECT scans.id, m.entry_id, m.bank_id, m.signal_type, m.distance, m.threshold,
           m.variant, m.tier, m.windows, CAST(m.region AS json), CAST(m.video AS json)
    FROM given AS m JOIN scans ON scans.n = m.n
)"""
_MATCHES = """
    SELECT * FROM json_to_recordset(CAST(:matches AS json))
    AS m(n integer, entry_id bigint, bank_id integer, signal_type varchar, distance integer,
         threshold integer, variant varchar, tier varchar, windows integer, region text,
         video text)"""
_SCANS = """
    json_to_recordset(CAST(:scans AS json))
    AS s(n integer, api_key_id integer, content_id varchar, verdict varchar)"""

# Statements assembled from the constant parts above (no input is formatted in: every
# value is a bound parameter).
_POSTGRESQL = text(f"""
WITH given AS ({_MATCHES}
), scans AS MATERIALIZED (
    SELECT s.n, nextval(pg_get_serial_sequence('scan_records', 'id')) AS id,
           s.api_key_id, s.content_id, s.verdict
    FROM {_SCANS}
), {_INSERTS}
SELECT id FROM scans ORDER BY n
""")  # noqa: S608

_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]

# The entries' states (`cases.copies.states_of`) read in the same statement, and S2
# applied there: matches of entries no longer matchable dropped, `auto` only for
# confirmed ones, a scan kept only if a match is left. Nothing is written when a
# confirmed case holds a kept match: its found copies go in one transaction with it.
_STATES = str(
    states_of().compile(
        dialect=_DIALECT,
        compile_kwargs={"literal_binds": True},
    )
)
_UNLESS_HELD = text(f"""
WITH states AS MATERIALIZED (
    {_STATES} WHERE bank_entries.id = ANY(CAST(:entry_ids AS bigint[]))
), given AS MATERIALIZED (
    SELECT m.n, m.entry_id, m.bank_id, m.signal_type, m.distance, m.threshold, m.variant,
           CASE WHEN m.tier = :auto AND states.status <> :confirmed THEN :review
                ELSE m.tier END AS tier,
           m.windows, m.region, m.video, states.held
    FROM ({_MATCHES}) AS m JOIN states ON states.id = m.entry_id
    WHERE states.status = ANY(CAST(:matchable AS varchar[]))
), verdicts AS (
    SELECT n, CASE WHEN bool_or(tier = :auto) THEN :auto_action ELSE :review END AS verdict
    FROM given GROUP BY n
), scans AS MATERIALIZED (
    SELECT s.n, nextval(pg_get_serial_sequence('scan_records', 'id')) AS id,
           s.api_key_id, s.content_id, verdicts.verdict
    FROM {_SCANS} JOIN verdicts ON verdicts.n = s.n
    WHERE NOT EXISTS (SELECT FROM given WHERE held)
), {_INSERTS}
SELECT 0 AS part, id, NULL AS n, status, held, label FROM states
UNION ALL
SELECT 1, id, n, NULL, NULL, NULL FROM scans
""")  # noqa: S608


# In psycopg's placeholders, for its own connection (`record_unless_held`).
_UNLESS_HELD_PSYCOPG = str(_UNLESS_HELD.compile(dialect=_DIALECT))


def _json(value: Any) -> str:
    return json.dumps(value)  # `null` for none, as the ORM writes a JSON column


def _parameters(scans: Kept) -> dict[str, Any]:
    """The scans and their matches as two JSON documents (rows for `json_to_recordset`):
    one parameter each, which psycopg sends and the server reads faster than a column
    array apiece."""
    records, matches = [], []
    for n, (request, content_id, ms) in enumerate(scans):
        record = _record(request, content_id, ms)
        records.append(
            {
                "n": n,
                "api_key_id": record["api_key_id"],
                "content_id": record["content_id"],
                "verdict": record["verdict"].value,
            }
        )
        for m in ms:
            match = _match(request, m)
            match |= {"n": n, "region": _json(match["region"]), "video": _json(match["video"])}
            matches.append(match)
    return {"scans": json.dumps(records), "matches": json.dumps(matches), "now": utcnow()}


def _record_postgresql(session: Session, scans: Kept) -> list[int]:
    return list(session.scalars(_POSTGRESQL, _parameters(scans)))


async def record_unless_held(
    *, connection: AsyncConnection[Any], requests: Sequence[Scans]
) -> tuple[dict[int, EntryState], list[int]]:
    """PostgreSQL, one statement (one round trip) for a batch of requests: the matched
    entries' states, as `entry_states` reads them, and unless a confirmed case holds a
    match left after S2, the records and matches of the scans still matched (their ids
    in order, as `record_scans` of `settled_matches`' scans gives them). On psycopg's
    own connection (autocommit): the hot path of matched scans, where SQLAlchemy's
    session and the greenlet under its asynchronous API cost more than the statement."""
    scans = [(r, content_id, ms) for r in requests for content_id, ms in r.found if ms]
    parameters = _parameters(scans)
    parameters |= {
        "entry_ids": sorted({m.entry_id for _, _, ms in scans for m in ms}),
        "matchable": [status.value for status in EntryStatus if status.matchable],
        "confirmed": EntryStatus.CONFIRMED.value,
        "auto": Tier.AUTO.value,
        "review": Tier.REVIEW.value,
        "auto_action": Verdict.AUTO_ACTION.value,
    }
    states: dict[int, EntryState] = {}
    ids: list[tuple[int, int]] = []
    cursor = await connection.execute(_UNLESS_HELD_PSYCOPG, parameters)
    for part, entry_or_scan, n, status, held, label in await cursor.fetchall():
        if part == 0:
            states[entry_or_scan] = EntryState(status, held, label)
        else:
            ids.append((n, entry_or_scan))
    return states, [scan_id for _, scan_id in sorted(ids)]
