"""Account-less access to a case (IN-20): a reference and a secret PIN.

The PIN is stored as an Argon2 digest and cannot be recovered; a wrong reference and
a wrong PIN get the same answer and cost the same time, and failures are throttled
per reference and per client.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consentry.cases.errors import AccessThrottled, CaseNotFound
from consentry.cases.models import Case, PinFailure
from consentry.db.base import utcnow

# No 0/O or 1/I/L: references and PINs are read aloud on helpline calls.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_FAILURES_PER_REFERENCE = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = timedelta(minutes=15)
PIN_RECOVERY = (
    "Keep your case reference and PIN safe. We cannot show the PIN again; if you lose it,"
    " we can only issue a new one through the contact details you gave us."
)

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("consentry-no-such-case")


def _code(groups: int) -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(groups))


def new_reference() -> str:
    return f"CS-{_code(3)}"


def new_pin() -> str:
    """About 59 bits: far beyond guessing within the throttle."""
    return _code(3)


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _normal(code: str) -> str:
    return code.strip().upper()


def _throttled(session: Session, reference_digest: str, client_digest: str, now: datetime) -> bool:
    since = now - FAILURE_WINDOW
    by_reference = session.scalar(
        select(func.count())
        .select_from(PinFailure)
        .where(PinFailure.reference_digest == reference_digest, PinFailure.at > since)
    )
    by_client = session.scalar(
        select(func.count())
        .select_from(PinFailure)
        .where(PinFailure.client_digest == client_digest, PinFailure.at > since)
    )
    return (by_reference or 0) >= MAX_FAILURES_PER_REFERENCE or (
        by_client or 0
    ) >= MAX_FAILURES_PER_CLIENT


def open_case(*, session: Session, reference: str, pin: str | None, client: str) -> Case:
    """The case, if the PIN is right. Failures are written to the session: commit it
    even when this raises CaseNotFound, so that throttling counts them."""
    now = utcnow()
    reference = _normal(reference)
    reference_digest, client_digest = _digest(reference), _digest(client)
    if _throttled(session, reference_digest, client_digest, now):
        raise AccessThrottled()
    case = session.scalar(select(Case).where(Case.reference == reference))
    try:
        _hasher.verify(case.pin_digest if case else _DUMMY, _normal(pin or ""))
        ok = case is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or case is None:
        session.add(PinFailure(reference_digest=reference_digest, client_digest=client_digest))
        session.flush()
        raise CaseNotFound()
    session.execute(delete(PinFailure).where(PinFailure.reference_digest == reference_digest))
    return case
