"""Real peers for the case tests: a webhook receiver (HTTP), an SMTP server (aiosmtpd),
staff sign-in with TOTP, and notice payloads."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyotp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.accounts.models import Role, User
from consentry.accounts.users import create_user, set_password
from consentry.actions.delivery import sign
from consentry.actions.models import AckResult, ActionRequest
from consentry.cases.decisions import decide
from consentry.cases.intake import file_notice
from consentry.cases.models import Case
from consentry.cases.removal import acknowledge
from consentry.cases.schemas import DecisionIn, NoticeIn
from consentry.config import Settings
from consentry.core.actor import SYSTEM, Actor
from consentry.db.session import session_scope
from tests.browser import free_port

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]  # receivers here listen on loopback only
PDQ = "f" * 16 + "0" * 16 + "a5" * 8 + "3c" * 8


def notice(**overrides: Any) -> dict[str, Any]:
    """A complete, valid depicted-person notice."""
    body: dict[str, Any] = {
        "request_types": ["depicted_person"],
        "signature": {"name": "A. Person", "signed": True},
        "locations": [{"content_id": "post-1", "url": "https://example.test/p/1"}],
        "hashes": [{"signal_type": "pdq", "value": PDQ, "quality": 90}],
        "good_faith": True,
        "accurate": True,
        "grounds": ["ai_generated"],
        "contact": {"email": "person@example.org"},
        "standing": "self",
        "intimacy": ["intimate_parts"],
        "under_18": "no",
    }
    body.update(overrides)
    return body


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A webhook endpoint that answers `status` (200 unless a test changes it)."""

    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    status: int = 200

    def events(self, event: str) -> list[dict[str, Any]]:
        return [d.json for d in self.deliveries if d.headers.get("consentry-event") == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events(event)) < count:
            assert time.monotonic() < deadline, f"no {event} webhook arrived"
            time.sleep(0.05)
        return self.events(event)


@contextmanager
def webhook_receiver(port: int | None = None) -> Iterator[Receiver]:
    port = port or free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if receiver.status == 200:
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.deliveries.append(Delivery(headers, body))
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def verified(delivery: Delivery, secret: str) -> bool:
    parts = dict(p.split("=", 1) for p in delivery.headers["consentry-signature"].split(","))
    return sign(secret, int(parts["t"]), delivery.body) == delivery.headers["consentry-signature"]


@dataclass
class Mailbox:
    port: int
    messages: list[dict[str, str]] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 20) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"only {len(self.messages)} e-mail(s) arrived"
            time.sleep(0.05)
        return self.messages


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    mailbox = Mailbox(port=free_port())

    class Handler:
        async def handle_DATA(  # noqa: N802
            self, server: SMTP, session: SmtpSession, envelope: Envelope
        ) -> str:
            assert isinstance(envelope.content, bytes)
            parsed = message_from_bytes(envelope.content)
            mailbox.messages.append(
                {
                    "to": str(parsed["To"]),
                    "subject": str(parsed["Subject"]),
                    "body": parsed.get_payload(decode=True).decode(),  # type: ignore[union-attr]
                }
            )
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def staff_headers(client: TestClient, email: str, role: Role) -> dict[str, str]:
    """Sign a new staff member in (password and TOTP); returns the CSRF header.

    The session cookie stays in the client's cookie jar."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        _, token = create_user(actor=SYSTEM, session=session, email=email, role=role)
        set_password(session=session, token=token, password="a long enough password")
    with session_scope(engine) as session:
        user = session.query(User).filter_by(email=email).one()
        secret = user.totp_secret
    code = pyotp.TOTP(secret).now() if secret else None
    response = client.post(
        "/auth/login", json={"email": email, "password": "a long enough password", "code": code}
    )
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.05)


def removed_case(*, session: Session, settings: Settings, **overrides: Any) -> Case:
    """A notice filed, confirmed by a reviewer, and its content removed by the platform:
    the case then holds its statements of reasons."""
    case = file_notice(
        session=session,
        notice=NoticeIn.model_validate(notice(**overrides)),
        filed_by=Actor.key(1),
        settings=settings,
    ).case
    decide(
        session=session,
        case=case,
        decision=DecisionIn(decision="confirm"),
        actor=Actor.user(7),
        settings=settings,
    )
    pending = select(ActionRequest).where(
        ActionRequest.case_id == case.id, ActionRequest.acked_at.is_(None)
    )
    for action in session.scalars(pending).all():
        acknowledge(
            session=session,
            action_id=action.id,
            result=AckResult.DONE,
            actor=Actor.key(2),
            settings=settings,
        )
    return case
