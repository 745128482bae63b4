"""The content index kept current: every registered hash loaded, then the content log
followed. The copy finder does it for its own index; each content shard for its share."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.content.models import ContentAction, ContentChange, ContentHash
from consentry.matching.share import Share
from consentry.signals.base import SignalIndex, by_kind

_BATCH = 50_000


def log_end(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(ContentChange.seq), 0))) or 0


def load_content(
    *, session: Session, indexes: dict[str, SignalIndex], share: Share | None = None
) -> int:
    """Every registered hash (of a shard: its `share`) into the indexes of its kind; the
    log position they reflect (read first: changes racing the load are applied again,
    harmlessly)."""
    end = log_end(session)
    last = 0
    while True:
        query = select(ContentHash.id, ContentHash.signal_type, ContentHash.value)
        if share is not None:
            query = query.where(share.where(ContentHash.id))
        rows = session.execute(
            query.where(ContentHash.id > last).order_by(ContentHash.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        for kind, ids, values in by_kind(rows):
            indexes[kind].stage(ids, values)
    for index in indexes.values():
        index.commit()
    return end


def follow_content(*, session: Session, indexes: dict[str, SignalIndex], applied: int) -> int:
    """The content log after `applied`, applied to the indexes; the new position."""
    while True:
        changes = session.execute(
            select(ContentChange.seq, ContentChange.content_hash_id, ContentChange.action)
            .where(ContentChange.seq > applied)
            .order_by(ContentChange.seq)
            .limit(_BATCH)
        ).all()
        if not changes:
            return applied
        removed = [i for _, i, action in changes if action == ContentAction.REMOVED]
        for index in indexes.values():
            index.remove(removed)
        added = [i for _, i, action in changes if action != ContentAction.REMOVED]
        rows = session.execute(
            select(ContentHash.id, ContentHash.signal_type, ContentHash.value).where(
                ContentHash.id.in_(added)
            )
        ).all()
        for kind, ids, values in by_kind(rows):
            indexes[kind].add(ids, values)
        applied = changes[-1][0]
