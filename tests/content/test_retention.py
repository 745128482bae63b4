"""Content index hashes are kept while registered; with a retention period, no longer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.config import Settings
from consentry.content.models import ContentAction, ContentChange, ContentHash
from consentry.content.service import register
from consentry.core.actor import SYSTEM
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.retention.purge import purge_due


def test_content_hashes_expire_only_when_the_operator_says(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        key, _ = create_api_key(
            actor=SYSTEM, session=session, name="p", scopes=[Scope.CONTENT_WRITE]
        )
        items = [("post-1", "pdq", "a5" * 32), ("post-1", "md5", "ab" * 16)]
        assert register(session=session, api_key_id=key.id, items=items) == (2, 0)
    later = utcnow() + timedelta(days=400)
    kept = Settings(data_dir=tmp_path)
    with session_scope(engine) as session:
        assert purge_due(session=session, settings=kept, now=later) == {}
    expiring = Settings(data_dir=tmp_path, retention_content_days=30)
    with session_scope(engine) as session:
        assert purge_due(session=session, settings=expiring, now=utcnow()) == {}
        assert purge_due(session=session, settings=expiring, now=later) == {"content": 2}
    with session_scope(engine) as session:
        assert session.scalars(select(ContentHash)).all() == []
        removed = session.scalars(
            select(ContentChange.action).where(ContentChange.action == ContentAction.REMOVED)
        )
        assert len(removed.all()) == 2
