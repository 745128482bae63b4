"""Matches named for people: the label of the bank image each one belongs to."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from consentry.banks.records import labels_of
from consentry.matching.schemas import Match


def labelled(*, session: Session, matches: list[Match]) -> list[Match]:
    """The matches with their entry group's label (one query, none without groups)."""
    labels = labels_of(session=session, group_ids={m.group for m in matches if m.group})
    return [replace(m, label=labels.get(m.group)) if m.group else m for m in matches]
