"""The platform's decision on a matched upload (`POST /v1/scans/{id}/outcome`): kept with
the scan, and sent back as feedback to the exchange a matched value came from."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session

from consentry.accounts.auth import ScanKey
from consentry.core.errors import DomainError
from consentry.db.session import session_scope
from consentry.scans.models import Outcome, ScanOutcome, ScanRecord

router = APIRouter(prefix="/v1", tags=["scans"])


class ScanNotFound(DomainError):
    status = HTTPStatus.NOT_FOUND
    slug = "scan-not-found"

    def __init__(self) -> None:
        super().__init__("no matched scan with this id was made with this API key")


def record_outcome(
    *, session: Session, scan_id: int, api_key_id: int, outcome: Outcome
) -> ScanOutcome:
    """Only the key that made the scan speaks for it (another platform's key cannot)."""
    scan = session.get(ScanRecord, scan_id)
    if scan is None or scan.api_key_id != api_key_id:
        raise ScanNotFound()
    decided = ScanOutcome(scan_id=scan_id, outcome=outcome)
    session.add(decided)
    session.flush()
    return decided


class OutcomeIn(BaseModel):
    outcome: Outcome


class OutcomeOut(BaseModel):
    scan_id: int
    outcome: Outcome


@router.post(
    "/scans/{scan_id}/outcome",
    response_model=OutcomeOut,
    responses={404: {"description": "No matched scan with this id made with this key."}},
)
async def post_outcome(
    request: Request,
    scan_id: Annotated[int, Path(ge=1, le=2**62)],
    body: OutcomeIn,
    key: ScanKey,
) -> OutcomeOut:
    """What the platform decided about a matched upload: `blocked` (removed, or never
    published) or `not_blocked` (looked at; not what the hash stands for). Where a
    matched value came from an exchange (a hub, StopNCII), the decision goes back to it
    as feedback at the next sync."""

    def store() -> None:
        with session_scope(request.app.state.engine) as session:
            record_outcome(
                session=session, scan_id=scan_id, api_key_id=key.id, outcome=body.outcome
            )

    await run_in_threadpool(store)
    return OutcomeOut(scan_id=scan_id, outcome=body.outcome)
