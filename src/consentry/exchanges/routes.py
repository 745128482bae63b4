"""The hub feed over HTTP: a partner platform reads, with its own key, the banks
published to it, page by signed page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from consentry.accounts.auth import FeedReader
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create
from consentry.exchanges.feed import DEFAULT_PAGE, MAX_PAGE, feed_page
from consentry.exchanges.feedback import MAX_ITEMS, Accepted, FeedbackItem, record_feedback
from consentry.exchanges.models import Feedback
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


class FeedbackIn(BaseModel):
    signal_type: str = Field(max_length=16)
    value: str = Field(max_length=64)
    feedback: Feedback


class FeedbackBatch(BaseModel):
    feedback: list[FeedbackIn] = Field(max_length=MAX_ITEMS)


class FeedbackOut(BaseModel):
    accepted: int
    unknown: int = Field(description="Values this partner was never sent (ignored).")


@router.post("/feed/feedback")
async def send_feedback(request: Request, key: FeedReader, body: FeedbackBatch) -> FeedbackOut:
    """What the partner did with values it was sent (StopNCII's words: `PendingReview`,
    `Blocked`, `NotBlocked`), each item its latest word on one value. The hub shows each
    case's aggregate ("sent to 4 platforms; blocked on 3"), never which platform holds
    what content."""

    def store() -> Accepted:
        items = [FeedbackItem(i.signal_type, i.value, i.feedback) for i in body.feedback]
        with session_scope(request.app.state.engine) as session:
            partner = partner_of_key(session=session, key_id=key.id)
            return record_feedback(
                session=session, partner=partner, items=items, actor=Actor.key(key.id)
            )

    accepted = await run_in_threadpool(store)
    return FeedbackOut(accepted=accepted.accepted, unknown=accepted.unknown)
