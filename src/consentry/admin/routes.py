"""Administration pages for the `admin` role (which never sees case content).

Each page lists what exists and offers its changes as plain forms; every change goes
through the same service function the CLI and API use, so it lands in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from consentry.accounts import users
from consentry.accounts.errors import AccountError
from consentry.accounts.models import Role, Scope, User
from consentry.accounts.service import create_api_key, list_api_keys, revoke_api_key
from consentry.actions.models import OutboxMessage
from consentry.actions.service import (
    add_endpoint,
    dead_letters,
    disable_endpoint,
    list_endpoints,
    retry_dead_letter,
)
from consentry.api.params import RowId
from consentry.banks.service import count_entries, get_bank, list_banks, update_bank
from consentry.config import Settings
from consentry.core.errors import DomainError
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.exchanges.service import lag_seconds, list_exchanges, list_partners
from consentry.outbound.destinations import allowed_networks
from consentry.review.web import Staff, console_staff, refuse, render

router = APIRouter(prefix="/console/admin", include_in_schema=False)
ADMIN = (Role.ADMIN,)
FAILURES = (DomainError, ValueError)


# Administrators only; a change's form (at most 40 fields) carries the CSRF token.
Admin = Annotated[Staff, Depends(console_staff(*ADMIN))]
AdminChange = Annotated[Staff, Depends(console_staff(*ADMIN, form_fields=40))]


async def _page(
    request: Request,
    staff: Staff,
    template: str,
    title: str,
    load: Callable[[Session], dict[str, Any]],
    **extra: Any,
) -> Response:
    def read() -> dict[str, Any]:
        with session_scope(request.app.state.engine) as session:
            return load(session)

    data = await run_in_threadpool(read)
    return render(request, template, staff.context(title=title, **data, **extra))


async def _change(
    request: Request,
    staff: Staff,
    apply: Callable[[Session, FormData, Staff], str | None],
    back: str,
) -> Response:
    """Apply a form; a value shown once (a new key, a setup link) is rendered at once,
    never put in a URL; otherwise back to the list."""
    form = await request.form()  # parsed (and its size bounded) by `AdminChange`

    def run() -> str | None:
        with session_scope(request.app.state.engine) as session:
            return apply(session, form, staff)

    try:
        once = await run_in_threadpool(run)
    except FAILURES as error:
        return refuse(request, staff, str(error), 422)
    if once:
        return render(
            request, "once.html", staff.context(title="Copy this now", secret=once, back=back)
        )
    return RedirectResponse(back, status_code=HTTPStatus.SEE_OTHER)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", response_class=HTMLResponse)
async def users_page(request: Request, staff: Admin) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {
            "users": session.scalars(select(User).order_by(User.email)).all(),
            "roles": [r.value for r in Role],
        }

    return await _page(request, staff, "admin_users.html", "Users and roles", load)


@router.post("/users")
async def user_create(request: Request, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> str:
        _, token = users.create_user(
            session=session,
            email=str(form.get("email") or ""),
            role=Role(str(form.get("role"))),
            actor=staff.actor,
        )
        return users.setup_link(public_url=_settings(request).public_url, token=token)

    return await _change(request, staff, apply, "/console/admin")


@router.post("/users/{user_id}/{change}")
async def user_change(
    request: Request, user_id: RowId, change: str, staff: AdminChange
) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> None:
        if user_id == staff.user.id:
            raise AccountError("change your own account from the command line")
        if change == "role":
            users.change_role(
                session=session,
                user_id=user_id,
                role=Role(str(form.get("role"))),
                actor=staff.actor,
            )
        elif change == "disable":
            users.disable_user(session=session, user_id=user_id, actor=staff.actor)
        else:
            raise AccountError("unknown change")

    return await _change(request, staff, apply, "/console/admin")


@router.get("/keys", response_class=HTMLResponse)
async def keys_page(request: Request, staff: Admin) -> Response:
    def load(session: Session) -> dict[str, Any]:
        return {"keys": list_api_keys(session=session), "scopes": [s.value for s in Scope]}

    return await _page(request, staff, "admin_keys.html", "API keys", load)


@router.post("/keys")
async def key_create(request: Request, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> str:
        scopes = [Scope(str(s)) for s in form.getlist("scope")]
        _, secret = create_api_key(
            session=session, name=str(form.get("name") or ""), scopes=scopes, actor=staff.actor
        )
        return secret

    return await _change(request, staff, apply, "/console/admin/keys")


@router.post("/keys/{key_id}/revoke")
async def key_revoke(request: Request, key_id: RowId, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> None:
        revoke_api_key(session=session, key_id=key_id, actor=staff.actor)

    return await _change(request, staff, apply, "/console/admin/keys")


@router.get("/banks", response_class=HTMLResponse)
async def banks_page(request: Request, staff: Admin) -> Response:
    def load(session: Session) -> dict[str, Any]:
        banks = list_banks(session=session)
        return {"banks": [(bank, count_entries(session=session, bank=bank)) for bank in banks]}

    return await _page(request, staff, "admin_banks.html", "Banks", load)


@router.post("/banks/{name}")
async def bank_update(request: Request, name: str, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> None:
        update_bank(
            session=session,
            bank=get_bank(session=session, name=name),
            pdq_threshold=int(str(form.get("pdq_threshold"))),
            auto_max_distance=int(str(form.get("auto_max_distance"))),
            enabled=form.get("enabled") == "on",
            actor=staff.actor,
        )

    return await _change(request, staff, apply, "/console/admin/banks")


@router.get("/exchanges", response_class=HTMLResponse)
async def exchanges_page(request: Request, staff: Admin) -> Response:
    """Exchanges this deployment follows (last sync, lag, errors) and the partners that
    follow it; both are changed with `consentry exchange` and `consentry partner`."""

    def load(session: Session) -> dict[str, Any]:
        names = {bank.id: bank.name for bank in list_banks(session=session)}
        now = utcnow()
        return {
            "exchanges": [
                (exchange, names.get(exchange.bank_id, "?"), lag_seconds(exchange, now))
                for exchange in list_exchanges(session=session)
            ],
            "partners": list_partners(session=session),
        }

    return await _page(request, staff, "admin_exchanges.html", "Exchanges", load)


@router.get("/webhooks", response_class=HTMLResponse)
async def webhooks_page(request: Request, staff: Admin) -> Response:
    def load(session: Session) -> dict[str, Any]:
        status = {}
        for endpoint_id, delivered, dead, total in session.execute(
            select(
                OutboxMessage.endpoint_id,
                func.count(OutboxMessage.delivered_at),
                func.count(OutboxMessage.dead_at),
                func.count(),
            )
            .where(OutboxMessage.endpoint_id.is_not(None))
            .group_by(OutboxMessage.endpoint_id)
        ):
            status[endpoint_id] = {
                "delivered": delivered,
                "dead": dead,
                "waiting": total - delivered - dead,
            }
        return {
            "endpoints": list_endpoints(session=session),
            "status": status,
            "dead": dead_letters(session=session, limit=50),
        }

    return await _page(request, staff, "admin_webhooks.html", "Webhooks and delivery", load)


@router.post("/webhooks")
async def webhook_add(request: Request, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> str:
        endpoint = add_endpoint(
            session=session,
            url=str(form.get("url") or "")[:2000],
            allowed=allowed_networks(request.app.state.settings),
            description=str(form.get("description") or "")[:200],
            actor=staff.actor,
        )
        return endpoint.secret

    return await _change(request, staff, apply, "/console/admin/webhooks")


@router.post("/webhooks/{endpoint_id}/disable")
async def webhook_disable(request: Request, endpoint_id: RowId, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> None:
        disable_endpoint(session=session, endpoint_id=endpoint_id, actor=staff.actor)

    return await _change(request, staff, apply, "/console/admin/webhooks")


@router.post("/dead-letters/{message_id}/retry")
async def dead_letter_retry(request: Request, message_id: RowId, staff: AdminChange) -> Response:
    def apply(session: Session, form: FormData, staff: Staff) -> None:
        retry_dead_letter(session=session, message_id=message_id, actor=staff.actor)

    return await _change(request, staff, apply, "/console/admin/webhooks")


@router.get("/clocks", response_class=HTMLResponse)
async def clocks_page(request: Request, staff: Admin) -> Response:
    settings = _settings(request)
    clocks = [
        ("Statutory removal clock", f"{settings.removal_hours} hours", "CONSENTRY_REMOVAL_HOURS"),
        (
            "Other request types",
            f"{settings.internal_target_hours} hours",
            "CONSENTRY_INTERNAL_TARGET_HOURS",
        ),
        (
            "Escalations after a clock starts",
            ", ".join(f"{h} h" for h in settings.escalation_hours),
            "CONSENTRY_ESCALATION_HOURS",
        ),
        ("Appeal window", f"{settings.appeal_window_days} days", "CONSENTRY_APPEAL_WINDOW_DAYS"),
        (
            "Review claim lease",
            f"{settings.claim_lease_minutes} minutes",
            "CONSENTRY_CLAIM_LEASE_MINUTES",
        ),
    ]
    return await _page(
        request, staff, "admin_clocks.html", "Clock settings", lambda session: {"clocks": clocks}
    )
