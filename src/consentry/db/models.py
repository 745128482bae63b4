"""Every domain's tables, imported in one place for migrations and `create_all` in tests."""

from consentry.accounts.models import (
    ApiKey,
    LoginFailure,
    RateWindow,
    SetupToken,
    StaffSession,
    User,
)
from consentry.audit.models import AuditEvent
from consentry.banks.models import Bank, BankChange, BankEntry
from consentry.scans.models import ScanCounter, ScanMatch, ScanRecord

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Bank",
    "BankChange",
    "BankEntry",
    "LoginFailure",
    "RateWindow",
    "ScanCounter",
    "ScanMatch",
    "ScanRecord",
    "SetupToken",
    "StaffSession",
    "User",
]
