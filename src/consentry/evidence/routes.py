"""Preserved copies over HTTP: the platform supplies one (when the operator allows it),
a lead reads it back for a stated purpose; both are case events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from consentry.accounts.auth import ActionAcker, Lead
from consentry.api.params import RowId
from consentry.cases.preservation import open_copy, store_copy
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.session import session_scope

router = APIRouter(prefix="/v1", tags=["evidence"])


class CopyOut(BaseModel):
    preservation_id: int
    size: int
    sha256: str
    md5: str


@router.put(
    "/actions/{action_id}/preserved-copy",
    status_code=201,
    response_model=CopyOut,
    responses={403: {"description": "Keeping copies is off (the default)."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def put_copy(request: Request, action_id: RowId, key: ActionAcker) -> CopyOut:
    """Store the removed item's bytes before deleting them, if the operator enabled
    `CONSENTRY_EVIDENCE_COPIES`: encrypted at rest, digests computed now, never replaced."""
    data = await request.body()
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        copy = store_copy(
            session=session,
            action_id=action_id,
            data=data,
            media_type=request.headers.get("content-type", "application/octet-stream"),
            actor=Actor.key(key.id),
            settings=settings,
        )
        return CopyOut(
            preservation_id=copy.preservation_id, size=copy.size, sha256=copy.sha256, md5=copy.md5
        )


@router.get(
    "/preservations/{preservation_id}/copy",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_copy(
    request: Request,
    preservation_id: RowId,
    lead: Lead,
    purpose: Annotated[str, Query(min_length=3, max_length=200)],
) -> Response:
    """A preserved copy, for a lead, with the purpose recorded in the case's audit trail
    and the digest checked on the way out (chain of custody)."""
    settings: Settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        opened = open_copy(
            session=session,
            preservation_id=preservation_id,
            actor=lead.actor,
            purpose=purpose,
            settings=settings,
        )
    return Response(
        opened.data,
        media_type="application/octet-stream",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="preserved-{preservation_id}"',
            "X-Content-SHA256": opened.sha256,
        },
    )
