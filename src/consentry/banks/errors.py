"""What can go wrong with banks and entries, as types."""

from __future__ import annotations


class BankError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BankNotFound(BankError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no bank named {name!r}")


class BankExists(BankError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a bank named {name!r} already exists")


class EntryNotFound(BankError):
    def __init__(self, bank: str, signal_type: str) -> None:
        super().__init__(f"bank {bank!r} holds no such {signal_type} value")


class StatusConflict(BankError):
    """A change that the entry's status forbids (withdrawn and revoked are final)."""


class InvalidBankSetting(BankError):
    pass
