"""The outbox: signed webhooks, retries with backoff, dead letters an admin can see and
retry, e-mail that waits (not dies) while SMTP is not configured."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role
from consentry.actions.delivery import backoff, sign
from consentry.actions.models import OutboxMessage
from consentry.config import Settings
from consentry.db.session import session_scope
from consentry.outbound.client import FAILED
from tests.cases.support import Receiver, eventually, notice, staff_headers
from tests.conftest import running


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    expected = hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("whsec_test", 1700000000, b"{}") == f"t=1700000000,v1={expected}"
    # Pinned (computed with openssl dgst -hmac), so a silent change of the scheme is caught.
    assert expected == "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(40, 30) == timedelta(hours=6)


def test_failing_endpoint_retries_then_dead_letters_then_retry_delivers(
    app: TestClient, receiver: tuple[Receiver, str], filer: dict[str, str], decider: dict[str, str]
) -> None:
    hook, _ = receiver
    hook.status = 500
    reference = app.post("/v1/notices", json=notice(), headers=filer).json()["reference"]
    app.post(f"/v1/cases/{reference}/decisions", json={"decision": "confirm"}, headers=decider)
    engine = app.app.state.engine  # type: ignore[attr-defined]

    def dead() -> list[OutboxMessage]:
        with session_scope(engine) as session:
            return list(
                session.scalars(select(OutboxMessage).where(OutboxMessage.dead_at.is_not(None)))
            )

    eventually(lambda: len(dead()) >= 2)
    # F8: a coarse reason only; "HTTP 500" against "connection refused" is a port scan.
    assert all(m.attempts == 3 and m.last_error == FAILED for m in dead())
    admin = staff_headers(app, "admin@example.org", Role.ADMIN)
    letters = app.get("/v1/webhooks/dead-letters", headers=admin).json()
    assert {letter["event"] for letter in letters} >= {"action.requested", "bank.updated"}
    assert "payload" not in letters[0]
    hook.status = 200
    for letter in letters:
        retried = app.post(f"/v1/webhooks/dead-letters/{letter['id']}/retry", headers=admin)
        assert retried.status_code == 200
    hook.wait_for("action.requested")
    # Every delivery of one message carries the same idempotency key.
    keys = [d.headers["idempotency-key"] for d in hook.deliveries]
    assert len(keys) == len(set(keys))


def test_webhook_administration_needs_an_admin(app: TestClient) -> None:
    assert app.get("/v1/webhooks").status_code == 401
    staff_headers(app, "reviewer@example.org", Role.REVIEWER)
    assert app.get("/v1/webhooks").status_code == 403


def test_admin_adds_an_endpoint_and_sees_its_secret_once(app: TestClient) -> None:
    admin = staff_headers(app, "admin@example.org", Role.ADMIN)
    bad = app.post("/v1/webhooks", json={"url": "ftp://example.org/x"}, headers=admin)
    assert bad.status_code == 422
    # F8: the operator's own network is out of reach (loopback is allowed in these tests).
    inside = [
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.7]/",
    ]
    for url in inside:
        refused = app.post("/v1/webhooks", json={"url": url}, headers=admin)
        assert refused.status_code == 422, url
        assert "CONSENTRY_OUTBOUND_ALLOW" in refused.json()["detail"]
    added = app.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=admin)
    assert added.status_code == 201
    assert added.json()["secret"].startswith("whsec_")
    listed = app.get("/v1/webhooks", headers=admin).json()
    assert listed[0]["secret"] is None
    assert app.delete(f"/v1/webhooks/{listed[0]['id']}", headers=admin).status_code == 204
    assert app.get("/v1/webhooks", headers=admin).json()[0]["enabled"] is False


def test_mail_waits_while_smtp_is_not_configured(settings: Settings) -> None:
    quiet = settings.model_copy(update={"scheduler_seconds": 0.1, "smtp_host": None})
    with running(quiet) as client:
        from consentry.accounts.models import Scope
        from tests.conftest import key_headers

        client.post("/v1/notices", json=notice(), headers=key_headers(client, Scope.NOTICES_WRITE))
        engine = client.app.state.engine  # type: ignore[attr-defined]

        def tried() -> bool:
            with session_scope(engine) as session:
                message = session.scalars(select(OutboxMessage)).one()
                return message.last_error is not None

        eventually(tried)
        with session_scope(engine) as session:
            message = session.scalars(select(OutboxMessage)).one()
            assert message.dead_at is None
            assert message.attempts == 0
            assert "SMTP is not configured" in (message.last_error or "")
