"""Fixtures of the notice-and-removal workflow: a running service with a real SMTP
server, a registered webhook receiver, and API keys of each party."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.actions.service import add_endpoint
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from tests.cases.support import LOOPBACK, Mailbox, Receiver, smtp_server, webhook_receiver
from tests.helpers import key_headers, running


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def case_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    return settings.model_copy(
        update={
            "scheduler_seconds": 0.1,
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "smtp_starttls": False,
            "delivery_backoff_seconds": 0.2,
            "delivery_max_attempts": 3,
            "public_url": "https://consentry.example.test",
            # Receivers in these tests listen on loopback, which webhooks may not reach
            # unless the operator allows it.
            "outbound_allow": "127.0.0.0/8",
        }
    )


@pytest.fixture
def app(case_settings: Settings) -> Iterator[TestClient]:
    with running(case_settings) as client:
        yield client


@pytest.fixture
def receiver(app: TestClient) -> Iterator[tuple[Receiver, str]]:
    """A webhook endpoint, registered; yields it and its signing secret."""
    with webhook_receiver() as hook:
        with session_scope(app.app.state.engine) as session:  # type: ignore[attr-defined]
            endpoint = add_endpoint(actor=SYSTEM, session=session, url=hook.url, allowed=LOOPBACK)
            secret = endpoint.secret
        yield hook, secret


@pytest.fixture
def filer(app: TestClient) -> dict[str, str]:
    return key_headers(app, Scope.NOTICES_WRITE)


@pytest.fixture
def decider(app: TestClient) -> dict[str, str]:
    return key_headers(app, Scope.CASES_DECIDE)


@pytest.fixture
def platform(app: TestClient) -> dict[str, str]:
    return key_headers(app, Scope.SCAN, Scope.ACTIONS_ACK, Scope.APPEALS_WRITE)
