"""Submitting statements of reasons to the DSA Transparency Database (NT-03).

Every issued statement gets a queue row; due rows are claimed with a lease (so workers
never send one twice at once), sent in batches of up to 100 to `POST /api/v1/statements`
with the bearer token, and counted as submitted only on 201. A row that was tried
before is first looked up by its puid (`GET /api/v1/statement/existing-puid/{puid}`): if
an earlier attempt landed but its answer was lost, it is marked submitted rather than
sent again, so a platform unique ID is never reused."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import jsonschema
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consentry.actions.delivery import backoff
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, Statement
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.base import utcnow
from consentry.db.session import session_scope
from consentry.outbound.destinations import (
    Destination,
    DestinationRefused,
    allowed_networks,
    check,
)
from consentry.transparency.models import SubmissionStatus, TdbSubmission
from consentry.transparency.tdb import puid_of, tdb_statement, validate

log = logging.getLogger(__name__)
BATCH = 100
LEASE = timedelta(minutes=5)


def enqueue_statements(*, session: Session) -> int:
    """A pending row for every statement that has none yet; returns how many were added."""
    known = select(TdbSubmission.statement_id)
    added = 0
    for statement in session.scalars(select(Statement).where(Statement.id.not_in(known))):
        session.add(TdbSubmission(statement_id=statement.id, puid=puid_of(statement)))
        added += 1
    session.flush()
    return added


@dataclass(frozen=True, slots=True)
class Claimed:
    statement_id: int
    puid: str
    retried: bool
    body: dict[str, Any] | None
    invalid: str | None


def _claim(session: Session, settings: Settings, now: datetime) -> list[Claimed]:
    query = (
        select(TdbSubmission)
        .where(
            TdbSubmission.status == SubmissionStatus.PENDING,
            TdbSubmission.next_attempt_at <= now,
        )
        .order_by(TdbSubmission.statement_id)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row in session.scalars(query).all():
        row.next_attempt_at, row.attempts = now + LEASE, row.attempts + 1
        statement = session.get_one(Statement, row.statement_id)
        body = tdb_statement(session=session, statement=statement, settings=settings)
        try:
            validate(body)
            invalid = None
        except jsonschema.ValidationError as error:
            invalid = f"schema: {error.message}"[:500]
        claimed.append(Claimed(row.statement_id, row.puid, row.attempts > 1, body, invalid))
    return claimed


def _headers(settings: Settings) -> dict[str, str]:
    token = settings.tdb_token.get_secret_value() if settings.tdb_token else ""
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }


def _landed(client: httpx.Client, to: Destination, puid: str, settings: Settings) -> bool:
    """Whether an earlier attempt already created this puid at the Database."""
    try:
        found = client.get(
            f"{_base(to)}/api/v1/statement/existing-puid/{puid}",
            headers={**_headers(settings), "Host": to.host_header},
            extensions={"sni_hostname": to.host},
        )
    except httpx.HTTPError:
        return False
    return found.status_code in (200, 302)


def _base(to: Destination) -> str:
    """The configured URL with its host replaced by the address that was checked."""
    return to.connect_url.rstrip("/")


def _send(
    client: httpx.Client, to: Destination, batch: list[Claimed], settings: Settings
) -> str | None:
    """None when the Database created every statement (201), else why not."""
    try:
        answer = client.post(
            f"{_base(to)}/api/v1/statements",
            json={"statements": [c.body for c in batch]},
            headers={**_headers(settings), "Host": to.host_header},
            extensions={"sni_hostname": to.host},
        )
    except httpx.HTTPError as error:
        return type(error).__name__
    if answer.status_code == 201:
        return None
    return f"HTTP {answer.status_code}: {answer.text[:200]}"


def submit_due(*, engine: Engine, settings: Settings) -> int:
    """Submit what is due; returns how many statements the Database accepted."""
    if not settings.tdb_url:
        return 0
    base = settings.tdb_url.rstrip("/")
    with session_scope(engine) as session:
        enqueue_statements(session=session)
        claimed = _claim(session, settings, utcnow())
    if not claimed:
        return 0
    outcomes: dict[int, str | None] = {}
    try:  # the operator's setting, checked like a webhook URL all the same (F8)
        to = check(base, allowed=allowed_networks(settings))
    except DestinationRefused as refused:
        return _record(
            engine, settings, claimed, {row.statement_id: refused.message for row in claimed}
        )
    with httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False) as client:
        batch = []
        for row in claimed:
            if row.invalid:
                outcomes[row.statement_id] = row.invalid
            elif row.retried and _landed(client, to, row.puid, settings):
                outcomes[row.statement_id] = None
            else:
                batch.append(row)
        if batch:
            failure = _send(client, to, batch, settings)
            outcomes.update({row.statement_id: failure for row in batch})
    return _record(engine, settings, claimed, outcomes)


def _record(
    engine: Engine, settings: Settings, claimed: list[Claimed], outcomes: dict[int, str | None]
) -> int:
    accepted = 0
    with session_scope(engine) as session:
        for row in claimed:
            submission = session.get_one(TdbSubmission, row.statement_id)
            failure, now = outcomes[row.statement_id], utcnow()
            if failure is None:
                submission.status, submission.submitted_at = SubmissionStatus.SUBMITTED, now
                submission.last_error = None
                accepted += 1
                statement = session.get_one(Statement, row.statement_id)
                append(
                    session=session,
                    case=session.get_one(Case, statement.case_id),
                    kind=EventKind.TDB_SUBMITTED,
                    actor=SYSTEM,
                    details={"statement_id": statement.id, "puid": row.puid},
                )
            elif row.invalid or submission.attempts >= settings.delivery_max_attempts:
                submission.status, submission.last_error = SubmissionStatus.FAILED, failure
                log.warning(
                    "statement %s was not accepted by the TDB: %s", row.statement_id, failure
                )
            else:
                submission.last_error = failure
                submission.next_attempt_at = now + backoff(
                    submission.attempts, settings.delivery_backoff_seconds
                )
    return accepted
