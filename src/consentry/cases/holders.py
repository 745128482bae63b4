"""Which cases hold a hash. A hash two requesters sent belongs to both cases: one
requester's withdrawal, decline or purge must not unblock the other's image."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from consentry.cases.models import Case, CaseHash, CaseStatus

# A case in one of these no longer asks for its hashes to be blocked.
RELEASED = (CaseStatus.WITHDRAWN, CaseStatus.DECLINED)


def _held_by_another(
    session: Session, entry_id: int, case_id: int, status: ColumnElement[bool]
) -> bool:
    other = session.scalar(
        select(CaseHash.case_id)
        .join(Case, Case.id == CaseHash.case_id)
        .where(CaseHash.entry_id == entry_id, CaseHash.case_id != case_id, status)
        .limit(1)
    )
    return other is not None


def held_elsewhere(*, session: Session, entry_id: int, case_id: int) -> bool:
    """Whether a case other than `case_id` that is not withdrawn or declined holds it."""
    return _held_by_another(session, entry_id, case_id, Case.status.not_in(RELEASED))


def withdrawn_elsewhere(*, session: Session, entry_id: int, case_id: int) -> bool:
    """Whether another case holding it was withdrawn (a withdrawal waiting to apply)."""
    return _held_by_another(session, entry_id, case_id, Case.status == CaseStatus.WITHDRAWN)
