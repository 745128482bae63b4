"""The appeals queue: its own list, oldest first; leads decide (AP-06: not the person who
took the decision appealed against, which the appeal service enforces)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from consentry.cases.appeals import decide_appeal
from consentry.cases.errors import CaseError
from consentry.cases.models import Outcome
from consentry.db.session import session_scope
from consentry.review.queue import pending_appeals
from consentry.review.web import REVIEWERS, Reviewer, Staff, console_staff, refuse, render

router = APIRouter(include_in_schema=False)


AppealChange = Annotated[Staff, Depends(console_staff(*REVIEWERS, form_fields=8))]


@router.get("/console/appeals", response_class=HTMLResponse)
async def appeals_page(request: Request, staff: Reviewer) -> Response:

    def load() -> list[dict[str, Any]]:
        with session_scope(request.app.state.engine) as session:
            return [
                {
                    "id": appeal.id,
                    "reference": case.reference,
                    "appellant": appeal.appellant,
                    "grounds": appeal.grounds.replace("_", " "),
                    "filed_at": appeal.filed_at,
                    "case_status": case.status,
                }
                for appeal, case in pending_appeals(session=session, viewer=staff.viewer)
            ]

    appeals = await run_in_threadpool(load)
    return render(request, "appeals.html", staff.context(title="Appeals", appeals=appeals))


@router.post("/console/appeals/{appeal_id}", response_class=HTMLResponse)
async def appeal_decision(request: Request, appeal_id: int, staff: AppealChange) -> Response:
    form = await request.form(max_files=0, max_fields=8)
    outcome = str(form.get("outcome") or "")
    if outcome not in {o.value for o in Outcome} or not 0 < appeal_id < 2**63:
        return refuse(request, staff, "Choose whether the appeal is upheld or rejected.", 422)

    def apply() -> None:
        with session_scope(request.app.state.engine) as session:
            decide_appeal(
                session=session,
                appeal_id=appeal_id,
                outcome=Outcome(outcome),
                user=staff.user,
                settings=request.app.state.settings,
            )

    try:
        await run_in_threadpool(apply)
    except CaseError as error:
        return refuse(request, staff, error.message, error.status)
    return RedirectResponse("/console/appeals", status_code=HTTPStatus.SEE_OTHER)
