"""Statements of reasons for the uploader (DSA Art. 17, NT-02): issued once the content
is down (AC-03, AC-09), specific to the item, never naming the requester (PR-07)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from consentry.actions.models import ActionRequest
from consentry.actions.outbox import enqueue_webhook
from consentry.cases.access import new_pin
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, Item, Statement
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.sealed import keyed_digest

STATEMENT_VERSION = "consentry-sor/1"


def code_digest(code: str) -> str:
    """Keyed with the deployment's sealing key, so a stolen table cannot be checked
    against guesses offline (F20)."""
    return keyed_digest(code.strip().upper())


def code_matches(code: str, digest: str) -> bool:
    """Statements issued before keyed digests hold a plain SHA-256; both still count."""
    normal = code.strip().upper()
    plain = hashlib.sha256(normal.encode()).hexdigest()
    return any(secrets.compare_digest(d, digest) for d in (code_digest(normal), plain))


def statement_body(
    *,
    reference: str,
    item: Item,
    automated_detection: bool,
    automated_decision: bool,
    issued_at: datetime,
    appeal_until: datetime,
    settings: Settings,
) -> dict[str, Any]:
    """The Art. 17(3) fields (a) to (f), for one item."""
    source = "own_initiative" if item.found_by == "scan" else "notice"
    if source == "notice":
        facts = (
            "We received a notice that this content is an intimate image shared without the"
            " consent of the person it depicts. A member of our staff reviewed the notice and"
            " found that the content falls under our intimate image abuse policy."
        )
    else:
        facts = (
            "This content matched the hash of an image that we had already confirmed, after a"
            " notice and human review, as an intimate image shared without consent."
        )
    return {
        "version": STATEMENT_VERSION,
        "reference": reference,
        "content_id": item.content_id,
        "measure": {"action": "removal", "territorial_scope": "global", "duration": "indefinite"},
        "facts": facts,
        "source": source,
        "automated_detection": automated_detection,
        "automated_decision": automated_decision,
        "legal_ground": settings.legal_ground,
        "contractual_ground": settings.terms_ground,
        "redress": {
            "internal_complaint": f"{settings.public_url.rstrip('/')}/appeal",
            "complaint_until": appeal_until.isoformat(),
            "out_of_court": settings.dispute_settlement,
        },
        "issued_at": issued_at.isoformat(),
    }


def issue_statement(
    *,
    session: Session,
    case: Case,
    item: Item,
    action: ActionRequest,
    settings: Settings,
    now: datetime,
) -> Statement:
    """Store the statement and send it to the platform, which relays it to the uploader
    with the appeal code (kept only as a digest here)."""
    reference = f"SR-{secrets.token_hex(6).upper()}"
    code = new_pin()
    appeal_until = now + timedelta(days=settings.appeal_window_days)
    body = statement_body(
        reference=reference,
        item=item,
        automated_detection=item.found_by == "scan",
        automated_decision=action.automated,
        issued_at=now,
        appeal_until=appeal_until,
        settings=settings,
    )
    statement = Statement(
        reference=reference,
        case_id=case.id,
        item_id=item.id,
        appeal_code_digest=code_digest(code),
        body=body,
        issued_at=now,
        appeal_until=appeal_until,
    )
    session.add(statement)
    session.flush()
    append(
        session=session,
        case=case,
        kind=EventKind.STATEMENT_SENT,
        actor=SYSTEM,
        details={"statement_id": statement.id, "item_id": item.id, "version": STATEMENT_VERSION},
    )
    enqueue_webhook(
        session=session,
        event="statement.issued",
        data={"action_id": action.id, "statement": body, "appeal_code": code},
    )
    return statement
