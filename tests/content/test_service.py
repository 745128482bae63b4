"""Registering content hashes: new ones added, those held left, each key's own."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.content.models import ContentHash
from consentry.content.service import register
from consentry.core.actor import SYSTEM


def _key(session: Session, name: str) -> int:
    key, _ = create_api_key(actor=SYSTEM, session=session, name=name, scopes=[Scope.SCAN])
    return key.id


def test_held_triples_are_found_however_often_registration_runs(session: Session) -> None:
    """psycopg prepares a statement run five times on a connection, and PostgreSQL then
    plans it without the values: what a key holds must still be found each time."""
    mine, theirs = _key(session, "platform-a"), _key(session, "platform-b")
    held: list[tuple[str, str, str]] = []
    for round_ in range(8):
        fresh = [(f"post-{round_}-{n}", "pdq", f"{round_:02x}{n:062x}") for n in range(40)]
        # The same post with another hash is new; one held is not.
        items = fresh + held[-25:] + [(f"post-{round_}-0", "pdq", "ff" * 32)]
        assert register(session=session, api_key_id=mine, items=items) == (
            41,
            min(25, len(held)),
        )
        held += fresh
    # Another key's content is its own: the same triples are new to it.
    assert register(session=session, api_key_id=theirs, items=held[:10]) == (10, 0)
    assert session.scalar(select(func.count()).select_from(ContentHash)) == 8 * 41 + 10


def test_nothing_to_register_registers_nothing(session: Session) -> None:
    assert register(session=session, api_key_id=_key(session, "platform-a"), items=[]) == (0, 0)
