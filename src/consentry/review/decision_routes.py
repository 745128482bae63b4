"""POST /v1/cases/{reference}/decisions: decisions by API key or by staff session.

It lives with the review console because a member of staff deciding through the API is
bound by the same claims as in the console: someone else's live claim refuses it (409),
and deciding claims the case for the one who decides (F18)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request

from consentry.accounts.auth import CaseDecider
from consentry.cases.decisions import decide
from consentry.cases.routes import staff_case
from consentry.cases.schemas import CaseView, DecisionIn
from consentry.cases.views import case_view
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.review.claims import claim_case

router = APIRouter(prefix="/v1", tags=["cases"])


@router.post(
    "/cases/{reference}/decisions",
    response_model=CaseView,
    responses={409: {"description": "Another reviewer holds the case, or it cannot be decided."}},
)
def post_decision(
    request: Request, reference: str, body: DecisionIn, caller: CaseDecider
) -> CaseView:
    """Confirm (hashes become confirmed, removal is requested), decline with a reason,
    or escalate. Staff (reviewer, lead) or an API key with `cases:decide`."""
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        case = staff_case(session, reference, caller)
        if caller.user is not None:
            claim_case(
                session=session,
                case=case,
                user_id=caller.user.id,
                lease=timedelta(minutes=settings.claim_lease_minutes),
            )
        decide(session=session, case=case, decision=body, actor=caller.actor, settings=settings)
        return case_view(session=session, case=case)
