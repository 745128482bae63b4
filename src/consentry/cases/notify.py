"""E-mail to the requester (IN-19 receipt, NT-01 decisions): queued in the outbox with
no personal data; the address is read from the case at sending time, and no image is
ever attached or embedded (NT-05)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.actions.delivery import Letters
from consentry.actions.outbox import enqueue_email
from consentry.cases.events import EventKind, append
from consentry.cases.models import Case, CasePersonal
from consentry.core.actor import SYSTEM
from consentry.throttle.service import Window, count

SIGNPOSTS = [
    "Revenge Porn Helpline (UK): https://revengepornhelpline.org.uk",
    "StopNCII.org (adults): https://stopncii.org",
    "Take It Down by NCMEC (images taken before you were 18): https://takeitdown.ncmec.org",
]
MINOR_SIGNPOST = (
    "If the image was taken before you were 18, NCMEC's Take It Down can help remove it"
    " from other services too: https://takeitdown.ncmec.org"
)

# Plain-text mail: nothing is interpreted as markup, so no escaping applies here.
_templates = Environment(  # noqa: S701
    loader=PackageLoader("consentry.cases", "mail"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)

SUBJECTS = {
    "receipt": "We received your removal request",
    "decision": "A decision on your removal request",
    "withdrawal": "Your removal request was withdrawn",
    "appeal_outcome": "The outcome of your appeal",
    "information_request": "We need more information about your removal request",
}


def render(template: str, params: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of one message."""
    body = _templates.get_template(f"{template}.txt").render(signposts=SIGNPOSTS, **params)
    return SUBJECTS[template], body


def contact_email(*, session: Session, case_id: int) -> str | None:
    """The most recent e-mail address the case was given, unless purged."""
    rows = session.scalars(
        select(CasePersonal)
        .where(CasePersonal.case_id == case_id, CasePersonal.purged_at.is_(None))
        .order_by(CasePersonal.id.desc())
    )
    for row in rows:
        email = (row.data.get("contact") or {}).get("email")
        if email:
            return str(email)
    return None


# Receipts go to whatever address a request names, and anyone can file one (F19): past
# this many a day to one address, no more receipts are sent there (the receipt is still
# shown on screen and in the API answer; later mail about a decision still goes).
RECEIPTS_PER_ADDRESS = Window("receipt_mail", 86_400, limit=3)


def notify(*, session: Session, case: Case, template: str, params: dict[str, Any]) -> bool:
    """Queue a message to the requester, if they gave an address; returns whether queued."""
    email = contact_email(session=session, case_id=case.id)
    if email is None:
        return False
    if template == "receipt":
        sent = count(session=session, window=RECEIPTS_PER_ADDRESS, subject=email.strip().lower())
        if sent.over(RECEIPTS_PER_ADDRESS):
            return False
    params = {"reference": case.reference, **params}
    render(template, params)  # a template error shows here, in the request, not at sending
    enqueue_email(session=session, case_id=case.id, template=template, params=params)
    append(
        session=session,
        case=case,
        kind=EventKind.NOTIFICATION_QUEUED,
        actor=SYSTEM,
        details={"template": template},
    )
    return True


def _address(session: Session, case_id: int) -> str | None:
    return contact_email(session=session, case_id=case_id)


LETTERS = Letters(address=_address, render=render)
