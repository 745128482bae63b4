"""The victim portal: explanation, request form, receipt, and status, without an account.

Every page is server-rendered and works as plain form posts; the only script hashes
photos on the person's own device. The PIN travels in form bodies, never in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.responses import Response
from starlette.types import Scope

from consentry.api.pages import content_policy, render_page
from consentry.cases.access import unlock_case
from consentry.cases.appeals import file_requester_appeal
from consentry.cases.clocks import deadlines_of
from consentry.cases.decisions import withdraw
from consentry.cases.errors import AccessThrottled, CaseError, CaseNotFound
from consentry.cases.events import EventKind, append
from consentry.cases.intake import add_information, file_notice
from consentry.cases.models import Case, CaseStatus, Queue
from consentry.cases.notify import SIGNPOSTS
from consentry.cases.validation import usable
from consentry.cases.views import case_view
from consentry.config import Settings
from consentry.core.actor import PORTAL, REQUESTER
from consentry.db.session import session_scope
from consentry.exchanges.feedback import reach
from consentry.portal.forms import MAX_FIELDS, RequestForm
from consentry.portal.messages import negotiate, translator
from consentry.throttle.service import Window, count, minutes, network_of

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
router = APIRouter(include_in_schema=False)

# As the staff pages, plus thumbnails of the person's own photos and the frames of their
# videos (blob: URLs made on the device, never shown) and the hashing worker; no
# connection anywhere, not even to us, from script.
CSP = content_policy(
    images="'self' blob:", connect="'none'", extra="worker-src 'self'; media-src blob:; "
)
# The worker's own policy: a dedicated worker does not inherit the page's.
SCRIPT_CSP = "default-src 'none'; script-src 'self'; connect-src 'none'"


class PortalStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Content-Security-Policy"] = SCRIPT_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


static = PortalStatic(directory=HERE / "static")


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    language = negotiate(request.headers.get("accept-language"))
    settings: Settings = request.app.state.settings
    return render_page(
        templates,
        request,
        template,
        {
            "t": translator(language),
            "language": language,
            "hours": settings.removal_hours,
            "signposts": SIGNPOSTS,
            **context,
        },
        policy=CSP,
        status=status,
    )


# Too many requests from one network within an hour are refused with a page that says
# when to come back and who else can file (IN-40). Many requests naming one contact are
# all accepted, and the case is flagged for senior review within the same clock.
NETWORK = Window("network", 3600)
CONTACT = Window("contact", 86_400)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _form(request: Request) -> FormData:
    # No file part is ever accepted: the page never sends one, and nothing else may.
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """What can be reported, by whom, what happens and by when, how to appeal (IN-01)."""
    return _page(request, "home.html")


@router.get("/request", response_class=HTMLResponse)
def request_page(request: Request) -> HTMLResponse:
    return _page(request, "request.html", form=RequestForm.read(FormData()))


@dataclass
class _Filed:
    reference: str
    pin: str
    due_at: datetime | None
    restricted: bool
    set_aside: int


def _file(request: Request, form: RequestForm) -> _Filed | int:
    """File the request, or the seconds until this network may file again."""
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        sent = count(session=session, window=NETWORK, subject=network_of(_client(request)))
        if sent.count > settings.portal_requests_per_network_hour:
            return sent.retry_after
        notice = form.validated()
        if notice is None:
            return 0
        filed = file_notice(session=session, notice=notice, filed_by=PORTAL, settings=settings)
        case = filed.case
        contact = (notice.contact.email or notice.contact.phone) if notice.contact else None
        if contact:
            by_contact = count(session=session, window=CONTACT, subject=contact.strip().lower())
            if by_contact.count > settings.portal_requests_per_contact_day:
                append(
                    session=session,
                    case=case,
                    kind=EventKind.FLAGGED,
                    actor=PORTAL,
                    details={"signal": "requests_per_contact"},
                )
        deadlines = deadlines_of(session=session, case_id=case.id)
        return _Filed(
            reference=case.reference,
            pin=filed.pin,
            due_at=min((d.due_at for d in deadlines), default=None),
            restricted=case.queue == Queue.RESTRICTED,
            set_aside=sum(1 for h in notice.hashes if not usable(h)),
        )


@router.post("/request", response_class=HTMLResponse)
async def request_submit(request: Request) -> HTMLResponse:
    """A complete request is filed and answered with its receipt; an incomplete one comes
    back with every answer kept and each problem shown at its field (IN-30)."""
    form = RequestForm.read(await _form(request))
    outcome = await run_in_threadpool(_file, request, form)
    if isinstance(outcome, int) and outcome > 0:
        return _page(request, "limited.html", 429, minutes=minutes(outcome))
    if isinstance(outcome, int):
        return _page(request, "request.html", 422, form=form)
    return _page(request, "receipt.html", 201, filed=outcome)


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request) -> HTMLResponse:
    return _page(request, "status_open.html")


@dataclass
class _Access:
    reference: str
    pin: str


def _status(request: Request, access: _Access, action: str, form: RequestForm) -> dict[str, Any]:
    """Open the case with its PIN, carry out `action`, and describe the case afterwards."""
    settings: Settings = request.app.state.settings
    case_id = unlock_case(
        engine=request.app.state.engine,
        reference=access.reference,
        pin=access.pin,
        client=_client(request),
    )
    done = ""
    with session_scope(request.app.state.engine) as session:
        case = session.get_one(Case, case_id)
        if action == "information":
            update = form.update()
            if update is not None and update.model_fields_set - {"request_types"}:
                add_information(
                    session=session, case=case, update=update, actor=REQUESTER, settings=settings
                )
                done = "status.added"
        elif action == "appeal" and form.values["explanation"]:
            file_requester_appeal(
                session=session,
                case=case,
                explanation=form.values["explanation"],
                actor=REQUESTER,
                settings=settings,
            )
            done = "status.appealed"
        elif action == "withdraw" and "confirm" in form.ticked:
            withdraw(session=session, case=case, actor=REQUESTER, settings=settings)
            done = "status.withdrawn_done"
        view = case_view(session=session, case=case)
        shared = reach(session=session, case_id=case.id)
    due = [d.due_at for d in view.deadlines if d.stopped_at is None]
    return {
        "case": view,
        "reach": shared,
        "due_at": min(due, default=None),
        "done": done,
        "can_appeal": view.status == CaseStatus.DECLINED and not view.appeal_pending,
        "can_withdraw": view.status != CaseStatus.WITHDRAWN,
    }


async def _status_response(request: Request, action: str) -> HTMLResponse:
    raw = await _form(request)
    access = _Access(str(raw.get("reference") or "")[:32], str(raw.get("pin") or "")[:64])
    form = RequestForm.read(raw)
    form.ticked |= {"confirm"} if raw.get("confirm") else set()
    try:
        context = await run_in_threadpool(_status, request, access, action, form)
    except AccessThrottled as throttled:
        wait = minutes(throttled.retry_after)
        return _page(request, "status_open.html", 429, error="status.throttled", minutes=wait)
    except CaseNotFound:
        return _page(
            request, "status_open.html", 404, error="status.not_found", reference=access.reference
        )
    except CaseError as error:
        return _page(request, "status_open.html", error.status, failure=error.message)
    if context["done"]:
        form = RequestForm.read(FormData())  # what was sent is in; the fields start empty
    return _page(request, "status.html", access=access, form=form, **context)


@router.post("/status", response_class=HTMLResponse)
async def status_submit(request: Request) -> HTMLResponse:
    return await _status_response(request, "view")


@router.post("/status/{action}", response_class=HTMLResponse)
async def status_action(request: Request, action: str) -> HTMLResponse:
    """Add information, appeal a declined request, or withdraw."""
    if action not in {"information", "appeal", "withdraw"}:
        return _page(request, "status_open.html", 404, error="status.not_found")
    return await _status_response(request, action)
