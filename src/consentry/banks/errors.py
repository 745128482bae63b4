"""What can go wrong with banks and entries, as types."""

from __future__ import annotations

from http import HTTPStatus

from consentry.core.errors import DomainError


class BankError(DomainError):
    slug = "invalid-bank-request"


class BankNotFound(BankError):
    status = HTTPStatus.NOT_FOUND
    slug = "bank-not-found"

    def __init__(self, name: str) -> None:
        super().__init__(f"no bank named {name!r}")


class BankExists(BankError):
    status = HTTPStatus.CONFLICT
    slug = "conflict"

    def __init__(self, name: str) -> None:
        super().__init__(f"a bank named {name!r} already exists")


class EntryNotFound(BankError):
    def __init__(self, bank: str, signal_type: str) -> None:
        super().__init__(f"bank {bank!r} holds no such {signal_type} value")


class StatusConflict(BankError):
    """A change that the entry's status forbids (withdrawn and revoked are final)."""

    status = HTTPStatus.CONFLICT
    slug = "conflict"


class InvalidBankSetting(BankError):
    pass
