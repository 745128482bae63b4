"""Writing matched scans: their records and every match, for a whole batch of requests
in as few round trips as the database allows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

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
_POSTGRESQL = text("""
WITH scans AS MATERIALIZED (
    SELECT s.n, nextval(pg_get_serial_sequence('scan_records', 'id')) AS id,
           s.api_key_id, s.content_id, s.verdict
    FROM unnest(CAST(:n AS integer[]), CAST(:api_key_id AS integer[]),
                CAST(:content_id AS varchar[]), CAST(:verdict AS varchar[]))
         AS s(n, api_key_id, content_id, verdict)
), records AS (
    INSERT INTO scan_records (id, api_key_id, content_id, verdict, created_at)
    SELECT id, api_key_id, content_id, verdict, CAST(:now AS timestamptz) FROM scans
), matches AS (
    INSERT INTO scan_matches (scan_id, entry_id, bank_id, signal_type, distance, threshold,
                              variant, tier, windows, region, video)
    SELECT scans.id, m.entry_id, m.bank_id, m.signal_type, m.distance, m.threshold,
           m.variant, m.tier, m.windows, CAST(m.region AS json), CAST(m.video AS json)
    FROM unnest(CAST(:m_n AS integer[]), CAST(:entry_id AS bigint[]),
                CAST(:bank_id AS integer[]), CAST(:signal_type AS varchar[]),
                CAST(:distance AS integer[]), CAST(:threshold AS integer[]),
                CAST(:variant AS varchar[]), CAST(:tier AS varchar[]),
                CAST(:windows AS integer[]), CAST(:region AS text[]), CAST(:video AS text[]))
         AS m(n, entry_id, bank_id, signal_type, distance, threshold, variant, tier, windows,
              region, video)
    JOIN scans ON scans.n = m.n
)
SELECT id FROM scans ORDER BY n
""")


def _json(value: Any) -> str:
    return json.dumps(value)  # `null` for none, as the ORM writes a JSON column


def _record_postgresql(session: Session, scans: Kept) -> list[int]:
    records = [_record(request, content_id, ms) for request, content_id, ms in scans]
    matches = [(n, _match(request, m)) for n, (request, _, ms) in enumerate(scans) for m in ms]
    columns = ["entry_id", "bank_id", "signal_type", "distance", "threshold", "variant"]
    columns += ["tier", "windows"]
    parameters: dict[str, Any] = {
        "n": list(range(len(records))),
        "api_key_id": [r["api_key_id"] for r in records],
        "content_id": [r["content_id"] for r in records],
        "verdict": [r["verdict"].value for r in records],
        "now": utcnow(),
        "m_n": [n for n, _ in matches],
        **{column: [m[column] for _, m in matches] for column in columns},
        "region": [_json(m["region"]) for _, m in matches],
        "video": [_json(m["video"]) for _, m in matches],
    }
    return list(session.scalars(_POSTGRESQL, parameters))
