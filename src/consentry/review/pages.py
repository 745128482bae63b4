"""The review console's pages: the queue, a case (claimed on opening), decisions,
comments, hand-overs, media reveals, and the reviewer's own media settings."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams
from starlette.responses import Response

from consentry.accounts.models import Role, User
from consentry.banks.service import list_banks
from consentry.cases import access
from consentry.cases.decisions import decide, request_information
from consentry.cases.errors import CaseError, CaseNotFound, NotPermitted
from consentry.cases.models import Case, Queue, RequestType
from consentry.cases.schemas import DecisionIn, DeclineReason
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.exchanges.feedback import reach
from consentry.review.casefile import case_file
from consentry.review.claims import (
    CaseHeld,
    add_comment,
    claim_case,
    hand_over,
    held_by,
    holder,
    release_case,
)
from consentry.review.queue import PAGE_SIZE, PRIORITIES, QueueFilters, queue_rows
from consentry.review.web import REVIEWERS, Reviewer, Staff, console_staff, enter, refuse, render
from consentry.review.wellbeing import (
    BLUR_STRENGTHS,
    media_settings,
    record_reveal,
    set_media_settings,
    team_exposures_today,
)

router = APIRouter(include_in_schema=False)

POLICIES = (
    "Intimate image shared without consent",
    "Synthetic or manipulated intimate image",
    "Threat to share intimate images (sextortion)",
    "Intimate image of a possible minor",
)
DECLINES = {
    DeclineReason.NOT_INTIMATE.value: "Not intimate content",
    DeclineReason.NOT_DEPICTED_PERSON.value: "Not the person depicted (nor acting for them)",
    DeclineReason.NOT_LOCATED.value: "The content could not be found",
    DeclineReason.OTHER.value: "Another reason (explain)",
}
MAX_FORM_FIELDS = 300


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def filters_of(query: QueryParams) -> QueueFilters:
    """Filters from the query string; anything unknown is ignored, not an error."""
    queue = query.get("queue") or None
    kind = query.get("request_type") or None
    priority = query.get("priority") or ""
    return QueueFilters(
        queue=queue if queue in {q.value for q in Queue} else None,
        request_type=kind if kind in {t.value for t in RequestType} else None,
        priority=int(priority) if priority.isdigit() and int(priority) in PRIORITIES else None,
        bank=(query.get("bank") or "")[:100] or None,
    )


def find_case(session: Session, reference: str, staff: Staff) -> Case:
    return access.find_case(session=session, reference=reference, viewer=staff.viewer)


CaseChange = Annotated[Staff, Depends(console_staff(*REVIEWERS, form_fields=MAX_FORM_FIELDS))]
SettingsChange = Annotated[Staff, Depends(console_staff(*REVIEWERS, form_fields=8))]


@router.get("/console", response_class=HTMLResponse)
async def queue_page(request: Request, staff: Reviewer) -> Response:
    filters = filters_of(request.query_params)
    page = request.query_params.get("page", "1")
    number = max(1, int(page)) if page.isdigit() and len(page) < 6 else 1

    def load() -> dict[str, Any]:
        with session_scope(request.app.state.engine) as session:
            rows = queue_rows(session=session, viewer=staff.viewer, filters=filters)
            banks = [bank.name for bank in list_banks(session=session)]
        start = (number - 1) * PAGE_SIZE
        return {
            "rows": rows[start : start + PAGE_SIZE],
            "total": len(rows),
            "page": number,
            "pages": max(1, -(-len(rows) // PAGE_SIZE)),
            "banks": banks,
        }

    data = await run_in_threadpool(load)
    return render(
        request,
        "queue.html",
        staff.context(
            title="Review queue",
            filters=filters,
            priorities=PRIORITIES,
            request_types=[t.value for t in RequestType],
            queues=[q.value for q in Queue] if staff.is_lead else [Queue.STANDARD],
            done=(request.query_params.get("done") or "")[:32],
            declines=DECLINES,
            **data,
        ),
    )


def _neighbours(session: Session, staff: Staff, reference: str) -> tuple[str | None, str | None]:
    order = [
        r.reference
        for r in queue_rows(session=session, viewer=staff.viewer, filters=QueueFilters())
    ]
    if reference not in order:
        return None, order[0] if order else None
    at = order.index(reference)
    return (order[at - 1] if at > 0 else None), (order[at + 1] if at + 1 < len(order) else None)


def _claim(request: Request, staff: Staff, reference: str) -> str:
    """Claim the case (giving back any other the reviewer holds); its reference."""
    lease = timedelta(minutes=_settings(request).claim_lease_minutes)
    with session_scope(request.app.state.engine) as session:
        case = find_case(session, reference, staff)
        for other in held_by(session=session, user_id=staff.user.id):
            if other != case.id:
                release_case(
                    session=session, case=session.get_one(Case, other), user_id=staff.user.id
                )
        claim_case(session=session, case=case, user_id=staff.user.id, lease=lease)
        return case.reference


def _open(
    request: Request, staff: Staff, reference: str, revealed: int | None = None
) -> dict[str, Any]:
    """Everything the case page shows; reading a case claims nothing (a GET changes nothing)."""
    settings = _settings(request)
    with session_scope(request.app.state.engine) as session:
        case = find_case(session, reference, staff)
        current = holder(session=session, case_id=case.id)
        holder_email = session.get_one(User, current.user_id).email if current else None
        previous, following = _neighbours(session, staff, case.reference)
        reviewers = session.scalars(
            select(User)
            .where(
                User.role.in_([Role.REVIEWER, Role.LEAD]),
                User.disabled_at.is_(None),
                User.id != staff.user.id,
            )
            .order_by(User.email)
        ).all()
        return {
            "title": f"Case {case.reference}",
            "file": case_file(
                session=session,
                case=case,
                settings=settings,
                viewer=staff.viewer,
            ),
            "claim": current,
            "holder_email": holder_email,
            "mine": current is not None and current.user_id == staff.user.id,
            "previous": previous,
            "next": following,
            "reviewers": [
                (u.id, u.email) for u in reviewers if access.may_see(access.Viewer.staff(u), case)
            ],
            "media": media_settings(session=session, user_id=staff.user.id, settings=settings),
            "revealed": revealed,
            "reach": reach(session=session, case_id=case.id),
            "policies": POLICIES,
            "declines": DECLINES,
        }


def _failure(request: Request, staff: Staff, error: CaseError) -> HTMLResponse:
    return refuse(request, staff, error.message, error.status)


@router.get("/console/cases/{reference}", response_class=HTMLResponse)
async def case_page(request: Request, reference: str, staff: Reviewer) -> Response:
    """The case, read-only until claimed (the Claim button, or Open in the queue: a POST)."""
    try:
        context = await run_in_threadpool(_open, request, staff, reference[:32])
    except CaseError as error:
        return _failure(request, staff, error)
    return render(request, "case.html", staff.context(**context))


def _holding(session: Session, staff: Staff, reference: str) -> Case:
    case = find_case(session, reference, staff)
    current = holder(session=session, case_id=case.id)
    if current is None or current.user_id != staff.user.id:
        raise (CaseHeld(current.expires_at) if current else NotPermitted("claim the case first"))
    return case


def _act(request: Request, staff: Staff, reference: str, form: FormData, action: str) -> str:
    """Carry out one form's action on a case the reviewer holds; where to go next."""
    settings = _settings(request)
    with session_scope(request.app.state.engine) as session:
        case = _holding(session, staff, reference)
        if action == "release":
            release_case(session=session, case=case, user_id=staff.user.id)
            return "/console"
        if action == "handover":
            to_user = str(form.get("to_user") or "")
            note = str(form.get("note") or "").strip()
            if not to_user.isdigit() or not note:
                raise NotPermitted("choose a reviewer and write a comment for them")
            target = session.get(User, int(to_user))
            if target is None or target.role not in (Role.REVIEWER, Role.LEAD):
                raise NotPermitted("hand over to a reviewer or a lead")
            hand_over(
                session=session,
                case=case,
                from_user=staff.user.id,
                to_user=target.id,
                note=note,
                lease=timedelta(minutes=settings.claim_lease_minutes),
            )
            return "/console"
        if action == "comment":
            text = str(form.get("text") or "").strip()
            if text:
                add_comment(session=session, case=case, user_id=staff.user.id, text=text)
            return f"/console/cases/{case.reference}"
        decision = str(form.get("decision") or "")
        reason = str(form.get("reason") or "").strip()[:2000] or None
        if decision == "information":
            message = str(form.get("message") or "").strip()[:2000]
            if not message:
                raise NotPermitted("write what information you need")
            request_information(session=session, case=case, actor=staff.actor, message=message)
            return f"/console/cases/{case.reference}"
        if decision == "remove":
            policy = str(form.get("policy") or "")
            if policy not in POLICIES:
                raise NotPermitted("choose the policy the content breaks")
            chosen = DecisionIn(decision="confirm", reason=f"{policy}. {reason or ''}".strip())
        elif decision == "keep":
            code = str(form.get("reason_code") or "")
            if code not in DECLINES:
                raise NotPermitted("choose why the content stays up")
            chosen = DecisionIn(decision="decline", reason_code=code, reason=reason)
        elif decision == "escalate":
            chosen = DecisionIn(decision="escalate", reason=reason)
        else:
            raise NotPermitted("choose a decision")
        decide(session=session, case=case, decision=chosen, actor=staff.actor, settings=settings)
        release_case(session=session, case=case, user_id=staff.user.id)
        return f"/console?done={case.reference}"


@router.post("/console/cases/{reference}/{action}", response_class=HTMLResponse)
async def case_action(request: Request, reference: str, action: str, staff: CaseChange) -> Response:
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    if action == "reveal":
        return await _reveal(request, staff, reference[:32], form)
    if action == "open":
        try:
            await run_in_threadpool(_claim, request, staff, reference[:32])
        except CaseHeld:
            pass  # the page says who holds it, read-only
        except CaseError as error:
            return _failure(request, staff, error)
        target = f"/console/cases/{quote(reference[:32], safe='')}"
        return RedirectResponse(target, status_code=HTTPStatus.SEE_OTHER)
    if action not in {"release", "handover", "comment", "decide"}:
        return _failure(request, staff, CaseNotFound())
    try:
        target = await run_in_threadpool(_act, request, staff, reference[:32], form, action)
    except CaseError as error:
        return _failure(request, staff, error)
    return RedirectResponse(target, status_code=HTTPStatus.SEE_OTHER)


async def _reveal(request: Request, staff: Staff, reference: str, form: FormData) -> Response:
    """A deliberate reveal of one preview: counted, logged, then shown unblurred once."""
    item = str(form.get("item") or "")
    if not item.isdigit():
        return _failure(request, staff, NotPermitted("choose a preview to reveal"))

    def reveal() -> dict[str, Any]:
        with session_scope(request.app.state.engine) as session:
            case = _holding(session, staff, reference)
            record_reveal(
                session=session,
                case=case,
                item_id=int(item),
                user_id=staff.user.id,
                cap=_settings(request).console_reveals_per_day,
            )
        return _open(request, staff, reference, revealed=int(item))

    try:
        context = await run_in_threadpool(reveal)
    except CaseError as error:
        return _failure(request, staff, error)
    fresh = await enter(request, REVIEWERS)  # the exposure count just went up
    return render(
        request, "case.html", (fresh if isinstance(fresh, Staff) else staff).context(**context)
    )


@router.get("/console/settings", response_class=HTMLResponse)
async def settings_page(request: Request, staff: Reviewer) -> Response:

    def load() -> tuple[Any, list[tuple[str, int]]]:
        with session_scope(request.app.state.engine) as session:
            media = media_settings(
                session=session, user_id=staff.user.id, settings=_settings(request)
            )
            return media, team_exposures_today(session=session) if staff.is_lead else []

    media, team = await run_in_threadpool(load)
    return render(
        request,
        "settings.html",
        staff.context(
            title="Your media settings",
            media=media,
            team=team,
            strengths=BLUR_STRENGTHS,
            cap=_settings(request).console_reveals_per_day,
            saved=request.query_params.get("saved") == "1",
        ),
    )


@router.post("/console/settings")
async def settings_submit(request: Request, staff: SettingsChange) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    choice = {"default": None, "on": True, "off": False}
    strength = str(form.get("blur_strength") or "")

    def save() -> None:
        with session_scope(request.app.state.engine) as session:
            set_media_settings(
                session=session,
                user_id=staff.user.id,
                blur=choice.get(str(form.get("blur") or "default")),
                greyscale=choice.get(str(form.get("greyscale") or "default")),
                blur_strength=int(strength)
                if strength in {str(s) for s in BLUR_STRENGTHS}
                else None,
            )

    await run_in_threadpool(save)
    return RedirectResponse("/console/settings?saved=1", status_code=HTTPStatus.SEE_OTHER)
