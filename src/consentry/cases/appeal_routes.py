"""Appeals over HTTP: relayed by the platform, decided by a lead. (Uploaders without the
platform use the public page, /appeal.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentry.accounts.auth import AppealWriter, Lead
from consentry.api.params import RowId
from consentry.cases.appeals import decide_appeal, file_uploader_appeal
from consentry.cases.models import AppealGround, Outcome
from consentry.cases.schemas import AppealOut
from consentry.cases.views import appeal_out
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.session import session_scope

router = APIRouter(prefix="/v1/appeals", tags=["appeals"])

Explanation = Annotated[str, Field(min_length=1, max_length=5000)]
StatementRef = Annotated[str, Field(min_length=1, max_length=32)]


class PlatformAppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    statement_reference: StatementRef
    content_id: Annotated[str, Field(min_length=1, max_length=200)]
    grounds: AppealGround
    explanation: Explanation


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Outcome


@router.post("", status_code=201, response_model=AppealOut)
def post_platform_appeal(request: Request, body: PlatformAppealIn, key: AppealWriter) -> AppealOut:
    """An uploader's appeal, relayed by the platform with the content ID."""
    with session_scope(request.app.state.engine) as session:
        appeal = file_uploader_appeal(
            session=session,
            statement_reference=body.statement_reference,
            content_id=body.content_id,
            grounds=body.grounds,
            explanation=body.explanation,
            actor=Actor.key(key.id),
        )
        return appeal_out(appeal)


@router.post("/{appeal_id}/decision", response_model=AppealOut)
def post_appeal_decision(
    request: Request, appeal_id: RowId, body: AppealDecisionIn, lead: Lead
) -> AppealOut:
    """Decided by a lead who did not take the decision appealed against; never by a key."""
    settings: Settings = request.app.state.settings
    assert lead.user is not None
    with session_scope(request.app.state.engine) as session:
        appeal = decide_appeal(
            session=session,
            appeal_id=appeal_id,
            outcome=body.outcome,
            user=lead.user,
            settings=settings,
        )
        return appeal_out(appeal)
