"""Who is signed in, and whether they may do this: the one check behind the API's
staff dependencies and the console's pages, which differ only in how they refuse
(problem+json, or a redirect and a page)."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from consentry.accounts import users
from consentry.accounts.models import Role, StaffSession, User


class Refusal(StrEnum):
    SIGN_IN = "sign-in"  # no session, or an expired one, or a disabled user
    ROLE = "role"  # signed in, but the role may not do this
    CSRF = "csrf"  # a change without the session's CSRF token


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    session: StaffSession
    csrf: str  # derived from the cookie (`users.csrf_of`), never stored

    @property
    def role(self) -> Role:
        return Role(self.user.role)


def signed_in(*, session: Session, token: str | None) -> SignedIn | None:
    """The member of staff the session cookie `token` names, if it is current."""
    found = users.session_user(session=session, token=token) if token else None
    if found is None or token is None:
        return None
    user, staff_session = found
    return SignedIn(user, staff_session, users.csrf_of(token))


def refusal(
    signed: SignedIn | None, *, roles: Collection[Role] | None, csrf: str | None
) -> Refusal | None:
    """Why the request is refused, or None. `roles` None admits every role (the caller
    checks later); `csrf` None is a request that changes nothing."""
    if signed is None:
        return Refusal.SIGN_IN
    if roles is not None and signed.role not in roles:
        return Refusal.ROLE
    if csrf is not None and not secrets.compare_digest(csrf, signed.csrf):
        return Refusal.CSRF
    return None
