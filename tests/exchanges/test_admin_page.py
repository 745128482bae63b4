"""The administration page lists the exchanges followed, with their errors (text a source
sent, escaped), and the partners reading this hub."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from consentry.accounts.models import Role
from consentry.banks import service as banks
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.exchanges import service
from consentry.exchanges.models import Exchange, ExchangeKind
from tests.cases.support import staff_headers


def test_exchanges_and_partners_are_listed_for_admins(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        bank = banks.create_bank(session=session, name="from-ngo", actor=CLI)
        service.add_exchange(
            session=session, name="ngo", kind=ExchangeKind.FILE, bank=bank,
            location="/srv/ngo.jsonl", key_file=None, pin=None, interval_seconds=30, actor=CLI,
        )  # fmt: skip
        service.add_partner(
            session=session, name="platform-a", banks=["from-ngo"], share_pending=False, actor=CLI
        )
    with session_scope(engine) as session:
        exchange = session.scalars(select(Exchange)).one()
        exchange.last_error = "the hub answered <script>alert(1)</script>"
    staff_headers(client, "reviewer@example.org", Role.REVIEWER)
    assert client.get("/console/admin/exchanges").status_code == 403
    client.cookies.clear()
    staff_headers(client, "admin@example.org", Role.ADMIN)
    page = client.get("/console/admin/exchanges")
    assert page.status_code == 200
    assert "ngo" in page.text
    assert "from-ngo" in page.text
    assert "platform-a" in page.text
    assert "no successful sync yet" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
