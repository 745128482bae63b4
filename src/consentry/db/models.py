"""Every domain's tables, imported in one place for migrations and `create_all` in tests."""

from consentry.banks.models import Bank, BankChange, BankEntry

__all__ = ["Bank", "BankChange", "BankEntry"]
