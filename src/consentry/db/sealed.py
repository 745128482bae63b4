"""Secrets the service must read back (TOTP seeds, webhook signing secrets, and outbox
messages, which carry uploaders' appeal codes until delivered), sealed at rest with the
deployment's key (F20), so that a database dump or backup alone does not let anyone sign
in as staff, forge webhooks or appeal for someone else.

The key is `CONSENTRY_SECRETS_KEY` (a Fernet key) or the file
`$CONSENTRY_DATA_DIR/secrets.key`, made 0600 on first use. Values written before
sealing existed are read as they are and sealed when next written. Lose the key and the
sealed values are gone: staff enrol their authenticators again, webhooks get new
secrets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from contextlib import suppress
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from consentry.config import Settings, get_settings
from consentry.db.keyfiles import write_private

PREFIX = "sealed:v1:"
ENV = "CONSENTRY_SECRETS_KEY"

_fernet: Fernet | None = None
_raw: bytes | None = None


class SealingKeyMissing(Exception):
    pass


def _key_of(settings: Settings) -> bytes:
    from_env = os.environ.get(ENV)
    if from_env:
        return from_env.encode()
    path = settings.data_dir / "secrets.key"
    if not path.exists():
        with suppress(FileExistsError):  # another process made it first: that one is it
            write_private(path, Fernet.generate_key())
    return path.read_bytes().strip()


def use_settings(settings: Settings) -> None:
    """Seal and unseal with this deployment's key from now on, in this process."""
    global _fernet, _raw
    _raw = _key_of(settings)
    _fernet = Fernet(_raw)


def _cipher() -> Fernet:
    _key_bytes()
    assert _fernet is not None
    return _fernet


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 under a key derived from the sealing key."""
    key = hashlib.sha256(b"consentry-digest-v1" + _key_bytes()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _key_bytes() -> bytes:
    if _raw is None:
        use_settings(get_settings())
    assert _raw is not None
    return _raw


def seal(value: str) -> str:
    return PREFIX + _cipher().encrypt(value.encode()).decode()


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before sealing: sealed on its next write
    try:
        return _cipher().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise SealingKeyMissing(
            f"a sealed secret does not open with this key: is {ENV} (or secrets.key in the"
            " data folder) the one it was written with?"
        ) from None


class Sealed(TypeDecorator[str]):
    """A string column stored sealed."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else unseal(str(value))


class SealedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON column stored sealed, as one JSON string; rows written before sealing
    (plain JSON objects) read as they are."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(json.dumps(value, sort_keys=True))

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        if value is None or isinstance(value, dict):
            return value
        loaded: dict[str, Any] = json.loads(unseal(str(value)))
        return loaded
