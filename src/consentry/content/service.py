"""Registering and removing content hashes. Keyword-only; the caller owns the transaction.

Each key sees only its own content: two platforms on one hub never learn of each
other's content ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from consentry.content.models import ContentAction, ContentChange, ContentHash
from consentry.db.base import utcnow
from consentry.db.lookups import one_each, unnested, unnests


def _held(
    session: Session, api_key_id: int, items: list[tuple[str, str, str]]
) -> set[tuple[str, str, str]]:
    """The (content id, kind, value) triples of `items` this key registered already."""
    if not items:
        return set()
    held = select(ContentHash.content_id, ContentHash.signal_type, ContentHash.value).where(
        ContentHash.api_key_id == api_key_id
    )
    if unnests(session):
        content_ids, kinds, values = (list(column) for column in zip(*items, strict=True))
        sent = unnested("sent", content_id=content_ids, signal_type=kinds, value=values)
        lookup = held.where(
            ContentHash.content_id == sent.c.content_id,
            ContentHash.signal_type == sent.c.signal_type,
            ContentHash.value == sent.c.value,
        )
        rows = session.execute(one_each(sent, lookup))
        return {(c, k, v) for c, k, v in rows}
    triple = tuple_(ContentHash.content_id, ContentHash.signal_type, ContentHash.value)
    found: set[tuple[str, str, str]] = set()
    for start in range(0, len(items), 500):  # bound the statement's parameters
        rows = session.execute(held.where(triple.in_(items[start : start + 500])))
        found.update((c, k, v) for c, k, v in rows)
    return found


def register(
    *,
    session: Session,
    api_key_id: int,
    items: Sequence[tuple[str, str, str]],
    scanned: bool = False,
) -> tuple[int, int]:
    """Register (content id, kind, normalised value) triples; returns (added, unchanged).
    A triple this key registered already is left as it is. `scanned`: the values were
    just matched against the banks by a scan (the copy finder need not look them up)."""
    wanted = dict.fromkeys(items)  # in order, once each
    known = _held(session, api_key_id, list(wanted))
    new = [item for item in wanted if item not in known]
    if new:
        now = utcnow()
        ids = session.scalars(
            insert(ContentHash).returning(ContentHash.id, sort_by_parameter_order=True),
            [
                {
                    "api_key_id": api_key_id,
                    "content_id": content_id,
                    "signal_type": kind,
                    "value": value,
                    "registered_at": now,
                }
                for content_id, kind, value in new
            ],
        ).all()
        _log(session, ids, ContentAction.SCANNED if scanned else ContentAction.ADDED)
    return len(new), len(wanted) - len(new)


def remove(*, session: Session, api_key_id: int, content_ids: Sequence[str]) -> int:
    """Delete every hash of these content ids (this key's); returns how many."""
    ids = session.scalars(
        delete(ContentHash)
        .where(ContentHash.api_key_id == api_key_id, ContentHash.content_id.in_(set(content_ids)))
        .returning(ContentHash.id)
    ).all()
    _log(session, ids, ContentAction.REMOVED)
    return len(ids)


def expire(*, session: Session, before: datetime, limit: int = 10_000) -> int:
    """Delete up to `limit` hashes registered before `before` (retention); how many."""
    ids = session.scalars(
        select(ContentHash.id)
        .where(ContentHash.registered_at < before)
        .order_by(ContentHash.id)
        .limit(limit)
    ).all()
    if ids:
        session.execute(delete(ContentHash).where(ContentHash.id.in_(ids)))
        _log(session, ids, ContentAction.REMOVED)
    return len(ids)


def _log(session: Session, ids: Sequence[int], action: ContentAction) -> None:
    if ids:
        session.execute(
            insert(ContentChange), [{"content_hash_id": i, "action": action} for i in ids]
        )
