"""Who may see a case. Its requester, without an account (IN-20): a reference and a
secret PIN. Staff, API keys and the operator: `find_case` and `may_see`, the one
place the rules live (a filer key sees its own cases; the restricted queue is for
leads). The PIN is stored as an Argon2 digest and cannot be recovered; a wrong reference and
a wrong PIN get the same answer and cost the same time, and failures are throttled
per client network, and per network and reference.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, select, true
from sqlalchemy.orm import Session

from consentry.accounts.models import Role, Scope, User
from consentry.cases.errors import AccessThrottled, CaseNotFound, NotPermitted
from consentry.cases.models import Case, Queue
from consentry.core.actor import CLI, Actor, ActorKind
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


# -- staff, API keys and the operator --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks for a case other than its requester: staff (their role), an API key
    (its scopes), or the operator at the server's command line."""

    actor: Actor
    role: Role | None = None
    scopes: frozenset[Scope] | None = None  # set for an API key only

    @classmethod
    def staff(cls, user: User) -> Viewer:
        return cls(Actor.user(user.id), role=Role(user.role))

    @property
    def user_id(self) -> int | None:
        """The member of staff's user id (None for a key or the operator)."""
        return self.actor.id if self.actor.kind is ActorKind.USER else None

    @property
    def sees_restricted(self) -> bool:
        """A possible minor's case: staff with the role lead, and the operator; never a
        machine (F7)."""
        return self.role is Role.LEAD or self == OPERATOR


OPERATOR = Viewer(CLI)


def _knows_of(viewer: Viewer, case: Case) -> bool:
    """An API key that only files notices knows of the cases it filed, no others."""
    filer_only = viewer.scopes is not None and Scope.CASES_DECIDE not in viewer.scopes
    return not filer_only or case.filed_by == str(viewer.actor)


def may_see(viewer: Viewer, case: Case) -> bool:
    return _knows_of(viewer, case) and (case.queue != Queue.RESTRICTED or viewer.sees_restricted)


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """The cases `viewer` may list among others (queues, related cases, appeals)."""
    return true() if viewer.sees_restricted else Case.queue != Queue.RESTRICTED


def find_case(*, session: Session, reference: str, viewer: Viewer) -> Case:
    """The case with this reference, if `viewer` may see it: one they may not know of is
    not found; a restricted one they know of is refused, saying why."""
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None or not _knows_of(viewer, case):
        raise CaseNotFound()
    if not may_see(viewer, case):
        raise NotPermitted("this case is in the restricted queue: staff with the role lead only")
    return case
