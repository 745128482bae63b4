"""The console's plumbing: its templates, its Content-Security-Policy, and signing in.

Console pages are plain forms: every change is a POST carrying the session's CSRF token
in a hidden field, so the core work needs no JavaScript."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.responses import Response

from consentry.accounts import users
from consentry.accounts.models import Role, User
from consentry.accounts.routes import COOKIE, secure_cookie, set_session_cookie
from consentry.accounts.signin import Refusal, SignedIn, refusal, signed_in
from consentry.api.pages import content_policy, render_page
from consentry.api.problems import Answered
from consentry.cases.access import Viewer
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.session import session_scope
from consentry.reports.publish import TEMPLATES as REPORT_TEMPLATES
from consentry.review.casefile import preview_origin
from consentry.review.wellbeing import exposures_today

HERE = Path(__file__).parent
templates = Jinja2Templates(
    directory=[HERE / "templates", HERE.parent / "admin" / "templates", REPORT_TEMPLATES]
)
static = StaticFiles(directory=HERE / "static")
router = APIRouter(include_in_schema=False)
REVIEWERS = (Role.REVIEWER, Role.LEAD)


def policy(settings: Settings, images_from: str | None = None) -> str:
    # Media previews, when configured, come from the platform's preview origin only;
    # a report's charts are SVG data URIs (an <img> runs no script).
    images = " ".join(filter(None, ["'self'", preview_origin(settings), images_from]))
    return content_policy(images=images)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    images_from: str | None = None,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    return render_page(
        templates,
        request,
        template,
        context,
        policy=policy(settings, images_from),
        status=status,
    )


def refuse(
    request: Request, staff: Staff, message: str, status: int, title: str = "Not done"
) -> HTMLResponse:
    """The console's answer when something cannot be done: why, in words, with its status."""
    return render(request, "message.html", staff.context(title=title, message=message), status)


@dataclass(frozen=True, slots=True)
class Staff:
    signed: SignedIn
    exposures: int

    @property
    def user(self) -> User:
        return self.signed.user

    @property
    def csrf(self) -> str:
        return self.signed.csrf

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user.id)

    @property
    def viewer(self) -> Viewer:
        return Viewer.staff(self.user)

    @property
    def is_lead(self) -> bool:
        return Role(self.user.role) is Role.LEAD

    def context(self, **values: Any) -> dict[str, Any]:
        """What every console page shows: who is signed in, their token, their exposure."""
        return {"staff": self, "csrf": self.csrf, **values}


def _signed_in(request: Request) -> Staff | None:
    with session_scope(request.app.state.engine) as session:
        signed = signed_in(session=session, token=request.cookies.get(COOKIE))
        if signed is None:
            return None
        exposures = exposures_today(session=session, user_id=signed.user.id)
        return Staff(signed, exposures)


async def enter(
    request: Request, roles: tuple[Role, ...], form: FormData | None = None
) -> Staff | Response:
    """The signed-in member of staff, or the response that turns them away: a redirect to
    sign in, a 403 for the wrong role, or a 403 for a change without the CSRF token."""
    staff = await run_in_threadpool(_signed_in, request)
    csrf = None if form is None else str(form.get("csrf_token") or "")
    why = refusal(staff.signed if staff else None, roles=roles, csrf=csrf)
    if why is Refusal.SIGN_IN or staff is None:
        return RedirectResponse("/console/login", status_code=HTTPStatus.SEE_OTHER)
    if why is Refusal.ROLE:
        return refuse(request, staff, "Your role cannot open this page.", 403, title="")
    if why is Refusal.CSRF:
        message = "This form has expired: reload the page and try again."
        return refuse(request, staff, message, 403, title="")
    return staff


def console_staff(
    *roles: Role, form_fields: int | None = None
) -> Callable[[Request], Awaitable[Staff]]:
    """A dependency admitting signed-in staff of these roles; with `form_fields`, a change
    whose form (at most that many fields) carries the CSRF token. Anyone else gets the
    redirect or refusal page `enter` gives, before the handler runs."""

    async def dependency(request: Request) -> Staff:
        form = None
        if form_fields is not None:
            # Starlette keeps the parsed form on the request: the handler reads it again.
            form = await request.form(max_files=0, max_fields=form_fields)
        staff = await enter(request, roles, form)
        if isinstance(staff, Response):
            raise Answered(staff)
        return staff

    return dependency


# The console's signed-in staff, as handler parameters (refusals never reach the handler).
Reviewer = Annotated[Staff, Depends(console_staff(*REVIEWERS))]


def home_of(user: User) -> str:
    role = Role(user.role)
    if role is Role.ADMIN:
        return "/console/admin"
    return "/console/admin/report" if role is Role.AUDITOR else "/console"


LOGIN_COOKIE = "consentry_login"


def _login_form(request: Request, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The sign-in form with a fresh token, also set as a SameSite=Strict cookie: a post
    from another site carries neither, so nobody can sign a browser into their own
    account (login CSRF, F23)."""
    token = secrets.token_urlsafe(32)
    response = render(
        request, "login.html", {"title": "Sign in", "login_token": token, **context}, status
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=secure_cookie(request),
        path="/console/login",
    )
    return response


@router.get("/console/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _login_form(request, {})


@router.post("/console/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    email, password, code = (str(form.get(k) or "")[:500] for k in ("email", "password", "code"))
    sent, expected = str(form.get("login_token") or ""), request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(sent, expected):
        message = "This sign-in form has expired or came from another site: please try again."
        return _login_form(request, {"error": message, "email": email}, 403)

    engine = request.app.state.engine
    client = request.client.host if request.client else "unknown"

    def attempt() -> tuple[str, User] | None:
        try:
            user = users.authenticate(
                engine=engine, email=email, password=password, code=code or None, client=client
            )
        except users.LoginFailed:
            return None
        with session_scope(engine) as session:
            token, _ = users.start_session(session=session, user=user)
        return token, user

    try:
        signed = await run_in_threadpool(attempt)
    except users.LoginThrottled as error:
        return _login_form(request, {"error": error.message, "email": email}, 429)
    if signed is None:
        return _login_form(request, {"error": users.LoginFailed().message, "email": email}, 401)
    token, user = signed
    response = RedirectResponse(home_of(user), status_code=HTTPStatus.SEE_OTHER)
    set_session_cookie(request, response, token)
    return response


@router.post("/console/logout")
async def logout(
    request: Request, staff: Annotated[Staff, Depends(console_staff(*Role, form_fields=4))]
) -> Response:
    token = request.cookies.get(COOKIE, "")

    def end() -> None:
        with session_scope(request.app.state.engine) as session:
            users.end_session(session=session, token=token)

    await run_in_threadpool(end)
    response = RedirectResponse("/console/login", status_code=HTTPStatus.SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response
