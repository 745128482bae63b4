"""Account-less access to a case (IN-20): a reference and a secret PIN.

The PIN is stored as an Argon2 digest and cannot be recovered; a wrong reference and
a wrong PIN get the same answer and cost the same time, and failures are throttled
per client network, and per network and reference.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, select

from consentry.cases.errors import AccessThrottled, CaseNotFound
from consentry.cases.models import Case
from consentry.db.session import session_scope
from consentry.throttle.argon import hash_secret, verify_secret
from consentry.throttle.service import Window, give_back, network_of, take

# No 0/O or 1/I/L: references and PINs are read aloud on helpline calls.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PIN_RECOVERY = (
    "Keep your case reference and PIN safe. We cannot show the PIN again; if you lose it,"
    " we can only issue a new one through the contact details you gave us."
)

PIN_NETWORK = Window("pin_network", 900, limit=20)
# Per network and reference, not per reference: a flood from elsewhere never locks the
# person with the right PIN out of their case.
PIN_PAIR = Window("pin_pair", 900, limit=5)


def _code(groups: int) -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(groups))


def new_reference() -> str:
    return f"CS-{_code(3)}"


def new_pin() -> str:
    """About 59 bits: far beyond guessing within the throttle."""
    return _code(3)


def hash_pin(pin: str) -> str:
    return hash_secret(pin)


def _normal(code: str) -> str:
    return code.strip().upper()


def unlock_case(*, engine: Engine, reference: str, pin: str | None, client: str) -> int:
    """The id of the case the PIN opens. Attempts are counted (and committed) first, the
    Argon2 check runs outside any transaction, and a success gives its attempt back."""
    reference = _normal(reference)
    network = network_of(client)
    attempts = [(PIN_NETWORK, network), (PIN_PAIR, f"{network}|{reference}")]
    with session_scope(engine) as session:
        wait = take(session=session, attempts=attempts)
        found = session.execute(
            select(Case.id, Case.pin_digest).where(Case.reference == reference)
        ).first()
    if wait is not None:
        raise AccessThrottled(wait)
    if not verify_secret(found.pin_digest if found else None, _normal(pin or "")) or not found:
        raise CaseNotFound()
    with session_scope(engine) as session:
        give_back(session=session, attempts=attempts)
    return int(found.id)
