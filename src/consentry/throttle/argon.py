"""Argon2 checks of PINs and passwords, a few at a time per process.

Each check costs ~60 ms and 64 MiB by design; 120 guesses at once used to take every
thread of the pool (`/healthz` answered after 30 s). Callers run these after the cheap
throttles and outside any database transaction (on SQLite a writer's transaction holds
the database's one write lock). An unknown account is checked against a dummy digest,
so it costs what a known one does.
"""

from __future__ import annotations

import threading
from functools import cache
from http import HTTPStatus

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from consentry.core.errors import DomainError

CONCURRENCY = 2
WAIT_SECONDS = 5.0

_hasher = PasswordHasher()
_slots = threading.BoundedSemaphore(CONCURRENCY)


@cache
def _dummy() -> str:
    """What an unknown account is checked against (made on first use: a hash costs the
    import of every command ~0.1 s)."""
    return _hasher.hash("consentry-no-such-account")


class VerifierBusy(DomainError):
    """Every slot stayed taken for WAIT_SECONDS: answered 503 with Retry-After."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    slug = "overloaded"

    def __init__(self) -> None:
        super().__init__("too many sign-in or PIN checks are running; try again shortly")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "2"}


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(digest: str | None, secret: str) -> bool:
    """Whether `secret` matches `digest` (None: no such account; still costs a check)."""
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise VerifierBusy()
    try:
        _hasher.verify(digest or _dummy(), secret)
    except (VerificationError, InvalidHashError):
        return False
    finally:
        _slots.release()
    return digest is not None
