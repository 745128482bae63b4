"""Fixed-window counters that every throttle shares (portal requests, PIN and sign-in
attempts), and the one definition of "the same client".

A count is taken by one atomic `INSERT … ON CONFLICT DO UPDATE`, so sixty concurrent
attempts on PostgreSQL or SQLite are counted sixty times: a limit never overshoots.
Attempts are counted before the expensive check they guard; a success gives its
attempt back (`refund`), so only failures accumulate.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from consentry.db.base import utcnow
from consentry.db.upsert import upsert_insert
from consentry.throttle.models import ThrottleCount, ThrottleKey

KEEP_SECONDS = 2 * 86_400
IPV6_NETWORK = 64  # one household or phone is given a /64: its addresses are one client


@dataclass(frozen=True, slots=True)
class Window:
    bucket: str
    seconds: int
    limit: int = 0  # attempts allowed in one window, where a caller checks against it


@dataclass(frozen=True, slots=True)
class Count:
    count: int
    retry_after: int  # seconds until the window ends

    def over(self, window: Window) -> bool:
        return self.count > window.limit


def network_of(address: str) -> str:
    """The client as throttles see it: an IPv4 address, or an IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_NETWORK), strict=False))
    return str(parsed)


def _key(session: Session) -> bytes:
    session.execute(
        upsert_insert(session, ThrottleKey)
        .values(id=1, key=secrets.token_bytes(32))
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return session.get_one(ThrottleKey, 1).key


def _row(session: Session, window: Window, subject: str, now: float) -> dict[str, object]:
    digest = hmac.new(_key(session), f"{window.bucket}:{subject}".encode(), hashlib.sha256)
    start = int(now // window.seconds) * window.seconds
    return {"bucket": window.bucket, "digest": digest.hexdigest(), "window_start": start}


def count(*, session: Session, window: Window, subject: str) -> Count:
    """Count one attempt by `subject` in the current window."""
    now = utcnow().timestamp()
    values = _row(session, window, subject, now)
    session.execute(
        upsert_insert(session, ThrottleCount)
        .values(**values, count=1)
        .on_conflict_do_update(
            index_elements=["bucket", "digest", "window_start"],
            set_={"count": ThrottleCount.count + 1},
        )
    )
    counted = session.scalar(select(ThrottleCount.count).filter_by(**values))
    session.execute(delete(ThrottleCount).where(ThrottleCount.window_start < now - KEEP_SECONDS))
    start = int(values["window_start"])  # type: ignore[call-overload]
    return Count(int(counted or 0), max(1, int(start + window.seconds - now)))


Attempt = tuple[Window, str]


def take(*, session: Session, attempts: Sequence[Attempt]) -> int | None:
    """Count one attempt in each (window, subject); the seconds to wait when any window
    is now over its limit, else None."""
    waits = []
    for window, subject in attempts:
        counted = count(session=session, window=window, subject=subject)
        if counted.over(window):
            waits.append(counted.retry_after)
    return max(waits) if waits else None


def give_back(*, session: Session, attempts: Sequence[Attempt]) -> None:
    """A success: its attempts no longer count."""
    for window, subject in attempts:
        refund(session=session, window=window, subject=subject)


def minutes(seconds: int) -> int:
    """A wait as people are told it: whole minutes, at least one."""
    return max(1, -(-seconds // 60))


def refund(*, session: Session, window: Window, subject: str) -> None:
    """Give back an attempt that succeeded."""
    values = _row(session, window, subject, utcnow().timestamp())
    session.execute(
        update(ThrottleCount)
        .where(*(getattr(ThrottleCount, k) == v for k, v in values.items()))
        .where(ThrottleCount.count > 0)
        .values(count=ThrottleCount.count - 1)
    )
