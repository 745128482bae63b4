"""Account errors as types."""

from __future__ import annotations


class AccountError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiKeyNotFound(AccountError):
    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key with id {key_id}")
