"""Everything a reviewer sees of one case, context first: the notice, located content
with its matches, the timeline and internal comments. Contact details stay out: the
system writes to the requester, so a reviewer never needs their address."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import User
from consentry.banks.models import Bank
from consentry.cases.access import Viewer
from consentry.cases.events import history
from consentry.cases.models import Case, CasePersonal, Item, Notice
from consentry.cases.related import Related, related_cases
from consentry.cases.schemas import CaseView, ItemOut
from consentry.cases.views import case_view
from consentry.config import Settings
from consentry.review.models import Comment
from consentry.review.timeline import VideoTimeline
from consentry.scans.models import ScanMatch, ScanRecord

# The notice's answers a reviewer is shown, in this order, with their labels.
DETAILS = (
    ("standing", "Standing"),
    ("representative", "Representative"),
    ("grounds", "Grounds"),
    ("intimacy", "What it shows"),
    ("under_18", "Under 18 when made"),
    ("country", "Country"),
    ("explanation", "Explanation"),
    ("good_faith", "Good-faith statement"),
    ("accurate", "Accuracy statement"),
)
# Answers from closed lists, shown in words ("threat_to_share" as "threat to share");
# everything else is what the requester wrote, shown exactly as sent (S3: "@jane_doe").
CODED = frozenset({"standing", "grounds", "intimacy", "under_18"})


@dataclass(frozen=True, slots=True)
class MatchView:
    bank: str
    signal_type: str
    distance: int
    threshold: int
    tier: str
    variant: str
    windows: int  # a window match: windows of the bank image matched
    region: dict[str, float] | None  # where its closest window lies in the upload
    video: dict[str, Any] | None = None  # a video match: both shares, matched time ranges

    @property
    def timeline(self) -> VideoTimeline | None:
        return VideoTimeline.of(self.video) if self.video else None


@dataclass(frozen=True, slots=True)
class Outline:
    """A matched window drawn over the preview: SVG points in the upload's pixels."""

    points: str
    width: float
    height: float

    @classmethod
    def of(cls, region: dict[str, float]) -> Outline | None:
        try:
            x, y, side = float(region["x"]), float(region["y"]), float(region["side"])
            turn = math.radians(float(region["degrees"]))
            width, height = float(region["width"]), float(region["height"])
        except (KeyError, TypeError, ValueError):
            return None
        ux, uy, half = math.cos(turn), math.sin(turn), side / 2
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        points = " ".join(
            f"{x + half * (a * ux - b * uy):.1f},{y + half * (a * uy + b * ux):.1f}"
            for a, b in corners
        )
        return cls(points, width, height)


@dataclass(frozen=True, slots=True)
class ItemView:
    item: ItemOut
    matches: list[MatchView]
    preview_url: str | None
    signals: list[dict[str, Any]]  # detection findings kept with the scan that found it
    # A video: frames of the matched ranges only, (seconds, URL), where previews name a time.
    keyframes: list[tuple[float, str]] = field(default_factory=list)

    @property
    def outline(self) -> Outline | None:
        """The closest window match's region, when the match was of a window."""
        regions = [m.region for m in self.matches if m.region]
        return Outline.of(regions[0]) if regions else None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    actor: str
    kind: str
    details: str


@dataclass(frozen=True, slots=True)
class CommentView:
    at: datetime
    author: str
    text: str


@dataclass
class CaseFile:
    view: CaseView
    notices: list[list[tuple[str, str]]] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    items: list[ItemView] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    comments: list[CommentView] = field(default_factory=list)
    related: list[Related] = field(default_factory=list)


def preview_origin(settings: Settings) -> str | None:
    """The origin previews come from, for the console's Content-Security-Policy."""
    if not settings.preview_url_template:
        return None
    parts = urlsplit(settings.preview_url_template)
    return f"{parts.scheme}://{parts.netloc}"


def _preview(settings: Settings, content_id: str | None, seconds: float = 0) -> str | None:
    if not settings.preview_url_template or not content_id:
        return None
    return settings.preview_url_template.format(
        content_id=quote(content_id, safe=""), seconds=f"{seconds:g}"
    )


def _keyframes(
    settings: Settings, content_id: str | None, matches: list[MatchView]
) -> list[tuple[float, str]]:
    """MW-02: a video is shown as a few frames of what matched, never played; only where
    the preview template names a time (`{seconds}`)."""
    template = settings.preview_url_template or ""
    timelines = [m.timeline for m in matches if m.timeline is not None]
    if "{seconds}" not in template or not timelines or not content_id:
        return []
    return [(t, _preview(settings, content_id, t) or "") for t in timelines[0].keyframe_times()]


def _shown(value: Any, coded: bool = False) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v, coded) for v in value)
    if isinstance(value, dict):
        return ", ".join(
            f"{k}: {_shown(v, coded)}" for k, v in value.items() if v not in (None, "")
        )
    if value is None:
        return ""
    return str(value).replace("_", " ") if coded else str(value)


def _details(data: dict[str, Any]) -> list[tuple[str, str]]:
    shown = [(label, _shown(data.get(key), key in CODED)) for key, label in DETAILS]
    return [(label, value) for label, value in shown if value]


def case_file(*, session: Session, case: Case, settings: Settings, viewer: Viewer) -> CaseFile:
    """The case as `viewer` sees it (related cases they may not see are left out)."""
    casefile = CaseFile(view=case_view(session=session, case=case))
    casefile.related = related_cases(session=session, case_ids=[case.id], viewer=viewer).get(
        case.id, []
    )
    for notice in session.scalars(
        select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)
    ):
        personal = session.get_one(CasePersonal, notice.personal_id)
        data = {**notice.answers, **(personal.data if personal.purged_at is None else {})}
        signature = data.get("signature") or {}
        details = _details(data)
        if signature:
            details.append(
                (
                    "Signed by",
                    f"{signature.get('name', '')} (signed: {_shown(signature.get('signed'))})",
                )
            )
        casefile.notices.append(details)
        casefile.locations.extend(data.get("locations") or [])
    scan_of = dict(
        session.execute(select(Item.id, Item.scan_id).where(Item.case_id == case.id)).all()
    )
    matches: dict[int, list[MatchView]] = {}
    for match, bank_name in session.execute(
        select(ScanMatch, Bank.name)
        .join(Bank, Bank.id == ScanMatch.bank_id)
        .where(ScanMatch.scan_id.in_([s for s in scan_of.values() if s is not None]))
        .order_by(ScanMatch.distance)
    ):
        matches.setdefault(match.scan_id, []).append(
            MatchView(
                bank=bank_name,
                signal_type=match.signal_type,
                distance=match.distance,
                threshold=match.threshold,
                tier=match.tier,
                variant=match.variant,
                windows=match.windows,
                region=match.region,
                video=match.video,
            )
        )
    signals: dict[int, list[dict[str, Any]] | None] = dict(
        session.execute(
            select(ScanRecord.id, ScanRecord.signals).where(
                ScanRecord.id.in_([s for s in scan_of.values() if s is not None])
            )
        ).all()
    )
    casefile.items = []
    for out in casefile.view.items:
        found = matches.get(scan_of.get(out.id) or 0, [])
        casefile.items.append(
            ItemView(
                item=out,
                matches=found,
                preview_url=_preview(settings, out.content_id),
                signals=signals.get(scan_of.get(out.id) or 0) or [],
                keyframes=_keyframes(settings, out.content_id, found),
            )
        )
    casefile.timeline = [
        TimelineEntry(
            at=event.at,
            actor=event.actor,
            kind=event.action.removeprefix("case.").replace("_", " "),
            details=_shown(event.details),
        )
        for event in history(session=session, case_id=case.id)
    ]
    casefile.comments = [
        CommentView(at=comment.at, author=email, text=comment.text)
        for comment, email in session.execute(
            select(Comment, User.email)
            .join(User, User.id == Comment.user_id)
            .where(Comment.case_id == case.id)
            .order_by(Comment.id)
        )
    ]
    return casefile
