"""Reviewer wellbeing by default (MW-*): media blurred and grey until a deliberate
reveal, per-reviewer settings over the organisation's defaults, and a count of what
each reviewer was exposed to."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import User
from consentry.cases.errors import CaseError
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.db.upsert import upsert_insert
from consentry.review.models import Exposure, ReviewerPreferences

BLUR_STRENGTHS = (8, 16, 24, 40)  # the console's CSS has a class for each


class RevealCapReached(CaseError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "reveal-cap"

    def __init__(self, cap: int) -> None:
        super().__init__(
            f"you have revealed {cap} previews today, the limit set for this service: please"
            " take a break, decide from the match data, or hand the case to a colleague"
        )


@dataclass(frozen=True, slots=True)
class MediaSettings:
    blur: bool
    greyscale: bool
    blur_strength: int
    blur_is_own: bool
    greyscale_is_own: bool
    strength_is_own: bool


def media_settings(*, session: Session, user_id: int, settings: Settings) -> MediaSettings:
    own = session.get(ReviewerPreferences, user_id) or ReviewerPreferences()
    strength = own.blur_strength or settings.console_blur_strength
    return MediaSettings(
        blur=settings.console_blur_previews if own.blur is None else own.blur,
        greyscale=settings.console_greyscale_previews if own.greyscale is None else own.greyscale,
        blur_strength=min(BLUR_STRENGTHS, key=lambda s: abs(s - strength)),
        blur_is_own=own.blur is not None,
        greyscale_is_own=own.greyscale is not None,
        strength_is_own=own.blur_strength is not None,
    )


def set_media_settings(
    *,
    session: Session,
    user_id: int,
    blur: bool | None,
    greyscale: bool | None,
    blur_strength: int | None,
) -> None:
    """None returns a setting to the organisation's default."""
    own = session.get(ReviewerPreferences, user_id)
    if own is None:
        own = ReviewerPreferences(user_id=user_id)
        session.add(own)
    if blur_strength is not None and blur_strength not in BLUR_STRENGTHS:
        raise ValueError(f"blur strength is one of {BLUR_STRENGTHS}")
    own.blur, own.greyscale, own.blur_strength = blur, greyscale, blur_strength
    session.flush()


def record_reveal(*, session: Session, case: Case, item_id: int, user_id: int, cap: int) -> None:
    """A reviewer chose to see a preview: counted for them, and a case event; past the
    day's cap the reveal is refused (MW-04), and the match data stays there to decide on."""
    if exposures_today(session=session, user_id=user_id) >= cap:
        raise RevealCapReached(cap)
    today = utcnow().date()
    session.execute(
        upsert_insert(session, Exposure)
        .values(user_id=user_id, day=today, count=1)
        .on_conflict_do_update(
            index_elements=["user_id", "day"], set_={"count": Exposure.count + 1}
        )
    )
    append(
        session=session,
        case=case,
        kind=EventKind.CONTENT_VIEWED,
        actor=Actor.user(user_id),
        details={"item_id": item_id},
    )


def exposures_today(*, session: Session, user_id: int) -> int:
    count = session.scalar(
        select(Exposure.count).where(Exposure.user_id == user_id, Exposure.day == utcnow().date())
    )
    return int(count or 0)


def team_exposures_today(*, session: Session) -> list[tuple[str, int]]:
    """Reveals today per reviewer, for leads (MW-04: in aggregate to managers)."""
    rows = session.execute(
        select(User.email, Exposure.count)
        .join(User, User.id == Exposure.user_id)
        .where(Exposure.day == utcnow().date())
        .order_by(Exposure.count.desc(), User.email)
    )
    return [(email, int(count)) for email, count in rows]
