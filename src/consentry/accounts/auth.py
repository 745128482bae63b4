"""Bearer API keys with scopes: one dependency per scope keeps routes a few lines long.
The `KeyGate` (verified-key cache and per-key rate limits) is built once per worker by
the service (`consentry.api.parts`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from consentry.accounts.models import Role, Scope, User
from consentry.accounts.rate_limits import SYNC_SECONDS, Limit, RateLimiter
from consentry.accounts.routes import current_staff
from consentry.accounts.service import KeyIdentity, digest_of, record_use, verify_api_key
from consentry.api.parts import part
from consentry.api.problems import Problem
from consentry.config import Settings
from consentry.core.actor import Actor
from consentry.core.jobs import PeriodicJob
from consentry.db.base import utcnow
from consentry.db.session import session_scope

# A revoked key stops working within this many seconds in every worker.
KEY_CACHE_SECONDS = 2.0
KEY_USE_FLUSH_SECONDS = 30.0
EXPORT_BUCKET = "banks:export"
staff_cookie = APIKeyCookie(
    name="consentry_session",
    auto_error=False,
    scheme_name="StaffSession",
    description="A signed-in staff member (POST /auth/login); changes need X-CSRF-Token.",
)
StaffCookie = Annotated[str | None, Security(staff_cookie)]
bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer cst_…`")


class KeyCache:
    """Verified keys, by digest, for a few seconds: a database read per request is too slow."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._entries: dict[str, tuple[float, KeyIdentity | None]] = {}
        self._used: set[int] = set()
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, KeyIdentity | None]:
        """(found, identity) from the cache alone: no database read."""
        entry = self._entries.get(digest_of(key))
        if entry is None or entry[0] <= time.monotonic():
            return False, None
        if entry[1] is not None:
            self._used.add(entry[1].id)
        return True, entry[1]

    def verify(self, key: str) -> KeyIdentity | None:
        """The key's identity, from the cache or the database (a blocking read)."""
        found, identity = self.cached(key)
        if found:
            return identity
        with session_scope(self.engine) as session:
            identity = verify_api_key(session=session, key=key)
        with self._lock:
            if len(self._entries) > 10_000:  # unknown keys must not grow this without bound
                self._entries.clear()
            self._entries[digest_of(key)] = (time.monotonic() + KEY_CACHE_SECONDS, identity)
        if identity is not None:
            self._used.add(identity.id)
        return identity

    def flush_use(self) -> None:
        """Write last-use times of the keys seen since the last flush."""
        with self._lock:
            used, self._used = self._used, set()
        if used:
            with session_scope(self.engine) as session:
                record_use(session=session, key_ids=sorted(used), at=utcnow())


class KeyGate:
    """What a worker checks an API key against: the key cache and the rate limits."""

    def __init__(self, *, settings: Settings, engine: Engine, read_engine: Engine) -> None:
        self.settings = settings
        # Reads never queue behind SQLite's write lock (BEGIN IMMEDIATE is for writers).
        self.keys = KeyCache(read_engine)
        self.limiter = RateLimiter(engine)

    def limit_for(self, bucket: str) -> Limit:
        settings = self.settings
        if bucket == Scope.SCAN.value:
            return Limit(settings.rate_limit_scan_per_minute, 60)
        if bucket == EXPORT_BUCKET:
            return Limit(settings.rate_limit_export_per_hour, 3600)
        return Limit(settings.rate_limit_per_minute, 60)

    def jobs(self) -> list[PeriodicJob]:
        return [
            PeriodicJob("rate-limits", SYNC_SECONDS, self.limiter.sync),
            PeriodicJob("key-use", KEY_USE_FLUSH_SECONDS, self.keys.flush_use, final=True),
        ]


def _unauthorised(detail: str) -> Problem:
    return Problem(
        HTTPStatus.UNAUTHORIZED, "unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
    )


def enforce_limit(request: Request, identity: KeyIdentity, bucket: str) -> None:
    """429 once the key has used its requests in this bucket's current window."""
    gate = part(request, KeyGate)
    retry_after = gate.limiter.check(identity.id, bucket, gate.limit_for(bucket))
    if retry_after is not None:
        raise Problem(
            HTTPStatus.TOO_MANY_REQUESTS,
            "rate-limited",
            f"this API key made too many {bucket} requests; retry in {retry_after:.0f} s",
            headers={"Retry-After": str(int(retry_after))},
        )


async def _key_with(
    request: Request, credentials: HTTPAuthorizationCredentials | None, scopes: set[Scope]
) -> KeyIdentity:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorised("an API key is needed: send Authorization: Bearer <key>")
    keys = part(request, KeyGate).keys
    # Async, so that the common case (a cached key) costs no hop to a worker thread.
    found, identity = keys.cached(credentials.credentials)
    if not found:
        identity = await run_in_threadpool(keys.verify, credentials.credentials)
    if identity is None:
        raise _unauthorised("the API key is not valid, or was revoked")
    held = scopes & identity.scopes
    if not held:
        wanted = " or ".join(repr(s.value) for s in sorted(scopes))
        raise Problem(HTTPStatus.FORBIDDEN, "forbidden", f"this API key lacks the scope {wanted}")
    assert isinstance(identity, KeyIdentity)
    enforce_limit(request, identity, min(held).value)
    return identity


def require(scope: Scope) -> Callable[..., Awaitable[KeyIdentity]]:
    """A dependency admitting API keys holding `scope` (401 without a key, 403 without it)."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> KeyIdentity:
        return await _key_with(request, credentials, {scope})

    return dependency


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls: a staff member (signed in) or a machine (an API key)."""

    actor: Actor  # as the audit log records them
    user: User | None = None
    key: KeyIdentity | None = None


def _staff_with(request: Request, roles: frozenset[Role]) -> Caller:
    user, _ = current_staff(request)
    if Role(user.role) not in roles:
        wanted = ", ".join(sorted(r.value for r in roles))
        raise Problem(HTTPStatus.FORBIDDEN, "forbidden", f"this needs the role {wanted}")
    return Caller(Actor.user(user.id), user=user)


def staff(*roles: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting signed-in staff of these roles only (never an API key)."""

    async def dependency(request: Request, cookie: StaffCookie) -> Caller:
        # `cookie` is declared so the OpenAPI document names the scheme; `current_staff`
        # reads it (and checks CSRF) itself.
        return await run_in_threadpool(_staff_with, request, frozenset(roles))

    return dependency


def staff_or_key(scopes: set[Scope], *roles: Role) -> Callable[..., Awaitable[Caller]]:
    """An API key holding one of `scopes`, or else signed-in staff of these roles."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        cookie: StaffCookie,
    ) -> Caller:
        if credentials is not None or cookie is None:
            identity = await _key_with(request, credentials, scopes)
            return Caller(Actor.key(identity.id), key=identity)
        return await run_in_threadpool(_staff_with, request, frozenset(roles))

    return dependency


ScanKey = Annotated[KeyIdentity, Depends(require(Scope.SCAN))]
BanksReader = Annotated[KeyIdentity, Depends(require(Scope.BANKS_READ))]
BanksWriter = Annotated[KeyIdentity, Depends(require(Scope.BANKS_WRITE))]
NoticeWriter = Annotated[KeyIdentity, Depends(require(Scope.NOTICES_WRITE))]
AppealWriter = Annotated[KeyIdentity, Depends(require(Scope.APPEALS_WRITE))]
ActionAcker = Annotated[KeyIdentity, Depends(require(Scope.ACTIONS_ACK))]
FeedReader = Annotated[KeyIdentity, Depends(require(Scope.FEED_READ))]
ContentWriter = Annotated[KeyIdentity, Depends(require(Scope.CONTENT_WRITE))]
CaseDecider = Annotated[
    Caller, Depends(staff_or_key({Scope.CASES_DECIDE}, Role.REVIEWER, Role.LEAD))
]
Lead = Annotated[Caller, Depends(staff(Role.LEAD))]
Admin = Annotated[Caller, Depends(staff(Role.ADMIN))]
