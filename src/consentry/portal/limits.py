"""Rate limits on the portal (IN-40) that never silently drop a victim's request.

Too many requests from one network within an hour are refused with a page that says
when to come back and who else can file. Many requests naming one contact are all
accepted, and the case is flagged for senior review within the same clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from consentry.db.upsert import upsert_insert
from consentry.portal.models import PortalCount, PortalKey

KEEP_SECONDS = 2 * 86_400


@dataclass(frozen=True, slots=True)
class Window:
    bucket: str
    seconds: int


NETWORK = Window("network", 3600)
CONTACT = Window("contact", 86_400)


def _key(session: Session) -> bytes:
    session.execute(
        upsert_insert(session, PortalKey)
        .values(id=1, key=secrets.token_bytes(32))
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return session.get_one(PortalKey, 1).key


def count_request(*, session: Session, window: Window, subject: str) -> tuple[int, int]:
    """Count one request from `subject`: (requests in this window, seconds until it ends)."""
    now = time.time()
    start = int(now // window.seconds) * window.seconds
    digest = hmac.new(_key(session), f"{window.bucket}:{subject}".encode(), hashlib.sha256)
    values = {
        "bucket": window.bucket,
        "digest": digest.hexdigest(),
        "window_start": start,
    }
    session.execute(
        upsert_insert(session, PortalCount)
        .values(**values, count=1)
        .on_conflict_do_update(
            index_elements=["bucket", "digest", "window_start"],
            set_={"count": PortalCount.count + 1},
        )
    )
    count = session.scalar(select(PortalCount.count).filter_by(**values))
    session.execute(delete(PortalCount).where(PortalCount.window_start < now - KEEP_SECONDS))
    return int(count or 0), max(1, int(start + window.seconds - now))
