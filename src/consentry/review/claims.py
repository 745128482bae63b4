"""Claiming a case for review with a lease (issue #6: safe claims).

A claim is one row keyed by the case, written with a single conditional upsert: it
succeeds when nobody holds the case, the lease has run out, or the claimant already
holds it (a renewal). Two reviewers racing for a case therefore cannot both win, on
SQLite (writers serialised) or PostgreSQL (the upsert is atomic). Taking, releasing and
handing over are case events in the audit log; renewals are not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case as when
from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session

from consentry.cases.errors import CaseConflict
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case
from consentry.core.actor import Actor
from consentry.db.base import UTCDateTime, utcnow
from consentry.db.upsert import upsert_insert
from consentry.review.models import Claim, Comment

DEFAULT_LEASE = timedelta(minutes=15)


class CaseHeld(CaseConflict):
    slug = "case-held"

    def __init__(self, expires_at: datetime) -> None:
        super().__init__(
            f"another reviewer holds this case until {expires_at.isoformat(timespec='seconds')}"
        )
        self.expires_at = expires_at


def holder(*, session: Session, case_id: int, now: datetime | None = None) -> Claim | None:
    """The live claim on a case, if any."""
    claim = session.get(Claim, case_id, populate_existing=True)
    if claim is None or claim.expires_at <= (now or utcnow()):
        return None
    return claim


def claim_case(
    *,
    session: Session,
    case: Case,
    user_id: int,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> Claim:
    """Claim (or renew) `case` for `user_id`; raises CaseHeld if someone else holds it."""
    now = now or utcnow()
    previous = holder(session=session, case_id=case.id, now=now)
    values = {"user_id": user_id, "claimed_at": now, "expires_at": now + lease, "note": None}
    statement = upsert_insert(session, Claim).values(case_id=case.id, **values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["case_id"],
            set_={
                "user_id": user_id,
                "expires_at": now + lease,
                # A renewal keeps when the claim began and any hand-over note.
                "claimed_at": when(
                    (Claim.user_id == user_id, Claim.claimed_at),
                    else_=literal(now, UTCDateTime),
                ),
                "note": when((Claim.user_id == user_id, Claim.note), else_=None),
            },
            where=or_(Claim.expires_at <= now, Claim.user_id == user_id),
        )
    )
    claim = session.get_one(Claim, case.id, populate_existing=True)
    if claim.user_id != user_id:
        raise CaseHeld(claim.expires_at)
    if previous is None or previous.user_id != user_id:
        append(
            session=session,
            case=case,
            kind=EventKind.CLAIMED,
            actor=Actor.user(user_id),
            details={"expires_at": claim.expires_at.isoformat()},
        )
    return claim


def release_case(*, session: Session, case: Case, user_id: int) -> bool:
    """Give the case back to the queue; False if `user_id` did not hold it."""
    claim = session.get(Claim, case.id, populate_existing=True)
    if claim is None or claim.user_id != user_id:
        return False
    session.delete(claim)
    session.flush()
    append(session=session, case=case, kind=EventKind.RELEASED, actor=Actor.user(user_id))
    return True


def hand_over(
    *,
    session: Session,
    case: Case,
    from_user: int,
    to_user: int,
    note: str,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> Claim:
    """Pass a held case to another reviewer with a comment; the lease starts afresh."""
    now = now or utcnow()
    claim = holder(session=session, case_id=case.id, now=now)
    if claim is None or claim.user_id != from_user:
        raise CaseConflict("only the reviewer holding a case can hand it over")
    claim.user_id, claim.claimed_at, claim.expires_at = to_user, now, now + lease
    claim.note = note[:2000]
    append(
        session=session,
        case=case,
        kind=EventKind.HANDED_OVER,
        actor=Actor.user(from_user),
        details={"to": str(Actor.user(to_user))},
    )
    return claim


def held_by(*, session: Session, user_id: int, now: datetime | None = None) -> list[int]:
    """Ids of the cases `user_id` holds now."""
    return list(
        session.scalars(
            select(Claim.case_id).where(
                Claim.user_id == user_id, Claim.expires_at > (now or utcnow())
            )
        )
    )


def add_comment(*, session: Session, case: Case, user_id: int, text: str) -> Comment:
    """An internal comment; the audit log records that one was made, not what it says."""
    comment = Comment(case_id=case.id, user_id=user_id, text=text.strip()[:4000])
    session.add(comment)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.COMMENTED,
        actor=Actor.user(user_id),
        details={"comment_id": comment.id},
    )
    return comment
