"""Cases that concern the same content, for staff only.

Notices never merge (see `cases.intake`), so two people reporting one image have two
cases. Reviewers see them side by side, with why they are related, and decide each on
its own items. A requester is never told that another case exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from consentry.cases.access import Viewer, visible_to
from consentry.cases.models import Case, CaseHash, Item

REASONS = {"url": "same URL", "content_id": "same content ID", "hash": "same hash"}


@dataclass(frozen=True, slots=True)
class Related:
    case_id: int
    reference: str
    status: str
    reasons: tuple[str, ...]


def _pairs(session: Session, case_ids: list[int]) -> Iterable[tuple[int, int, str]]:
    """(case, other case, reason) for every shared URL, content ID or hash."""
    mine, theirs = aliased(Item), aliased(Item)
    for column in ("url", "content_id"):
        statement = (
            select(mine.case_id, theirs.case_id)
            .join(theirs, getattr(theirs, column) == getattr(mine, column))
            .where(
                mine.case_id.in_(case_ids),
                theirs.case_id != mine.case_id,
                getattr(mine, column).is_not(None),
            )
            .distinct()
        )
        for case_id, other_id in session.execute(statement):
            yield case_id, other_id, REASONS[column]
    held, also = aliased(CaseHash), aliased(CaseHash)
    statement = (
        select(held.case_id, also.case_id)
        .join(also, also.entry_id == held.entry_id)
        .where(held.case_id.in_(case_ids), also.case_id != held.case_id)
        .distinct()
    )
    for case_id, other_id in session.execute(statement):
        yield case_id, other_id, REASONS["hash"]


def related_cases(
    *, session: Session, case_ids: Iterable[int], viewer: Viewer
) -> dict[int, list[Related]]:
    """For each case, the other cases naming one of its URLs, content IDs or hashes.
    Only cases `viewer` may list are named."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    reasons: dict[tuple[int, int], set[str]] = {}
    for case_id, other_id, reason in _pairs(session, ids):
        reasons.setdefault((case_id, other_id), set()).add(reason)
    others = {other for _, other in reasons}
    statement = select(Case.id, Case.reference, Case.status).where(
        Case.id.in_(others), visible_to(viewer)
    )
    known = {row.id: row for row in session.execute(statement)}
    found: dict[int, list[Related]] = {}
    for (case_id, other_id), why in sorted(reasons.items()):
        row = known.get(other_id)
        if row is not None:
            found.setdefault(case_id, []).append(
                Related(other_id, row.reference, row.status, tuple(sorted(why)))
            )
    return found
