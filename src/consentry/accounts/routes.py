"""Staff sign-in: setup links, login with TOTP, session cookies with CSRF protection."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from consentry.accounts import users
from consentry.accounts.models import StaffSession, User
from consentry.accounts.schemas import LoginIn, Me, SetupIn, SetupOut
from consentry.accounts.signin import Refusal, refusal, signed_in
from consentry.api.problems import Problem
from consentry.db.session import session_scope

router = APIRouter(prefix="/auth", tags=["accounts"])

COOKIE = "consentry_session"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def secure_cookie(request: Request) -> bool:
    return request.url.scheme == "https" or bool(request.app.state.settings.secure_cookies)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """HttpOnly, SameSite=Strict, Secure behind TLS: the one way a session cookie is set."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=secure_cookie(request),
        path="/",
    )


def current_staff(request: Request) -> tuple[User, StaffSession]:
    """The signed-in user; changes must carry the session's CSRF token (X-CSRF-Token)."""
    with session_scope(request.app.state.engine) as session:
        signed = signed_in(session=session, token=request.cookies.get(COOKIE))
    unsafe = request.method not in _SAFE_METHODS
    why = refusal(
        signed, roles=None, csrf=request.headers.get("x-csrf-token", "") if unsafe else None
    )
    if why is Refusal.SIGN_IN:
        raise Problem(HTTPStatus.UNAUTHORIZED, "unauthorized", "sign in first")
    if why is Refusal.CSRF:
        raise Problem(HTTPStatus.FORBIDDEN, "csrf", "the request lacks this session's CSRF token")
    assert signed is not None
    return signed.user, signed.session


StaffUser = Annotated[tuple[User, StaffSession], Depends(current_staff)]


@router.post("/setup", response_model=SetupOut)
def setup(request: Request, body: SetupIn) -> SetupOut:
    """Set a password with a one-time link's token (sent in the body, never in a URL)."""
    with session_scope(request.app.state.engine) as session:
        result = users.set_password(session=session, token=body.token, password=body.password)
        return SetupOut(email=result.user.email, role=result.user.role, totp_uri=result.totp_uri)


@router.post("/login", response_model=Me)
def login(request: Request, response: Response, body: LoginIn) -> Me:
    """Sign in; sets an HttpOnly, SameSite=Strict session cookie (Secure behind TLS)."""
    engine = request.app.state.engine
    client = request.client.host if request.client else "unknown"
    user = users.authenticate(
        engine=engine, email=body.email, password=body.password, code=body.code, client=client
    )
    with session_scope(engine) as session:
        token, csrf = users.start_session(session=session, user=user)
    signed_in = (token, Me(email=user.email, role=user.role, csrf_token=csrf))
    token, me = signed_in
    set_session_cookie(request, response, token)
    return me


@router.get("/me", response_model=Me)
def me(request: Request, staff: StaffUser) -> Me:
    user, _ = staff
    csrf = users.csrf_of(request.cookies.get(COOKIE, ""))
    return Me(email=user.email, role=user.role, csrf_token=csrf)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, staff: StaffUser) -> None:
    token = request.cookies.get(COOKIE, "")
    with session_scope(request.app.state.engine) as session:
        users.end_session(session=session, token=token)
    response.delete_cookie(COOKIE, path="/")
