"""API keys: creation (the key is returned once), verification by digest, revocation."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consentry.accounts.errors import AccountError, ApiKeyNotFound
from consentry.accounts.models import ApiKey, Scope
from consentry.audit.service import record
from consentry.core.actor import Actor
from consentry.db.base import utcnow

KEY_PREFIX = "cst_"


def digest_of(key: str) -> str:
    # Keys carry 256 random bits, so a fast digest is enough; no salt or slow hash is needed.
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class KeyIdentity:
    """What a verified key may do."""

    id: int
    name: str
    scopes: frozenset[Scope]


def create_api_key(
    *, session: Session, name: str, scopes: Sequence[Scope], actor: Actor
) -> tuple[ApiKey, str]:
    """A new key and its secret, which is never stored and cannot be shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("an API key name is 1-100 characters")
    if not scopes:
        raise AccountError("an API key needs at least one scope")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=secret[:10],
        digest=digest_of(secret),
        scopes=sorted({scope.value for scope in scopes}),
    )
    session.add(key)
    session.flush()
    record(
        session=session,
        actor=actor,
        action="apikey.created",
        subject_type="api_key",
        subject_id=key.id,
        details={"scopes": key.scopes},
    )
    return key, secret


def verify_api_key(*, session: Session, key: str) -> KeyIdentity | None:
    """The identity of an active key, or None (unknown, malformed or revoked)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = session.scalar(
        select(ApiKey).where(ApiKey.digest == digest_of(key), ApiKey.revoked_at.is_(None))
    )
    if row is None:
        return None
    return KeyIdentity(row.id, row.name, frozenset(Scope(s) for s in row.scopes))


def record_use(*, session: Session, key_ids: Sequence[int], at: datetime) -> None:
    """Store last-use times (batched by the caller: not a write per request)."""
    if key_ids:
        session.execute(update(ApiKey).where(ApiKey.id.in_(key_ids)).values(last_used_at=at))


def revoke_api_key(*, session: Session, key_id: int, actor: Actor) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyNotFound(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(
            session=session,
            actor=actor,
            action="apikey.revoked",
            subject_type="api_key",
            subject_id=key.id,
        )
    return key


def list_api_keys(*, session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
