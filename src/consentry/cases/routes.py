"""Notices and cases over HTTP. The requester's PIN travels in the `X-Case-PIN` header
or the body, never in a URL; the case reference in a path is pseudonymous."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from consentry.accounts.auth import (
    Caller,
    NoticeWriter,
    StaffCookie,
    bearer,
    staff_or_key,
)
from consentry.accounts.models import Role, Scope
from consentry.cases.access import PIN_RECOVERY, Viewer, find_case, unlock_case
from consentry.cases.appeals import file_requester_appeal
from consentry.cases.clocks import deadlines_of
from consentry.cases.decisions import withdraw
from consentry.cases.intake import add_information, file_notice
from consentry.cases.models import Case, Queue
from consentry.cases.notify import MINOR_SIGNPOST, SIGNPOSTS
from consentry.cases.schemas import (
    AppealOut,
    CaseView,
    NoticeIn,
    NoticeUpdate,
    PinIn,
    Receipt,
    RequesterAppealIn,
    WithdrawalOut,
)
from consentry.cases.views import appeal_out, case_view, deadline_out
from consentry.config import Settings
from consentry.core.actor import REQUESTER, Actor
from consentry.db.session import session_scope

router = APIRouter(prefix="/v1", tags=["cases"])

_pin_scheme = APIKeyHeader(
    name="X-Case-PIN",
    auto_error=False,
    scheme_name="CasePin",
    description="The requester's case PIN (or `pin` in the body); never in a URL.",
)
PinHeader = Annotated[str | None, Security(_pin_scheme)]
_reader = staff_or_key({Scope.CASES_DECIDE, Scope.NOTICES_WRITE}, Role.REVIEWER, Role.LEAD)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _requester_case_id(request: Request, reference: str, pin: str | None) -> int:
    """The case the PIN opens."""
    return unlock_case(
        engine=request.app.state.engine, reference=reference, pin=pin, client=_client(request)
    )


def viewer_of(caller: Caller) -> Viewer:
    """The staff member or API key behind an API request, as case access sees them."""
    if caller.user is not None:
        return Viewer.staff(caller.user)
    return Viewer(caller.actor, scopes=frozenset(caller.key.scopes) if caller.key else None)


def staff_case(session: Session, reference: str, caller: Caller) -> Case:
    """The case as staff or an API key may see it (filers: their own; restricted: leads)."""
    return find_case(session=session, reference=reference, viewer=viewer_of(caller))


@router.post(
    "/notices",
    status_code=201,
    response_model=Receipt,
    responses={
        200: {"description": "A repeated Idempotency-Key: the same case, a new PIN."},
        409: {"description": "The Idempotency-Key was used with a different request."},
    },
)
def post_notice(
    request: Request,
    response: Response,
    body: NoticeIn,
    key: NoticeWriter,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=200)] = None,
) -> Receipt:
    """File a removal request. It is stored even when incomplete: the answer lists what
    is missing, field by field, and the 48-hour clock starts once it is valid."""
    with session_scope(request.app.state.engine) as session:
        filed = file_notice(
            session=session,
            notice=body,
            filed_by=Actor.key(key.id),
            settings=_settings(request),
            idempotency_key=idempotency_key,
        )
        case = filed.case
        signposts = list(SIGNPOSTS)
        if case.queue == Queue.RESTRICTED:
            signposts.insert(0, MINOR_SIGNPOST)
        receipt = Receipt(
            reference=case.reference,
            pin=filed.pin,
            status=case.status,
            valid=not filed.missing,
            received_at=case.received_at,
            valid_at=case.valid_at,
            missing=filed.missing,
            warnings=filed.warnings,
            queue=case.queue,
            deadlines=[deadline_out(d) for d in deadlines_of(session=session, case_id=case.id)],
            pin_recovery=PIN_RECOVERY,
            signposts=signposts,
        )
    if filed.replay:
        response.status_code = HTTPStatus.OK
    return receipt


@router.get(
    "/cases/{reference}",
    response_model=CaseView,
    responses={404: {"description": "No case with this reference and PIN."}},
)
async def get_case(
    request: Request,
    reference: str,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    pin: PinHeader,
    session_cookie: StaffCookie,
) -> CaseView:
    """The case's status: for its requester (X-Case-PIN), staff, or an API key."""
    if pin is not None:
        case_id = await run_in_threadpool(_requester_case_id, request, reference, pin)

        def requester_view() -> CaseView:
            with session_scope(request.app.state.engine) as session:
                return case_view(session=session, case=session.get_one(Case, case_id))

        return await run_in_threadpool(requester_view)
    actor = await _reader(request, credentials, session_cookie)

    def staff_view() -> CaseView:
        with session_scope(request.app.state.engine) as session:
            return case_view(session=session, case=staff_case(session, reference, actor))

    return await run_in_threadpool(staff_view)


@router.post("/cases/{reference}/information", response_model=CaseView)
def post_information(
    request: Request, reference: str, body: NoticeUpdate, pin: PinHeader
) -> CaseView:
    """Add information or hashes (e.g. complete an incomplete request)."""
    case_id = _requester_case_id(request, reference, pin or body.pin)
    with session_scope(request.app.state.engine) as session:
        case = session.get_one(Case, case_id)
        add_information(
            session=session,
            case=case,
            update=body,
            actor=REQUESTER,
            settings=_settings(request),
        )
        return case_view(session=session, case=case)


@router.post("/cases/{reference}/withdraw", response_model=WithdrawalOut)
def post_withdraw(
    request: Request, reference: str, pin: PinHeader, body: PinIn | None = None
) -> WithdrawalOut:
    """Withdraw the request: its hashes stop matching everywhere at once."""
    case_id = _requester_case_id(request, reference, pin or (body.pin if body else None))
    settings = _settings(request)
    with session_scope(request.app.state.engine) as session:
        case = session.get_one(Case, case_id)
        withdrawn, kept = withdraw(session=session, case=case, actor=REQUESTER, settings=settings)
        message = f"{withdrawn} hash(es) were withdrawn and no longer match anything."
        if kept:
            message += (
                f" {kept} hash(es) of content we confirmed are kept: the operator has its own"
                " legal duty to stop re-uploads."
            )
        return WithdrawalOut(
            reference=case.reference,
            status=case.status,
            withdrawn_hashes=withdrawn,
            kept_hashes=kept,
            message=message,
        )


@router.post("/cases/{reference}/appeals", status_code=201, response_model=AppealOut)
def post_requester_appeal(
    request: Request, reference: str, body: RequesterAppealIn, pin: PinHeader
) -> AppealOut:
    """Appeal a declined request (AP-04); another member of staff decides."""
    case_id = _requester_case_id(request, reference, pin or body.pin)
    with session_scope(request.app.state.engine) as session:
        case = session.get_one(Case, case_id)
        appeal = file_requester_appeal(
            session=session,
            case=case,
            explanation=body.explanation,
            actor=REQUESTER,
            settings=_settings(request),
        )
        return appeal_out(appeal)
