"""Every domain's tables, imported in one place for migrations and `create_all` in tests."""

from consentry.accounts.models import (
    ApiKey,
    LoginFailure,
    RateWindow,
    SetupToken,
    StaffSession,
    User,
)
from consentry.actions.models import ActionRequest, OutboxMessage, WebhookEndpoint
from consentry.audit.models import AuditEvent
from consentry.banks.models import Bank, BankChange, BankEntry
from consentry.cases.models import (
    Appeal,
    Case,
    CaseHash,
    CasePersonal,
    CyberTiplineReport,
    Deadline,
    DeadlineMark,
    Item,
    Notice,
    PinFailure,
    Statement,
)
from consentry.evidence.models import Preservation, PreservedCopy
from consentry.portal.models import PortalCount, PortalKey
from consentry.retention.models import Tombstone
from consentry.review.models import Claim, Comment, Exposure, ReviewerPreferences
from consentry.scans.models import ScanCounter, ScanMatch, ScanRecord
from consentry.transparency.models import TdbSubmission

__all__ = [
    "ActionRequest",
    "ApiKey",
    "Appeal",
    "AuditEvent",
    "Bank",
    "BankChange",
    "BankEntry",
    "Case",
    "CaseHash",
    "CasePersonal",
    "Claim",
    "Comment",
    "CyberTiplineReport",
    "Deadline",
    "DeadlineMark",
    "Exposure",
    "Item",
    "LoginFailure",
    "Notice",
    "OutboxMessage",
    "PinFailure",
    "PortalCount",
    "PortalKey",
    "Preservation",
    "PreservedCopy",
    "RateWindow",
    "ReviewerPreferences",
    "ScanCounter",
    "ScanMatch",
    "ScanRecord",
    "SetupToken",
    "StaffSession",
    "Statement",
    "TdbSubmission",
    "Tombstone",
    "User",
    "WebhookEndpoint",
]
