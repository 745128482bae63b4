"""Feedback: what partner platforms did with the hashes a hub sent them.

A platform following a hub (or StopNCII) reports, per hash, StopNCII's values: pending
review (matched, a person decides), blocked (removed), not blocked. Its scan matches of
the values an exchange brought become that feedback at each sync. At the hub, a case
shows how far its hashes went ("sent to 4 platforms; blocked on 3") without naming any
content, on the case page and on the requester's status page. Keyword-only; the caller
owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.audit.service import record
from consentry.banks.models import BankEntry, EntryStatus, SourceKind
from consentry.cases.models import CaseHash
from consentry.core.actor import Actor
from consentry.db.base import utcnow
from consentry.exchanges.feed import partner_bank_ids
from consentry.exchanges.models import (
    Exchange,
    Feedback,
    Partner,
    PartnerBank,
    PartnerFeedback,
)
from consentry.scans.models import Outcome, ScanMatch, ScanOutcome
from consentry.signals.registry import normalise_value

MAX_ITEMS = 10_000
# Which word wins when one case's hashes got different answers from one platform.
_RANK = {Feedback.BLOCKED: 2, Feedback.NOT_BLOCKED: 1, Feedback.PENDING_REVIEW: 0}


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    signal_type: str
    value: str
    feedback: Feedback


@dataclass(frozen=True, slots=True)
class Accepted:
    accepted: int
    unknown: int  # values this partner was never sent


def record_feedback(
    *, session: Session, partner: Partner, items: Sequence[FeedbackItem], actor: Actor
) -> Accepted:
    """A partner's feedback, each item its latest word on a value it was sent."""
    banks = partner_bank_ids(session=session, partner=partner)
    # Only values it was sent: confirmed ones (or any, where pending values are shared).
    sent = [] if partner.share_pending else [BankEntry.confirmed_at.is_not(None)]
    accepted = unknown = 0
    for item in items:
        entry_id = session.scalar(
            select(BankEntry.id).where(
                BankEntry.bank_id.in_(banks),
                BankEntry.signal_type == item.signal_type,
                BankEntry.value == normalise_value(item.signal_type, item.value),
                *sent,
            )
        )
        if entry_id is None:
            unknown += 1
            continue
        held = session.get(PartnerFeedback, (partner.id, entry_id))
        if held is None:
            session.add(
                PartnerFeedback(partner_id=partner.id, entry_id=entry_id, value=item.feedback)
            )
        elif held.value is not item.feedback:
            held.value, held.updated_at = item.feedback, utcnow()
        accepted += 1
    record(
        session=session,
        actor=actor,
        action="partner.feedback",
        subject_type="partner",
        subject_id=partner.id,
        details={"accepted": accepted, "unknown": unknown},
    )
    return Accepted(accepted, unknown)


@dataclass(frozen=True, slots=True)
class Reach:
    """How far a case's hashes went: platforms sent them, and each one's best answer."""

    sent_to: int
    blocked: int
    not_blocked: int
    pending_review: int

    def words(self) -> str:
        if not self.sent_to:
            return "not shared with partner platforms"
        plural = "s" if self.sent_to != 1 else ""
        parts = [f"sent to {self.sent_to} platform{plural}", f"blocked on {self.blocked}"]
        if self.pending_review:
            parts.append(f"in review on {self.pending_review}")
        if self.not_blocked:
            parts.append(f"not blocked on {self.not_blocked}")
        return "; ".join(parts)


def reach(*, session: Session, case_id: int) -> Reach:
    """The reach of a case's hashes, counted per partner platform."""
    entry_ids = list(session.scalars(select(CaseHash.entry_id).where(CaseHash.case_id == case_id)))
    if not entry_ids:
        return Reach(0, 0, 0, 0)
    entries = session.execute(
        select(BankEntry.bank_id, BankEntry.status, BankEntry.confirmed_at).where(
            BankEntry.id.in_(entry_ids)
        )
    ).all()
    sent_banks = {bank for bank, status, confirmed in entries if confirmed is not None}
    pending_banks = {bank for bank, status, _ in entries if status is EntryStatus.PENDING}
    partners = session.execute(
        select(Partner.id, Partner.share_pending, PartnerBank.bank_id)
        .join(PartnerBank, PartnerBank.partner_id == Partner.id)
        .where(Partner.removed_at.is_(None))
    ).all()
    sent_to = {
        pid for pid, share, bank in partners
        if bank in sent_banks or (share and bank in pending_banks)
    }  # fmt: skip
    best: dict[int, Feedback] = {}
    for partner_id, value in session.execute(
        select(PartnerFeedback.partner_id, PartnerFeedback.value).where(
            PartnerFeedback.entry_id.in_(entry_ids), PartnerFeedback.partner_id.in_(sent_to)
        )
    ):
        if partner_id not in best or _RANK[value] > _RANK[best[partner_id]]:
            best[partner_id] = value
    counts = {value: sum(1 for v in best.values() if v is value) for value in Feedback}
    return Reach(
        len(sent_to),
        counts[Feedback.BLOCKED],
        counts[Feedback.NOT_BLOCKED],
        counts[Feedback.PENDING_REVIEW],
    )


# The platform's own decisions, in StopNCII's words.
_DECIDED = {Outcome.BLOCKED: Feedback.BLOCKED, Outcome.NOT_BLOCKED: Feedback.NOT_BLOCKED}


@dataclass(frozen=True, slots=True)
class Outcomes:
    items: list[FeedbackItem]
    matches_through: int  # the last scan match read
    decisions_through: int  # the last platform decision read


def outcomes_to_send(*, session: Session, exchange: Exchange, limit: int = MAX_ITEMS) -> Outcomes:
    """What became of the values this exchange brought, since the last sent: each new
    scan match (automatic: blocked; any other: pending review), then each decision the
    platform recorded on a matched scan (`scans.outcomes`), which overrides the match's."""
    theirs = (
        BankEntry.bank_id == exchange.bank_id,
        BankEntry.source_kind == SourceKind.EXCHANGE,
        BankEntry.source_ref == exchange.name,
    )
    matches = session.execute(
        select(ScanMatch.id, ScanMatch.tier, BankEntry.signal_type, BankEntry.value)
        .join(BankEntry, BankEntry.id == ScanMatch.entry_id)
        .where(ScanMatch.id > exchange.feedback_through, *theirs)
        .order_by(ScanMatch.id)
        .limit(limit)
    ).all()
    decisions = session.execute(
        select(ScanOutcome.id, ScanOutcome.outcome, BankEntry.signal_type, BankEntry.value)
        .join(ScanMatch, ScanMatch.scan_id == ScanOutcome.scan_id)
        .join(BankEntry, BankEntry.id == ScanMatch.entry_id)
        .where(ScanOutcome.id > exchange.outcomes_through, *theirs)
        .order_by(ScanOutcome.id)
        .limit(limit)
    ).all()
    latest: dict[tuple[str, str], Feedback] = {}
    for _, tier, signal_type, value in matches:
        word = Feedback.BLOCKED if tier == "auto" else Feedback.PENDING_REVIEW
        held = latest.get((signal_type, value))
        if held is None or _RANK[word] > _RANK[held]:
            latest[(signal_type, value)] = word
    for _, outcome, signal_type, value in decisions:
        latest[(signal_type, value)] = _DECIDED[outcome]
    return Outcomes(
        [FeedbackItem(kind, value, word) for (kind, value), word in latest.items()],
        int(matches[-1][0]) if matches else exchange.feedback_through,
        int(decisions[-1][0]) if decisions else exchange.outcomes_through,
    )
