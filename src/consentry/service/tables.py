"""Every domain's tables, registered on the metadata in one place: Alembic compares
migrations against it, and the tests empty it between runs."""

from consentry.accounts.models import (
    ApiKey,
    RateWindow,
    SetupToken,
    StaffSession,
    User,
)
from consentry.actions.models import ActionRequest, OutboxMessage, WebhookEndpoint
from consentry.audit.models import AuditCheckpoint, AuditEvent
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
    Preservation,
    PreservedCopy,
    Statement,
)
from consentry.content.models import BackfilledFile, ContentChange, ContentHash, FinderState
from consentry.exchanges.models import Exchange, Partner, PartnerBank, PartnerFeedback
from consentry.retention.models import Tombstone
from consentry.review.models import Claim, Comment, Exposure, ReviewerPreferences
from consentry.scans.models import ScanCounter, ScanMatch, ScanOutcome, ScanRecord
from consentry.throttle.models import ThrottleCount, ThrottleKey
from consentry.transparency.models import TdbSubmission

__all__ = [
    "ActionRequest",
    "ApiKey",
    "Appeal",
    "AuditCheckpoint",
    "AuditEvent",
    "BackfilledFile",
    "Bank",
    "BankChange",
    "BankEntry",
    "Case",
    "CaseHash",
    "CasePersonal",
    "Claim",
    "Comment",
    "ContentChange",
    "ContentHash",
    "CyberTiplineReport",
    "Deadline",
    "DeadlineMark",
    "Exchange",
    "Exposure",
    "FinderState",
    "Item",
    "Notice",
    "OutboxMessage",
    "Partner",
    "PartnerBank",
    "PartnerFeedback",
    "Preservation",
    "PreservedCopy",
    "RateWindow",
    "ReviewerPreferences",
    "ScanCounter",
    "ScanMatch",
    "ScanOutcome",
    "ScanRecord",
    "SetupToken",
    "StaffSession",
    "Statement",
    "TdbSubmission",
    "ThrottleCount",
    "ThrottleKey",
    "Tombstone",
    "User",
    "WebhookEndpoint",
]
