"""Reviewer wellbeing by default (MW-*): media blurred and grey until a deliberate
reveal, per-reviewer settings over the organisation's defaults, and a count of what
each reviewer was exposed to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from consentry.cases.events import EventKind, append
from consentry.cases.models import Case
from consentry.config import Settings
from consentry.db.base import utcnow
from consentry.review.models import Exposure, ReviewerPreferences


@dataclass(frozen=True, slots=True)
class MediaSettings:
    blur: bool
    greyscale: bool
    blur_is_own: bool
    greyscale_is_own: bool


def media_settings(*, session: Session, user_id: int, settings: Settings) -> MediaSettings:
    own = session.get(ReviewerPreferences, user_id)
    blur = own.blur if own and own.blur is not None else settings.console_blur_previews
    grey = (
        own.greyscale if own and own.greyscale is not None else settings.console_greyscale_previews
    )
    return MediaSettings(
        blur=blur,
        greyscale=grey,
        blur_is_own=bool(own and own.blur is not None),
        greyscale_is_own=bool(own and own.greyscale is not None),
    )


def set_media_settings(
    *, session: Session, user_id: int, blur: bool | None, greyscale: bool | None
) -> None:
    """None returns a setting to the organisation's default."""
    own = session.get(ReviewerPreferences, user_id)
    if own is None:
        own = ReviewerPreferences(user_id=user_id)
        session.add(own)
    own.blur, own.greyscale = blur, greyscale
    session.flush()


def record_reveal(*, session: Session, case: Case, item_id: int, user_id: int) -> None:
    """A reviewer chose to see a preview: counted for them, and a case event."""
    today = utcnow().date()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Exposure)
        .values(user_id=user_id, day=today, count=1)
        .on_conflict_do_update(
            index_elements=["user_id", "day"], set_={"count": Exposure.count + 1}
        )
    )
    append(
        session=session,
        case=case,
        kind=EventKind.CONTENT_VIEWED,
        actor=f"user:{user_id}",
        details={"item_id": item_id},
    )


def exposures_today(*, session: Session, user_id: int) -> int:
    count = session.scalar(
        select(Exposure.count).where(Exposure.user_id == user_id, Exposure.day == utcnow().date())
    )
    return int(count or 0)
