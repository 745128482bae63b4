"""The content index over HTTP: a platform registers what it holds, and removes it when
the content goes. Matching happens in the background (`content.finder`): a hash
confirmed later finds these copies, and content registered later is checked against
the banks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from consentry.accounts.auth import ContentWriter
from consentry.content.schemas import ContentBatch, ContentRemoval, Registered, Removed
from consentry.content.service import register, remove
from consentry.db.session import session_scope

router = APIRouter(prefix="/v1/content", tags=["content index"])


@router.post("/batch")
async def register_content(request: Request, key: ContentWriter, body: ContentBatch) -> Registered:
    """Register up to 1,000 pieces of content, each its `content_id` and one or more
    hashes (`pdq`, `sha256`, `md5`). Kept only while registered, seen only by this key,
    never exported. Every bank value that matches one (now or once confirmed later) is
    a found copy: removal requested for an exact match of a confirmed request's hash,
    review for a near one, and a `content.matched` webhook either way."""
    items = [(item.content_id, kind, value) for item in body.items for kind, value in item.values()]

    def store() -> tuple[int, int]:
        with session_scope(request.app.state.engine) as session:
            return register(session=session, api_key_id=key.id, items=items)

    added, unchanged = await run_in_threadpool(store)
    return Registered(added=added, unchanged=unchanged)


@router.post("/batch/delete")
async def remove_content(request: Request, key: ContentWriter, body: ContentRemoval) -> Removed:
    """Remove up to 1,000 content ids from the index (every hash of each): the content
    is gone from the platform. Unknown ids are ignored."""

    def drop() -> int:
        with session_scope(request.app.state.engine) as session:
            return remove(session=session, api_key_id=key.id, content_ids=body.content_ids)

    return Removed(removed=await run_in_threadpool(drop))
