"""Secrets the service must read back (TOTP seeds, webhook signing secrets), sealed at
rest with the deployment's key (F20), so that a database dump or backup alone does not
let anyone sign in as staff or forge webhooks.

The key is `CONSENTRY_SECRETS_KEY` (a Fernet key) or the file
`$CONSENTRY_DATA_DIR/secrets.key`, made 0600 on first use. Values written before
sealing existed are read as they are and sealed when next written. Lose the key and the
sealed values are gone: staff enrol their authenticators again, webhooks get new
secrets.
"""

from __future__ import annotations

import os
from contextlib import suppress
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from consentry.config import Settings, get_settings
from consentry.db.keyfiles import write_private

PREFIX = "sealed:v1:"
ENV = "CONSENTRY_SECRETS_KEY"

_fernet: Fernet | None = None


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
    global _fernet
    _fernet = Fernet(_key_of(settings))


def _cipher() -> Fernet:
    if _fernet is None:
        use_settings(get_settings())
    assert _fernet is not None
    return _fernet


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
