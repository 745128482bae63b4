"""Bulk decisions: the reviewer picks cases in the queue, sees how many and which, and
confirms; each case is then claimed, decided and released in its own transaction, so
one that another reviewer holds (or that cannot take the decision) is reported, not lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from consentry.cases.decisions import decide
from consentry.cases.errors import CaseError
from consentry.cases.schemas import DecisionIn
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.review.claims import claim_case, release_case
from consentry.review.pages import DECLINES, POLICIES, find_case
from consentry.review.web import REVIEWERS, Staff, console_staff, refuse, render

router = APIRouter(include_in_schema=False)
MAX_CASES = 200
ACTIONS = {"remove": "Remove", "keep": "Keep up", "escalate": "Escalate"}


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _decision(action: str, reason_code: str) -> DecisionIn | None:
    if action == "remove":
        return DecisionIn(decision="confirm", reason=f"{POLICIES[0]} (bulk)")
    if action == "keep" and reason_code in DECLINES:
        return DecisionIn(decision="decline", reason_code=reason_code, reason="bulk decision")
    if action == "escalate":
        return DecisionIn(decision="escalate", reason="bulk decision")
    return None


def _apply(request: Request, staff: Staff, references: list[str], decision: DecisionIn) -> Outcome:
    settings: Settings = request.app.state.settings
    outcome = Outcome()
    for reference in references:
        try:
            with session_scope(request.app.state.engine) as session:
                case = find_case(session, reference, staff)
                claim_case(session=session, case=case, user_id=staff.user.id)
                decide(
                    session=session,
                    case=case,
                    decision=decision,
                    actor=staff.actor,
                    settings=settings,
                )
                release_case(session=session, case=case, user_id=staff.user.id)
            outcome.done.append(reference)
        except CaseError as error:
            outcome.skipped.append((reference, error.message))
    return outcome


def _known(request: Request, staff: Staff, references: list[str]) -> list[str]:
    """The references that name a case this reviewer may see."""
    visible = []
    with session_scope(request.app.state.engine) as session:
        for reference in references:
            try:
                find_case(session, reference, staff)
            except CaseError:
                continue
            visible.append(reference)
    return visible


BulkChange = Annotated[Staff, Depends(console_staff(*REVIEWERS, form_fields=MAX_CASES + 10))]


@router.post("/console/bulk", response_class=HTMLResponse)
async def bulk(request: Request, staff: BulkChange) -> Response:
    """First the preview (count and list, nothing changed); then, confirmed, the decisions."""
    form = await request.form(max_files=0, max_fields=MAX_CASES + 10)
    references = list(dict.fromkeys(str(r)[:32].upper() for r in form.getlist("case")))[:MAX_CASES]
    action = str(form.get("action") or "")
    reason_code = str(form.get("reason_code") or "")
    decision = _decision(action, reason_code)
    if decision is None or not references:
        message = "Choose at least one case and a decision (keeping content up needs a reason)."
        return refuse(request, staff, message, 422, title="Bulk decision")
    references = await run_in_threadpool(_known, request, staff, references)
    if form.get("confirmed") != "yes":
        return render(
            request,
            "bulk.html",
            staff.context(
                title="Confirm a bulk decision",
                references=references,
                action=action,
                action_label=ACTIONS[action],
                reason_code=reason_code,
                reason_label=DECLINES.get(reason_code, ""),
            ),
        )
    outcome = await run_in_threadpool(_apply, request, staff, references, decision)
    return render(
        request,
        "bulk_done.html",
        staff.context(
            title="Bulk decision recorded",
            outcome=outcome,
            action_label=ACTIONS[action],
        ),
        HTTPStatus.OK,
    )
