"""The hub feed over HTTP: a partner platform reads, with its own key, the banks
published to it, page by signed page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from consentry.accounts.auth import FeedReader
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create
from consentry.exchanges.feed import DEFAULT_PAGE, MAX_PAGE, feed_page
from consentry.exchanges.service import partner_of_key
from consentry.exchanges.signing import sign

router = APIRouter(prefix="/v1", tags=["exchanges"])


@router.get("/feed")
async def read_feed(
    request: Request,
    key: FeedReader,
    after: Annotated[int, Query(ge=0, le=2**62, description="The `next` of the last page.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> dict[str, Any]:
    """Changes to the banks published to this partner after `after`, each value with its
    current status (`pending` only where the hub shares pending values; `withdrawn` and
    `revoked` are final: stop matching at once). Signed with the hub's Ed25519 key
    (`{"page", "public_key", "signature"}`, over the page as canonical JSON): pin the
    key's fingerprint and refuse pages it did not sign. Read again from `next` while
    `more` is true."""
    settings: Settings = request.app.state.settings

    def page() -> dict[str, Any]:
        with session_scope(request.app.state.engine) as session:
            partner = partner_of_key(session=session, key_id=key.id)
            return feed_page(session=session, partner=partner, after=after, limit=limit)

    content = await run_in_threadpool(page)
    return sign(content, load_or_create(settings.evidence_key_path()))
