"""The figures of a transparency report, computed from the case event log.

Every count comes from audit events of cases (`case.*`) recorded in the period, so a
report can be recomputed and checked against the hash-chained log it came from; only
matches per bank and tier come from the scan records, which keep every match."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentry.audit.checkpoints import document, latest_checkpoint
from consentry.audit.models import AuditEvent
from consentry.banks.models import Bank
from consentry.cases.models import Statement
from consentry.scans.models import ScanMatch, ScanRecord
from consentry.transparency.models import TdbSubmission

SUBJECT = "case"


@dataclass
class Figures:
    start: datetime
    end: datetime
    removal_hours: int
    notices_by_type: Counter[str] = field(default_factory=Counter)
    notices_valid: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    actions_by_kind: Counter[str] = field(default_factory=Counter)
    actions_automated: int = 0
    removals: int = 0
    not_found: int = 0
    hours_to_action: list[float] = field(default_factory=list)
    breaches: int = 0
    appeals_by_appellant: Counter[str] = field(default_factory=Counter)
    appeals_upheld: int = 0
    appeals_rejected: int = 0
    restored: int = 0
    matches_by_bank_tier: Counter[str] = field(default_factory=Counter)
    tdb_by_status: Counter[str] = field(default_factory=Counter)
    hours_to_tdb: list[float] = field(default_factory=list)
    # The latest signed checkpoint of the audit log these figures come from (F10).
    audit_checkpoint: dict[str, Any] | None = None

    @property
    def within_deadline(self) -> int:
        return sum(1 for hours in self.hours_to_action if hours <= self.removal_hours)

    @property
    def actions(self) -> int:
        return sum(self.actions_by_kind.values())

    def percentile(self, share: float) -> float | None:
        if not self.hours_to_action:
            return None
        if share == 0.5:
            return float(statistics.median(self.hours_to_action))
        ordered = sorted(self.hours_to_action)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The days `first` to `last`, both included, as [start, end) instants in UTC."""
    return (
        datetime.combine(first, time(), tzinfo=UTC),
        datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC),
    )


def _events(session: Session, start: datetime, end: datetime) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == SUBJECT, AuditEvent.at >= start, AuditEvent.at < end)
            .order_by(AuditEvent.seq)
        )
    )


def _starts(
    session: Session, case_ids: set[str]
) -> tuple[dict[str, datetime], dict[int, datetime]]:
    """When each case became valid, and when each item found by a scan was located: the
    moments a removal clock starts (the item's own, for copies)."""
    valid: dict[str, datetime] = {}
    located: dict[int, datetime] = {}
    for event in session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == SUBJECT,
            AuditEvent.subject_id.in_(case_ids),
            AuditEvent.action.in_([f"{SUBJECT}.validated", f"{SUBJECT}.content_located"]),
        )
    ):
        if event.action == f"{SUBJECT}.validated":
            at = datetime.fromisoformat(event.details["valid_at"])
            valid[event.subject_id] = min(valid.get(event.subject_id, at), at)
        elif event.details.get("found_by") == "scan":
            located[int(event.details["item_id"])] = event.at
    return valid, located


def compute(*, session: Session, start: datetime, end: datetime, removal_hours: int) -> Figures:
    figures = Figures(start=start, end=end, removal_hours=removal_hours)
    events = _events(session, start, end)
    confirmed = []
    for event in events:
        kind, details = event.action.removeprefix(f"{SUBJECT}."), event.details
        if kind == "received":
            figures.notices_by_type.update(details.get("request_types", []))
        elif kind == "validated":
            figures.notices_valid += 1
        elif kind == "decided":
            reason = details.get("reason_code")
            figures.decisions[
                f"{details['decision']}: {reason}" if reason else details["decision"]
            ] += 1
        elif kind == "action_requested":
            figures.actions_by_kind[details["kind"]] += 1
            figures.actions_automated += bool(details.get("automated"))
        elif kind == "action_confirmed":
            if details["result"] == "done":
                figures.removals += 1
                confirmed.append(event)
            else:
                figures.not_found += 1
        elif kind == "clock_breached" and details.get("regime") == "removal":
            figures.breaches += 1
        elif kind == "appeal_filed":
            figures.appeals_by_appellant[details["appellant"]] += 1
        elif kind == "appeal_decided":
            upheld = details["outcome"] == "upheld"
            figures.appeals_upheld += upheld
            figures.appeals_rejected += not upheld
        elif kind == "content_restored":
            figures.restored += 1
    valid, located = _starts(session, {e.subject_id for e in confirmed})
    for event in confirmed:
        begun = located.get(int(event.details["item_id"])) or valid.get(event.subject_id)
        if begun is not None:
            figures.hours_to_action.append(max(event.at - begun, timedelta(0)) / timedelta(hours=1))
    for bank, tier, count in session.execute(
        select(Bank.name, ScanMatch.tier, func.count())
        .join(Bank, Bank.id == ScanMatch.bank_id)
        .join(ScanRecord, ScanRecord.id == ScanMatch.scan_id)
        .where(ScanRecord.created_at >= start, ScanRecord.created_at < end)
        .group_by(Bank.name, ScanMatch.tier)
    ):
        figures.matches_by_bank_tier[f"{bank} / {tier}"] = int(count)
    for status, issued, submitted in session.execute(
        select(TdbSubmission.status, Statement.issued_at, TdbSubmission.submitted_at)
        .join(Statement, Statement.id == TdbSubmission.statement_id)
        .where(Statement.issued_at >= start, Statement.issued_at < end)
    ):
        figures.tdb_by_status[status] += 1  # TR-08: failed submissions are flagged here
        if submitted is not None:
            figures.hours_to_tdb.append((submitted - issued) / timedelta(hours=1))
    latest = latest_checkpoint(session=session)
    figures.audit_checkpoint = document(latest) if latest is not None else None
    return figures
