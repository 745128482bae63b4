"""Account errors as types."""

from __future__ import annotations

from http import HTTPStatus

from consentry.core.errors import DomainError


class AccountError(DomainError):
    slug = "invalid-account-request"


class SetupFailed(AccountError):
    """A one-time setup link that cannot set this password."""

    slug = "setup-failed"


class ApiKeyNotFound(AccountError):
    status = HTTPStatus.NOT_FOUND
    slug = "not-found"

    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key with id {key_id}")
