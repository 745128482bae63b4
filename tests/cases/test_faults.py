"""A real server process killed with SIGKILL loses nothing: the notice was committed
before it was answered, and the outbox delivers after a restart."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
from sqlalchemy import select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.actions.models import OutboxMessage
from consentry.actions.service import add_endpoint
from consentry.cases.models import Case
from consentry.core.actor import SYSTEM
from consentry.db.engine import make_engine
from consentry.db.session import session_scope
from tests.browser import free_port, start_server
from tests.cases.support import LOOPBACK, eventually, notice, webhook_receiver

FAST = {
    "scheduler_seconds": "0.1",
    "delivery_backoff_seconds": "0.2",
    "outbound_allow": "127.0.0.0/8",
}


def test_a_killed_server_loses_no_notice_and_delivers_after_restart(tmp_path: Path) -> None:
    server, base = start_server(tmp_path, **FAST)
    engine = make_engine(f"sqlite:///{tmp_path / 'consentry.db'}")
    hook_port = free_port()  # nothing listens here yet: deliveries fail and wait
    with session_scope(engine) as session:
        _, filer = create_api_key(
            actor=SYSTEM, session=session, name="helpline", scopes=[Scope.NOTICES_WRITE]
        )
        _, decider = create_api_key(
            actor=SYSTEM, session=session, name="t&s", scopes=[Scope.CASES_DECIDE]
        )
        add_endpoint(
            actor=SYSTEM,
            session=session,
            url=f"http://127.0.0.1:{hook_port}/hook",
            allowed=LOOPBACK,
        )
    headers = {"Authorization": f"Bearer {filer}", "Idempotency-Key": "call-1"}
    try:
        filed = httpx.post(f"{base}/v1/notices", json=notice(), headers=headers, timeout=10)
        assert filed.status_code == 201
        reference = filed.json()["reference"]
        decided = httpx.post(
            f"{base}/v1/cases/{reference}/decisions",
            json={"decision": "confirm"},
            headers={"Authorization": f"Bearer {decider}"},
            timeout=10,
        )
        assert decided.status_code == 200
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)

    with session_scope(engine) as session:
        assert session.scalars(select(Case.reference)).one() == reference
        pending = session.scalars(select(OutboxMessage).where(OutboxMessage.delivered_at.is_(None)))
        assert {m.event for m in pending} >= {"action.requested", "bank.updated"}

    def all_delivered() -> bool:
        with session_scope(engine) as session:
            left = session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.delivered_at.is_(None), OutboxMessage.channel == "webhook"
                )
            ).all()
            return not left

    with webhook_receiver(hook_port) as hook:
        server, base = start_server(tmp_path, **FAST)
        try:
            requested = hook.wait_for("action.requested")
            assert requested[0]["data"]["content_id"] == "post-1"
            # The filer never saw an answer? The same Idempotency-Key finds the same case.
            again = httpx.post(f"{base}/v1/notices", json=notice(), headers=headers, timeout=10)
            assert again.status_code == 200
            assert again.json()["reference"] == reference
            # Each message is sent when its backoff, grown while the hook was down, is over.
            eventually(all_delivered, timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=15)

    engine.dispose()
