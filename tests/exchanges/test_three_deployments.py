"""A helpline's hub and two platforms, three real `consentry serve` deployments on
loopback with their own databases (one platform on PostgreSQL): a request filed in the
hub's portal is matched on both platforms within 60 s, its withdrawal (on the status
page) stops both within 60 s, and what the platforms saw comes back to the hub."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.banks import service as banks
from consentry.cases.models import Case
from consentry.config import Settings
from consentry.core.actor import CLI
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope
from consentry.evidence.keys import fingerprint, load_or_create
from consentry.exchanges import service
from consentry.exchanges.feedback import reach
from consentry.exchanges.models import ExchangeKind
from tests.browser import start_server
from tests.cases.support import PDQ, eventually
from tests.databases import empty_tables, migrated_engine
from tests.portal.forms import COMPLETE, codes

PROPAGATION_SECONDS = 60


class Deployment:
    def __init__(self, folder: Path, url: str | None = None) -> None:
        self.folder = folder
        self.settings = Settings(data_dir=folder, database_url=url)
        self.url = self.settings.resolved_database_url()
        self.engine: Engine = make_engine(self.url)
        upgrade(self.engine)
        self.base = ""

    def key(self, *scopes: Scope) -> dict[str, str]:
        with session_scope(self.engine) as session:
            _, secret = create_api_key(session=session, name="test", scopes=list(scopes), actor=CLI)
        return {"Authorization": f"Bearer {secret}"}

    def start(self, stack: ExitStack, **settings: str) -> None:
        env = {"database_url": self.url, "outbound_allow": "127.0.0.1/32", **settings}
        server, self.base = start_server(self.folder, **env)
        stack.callback(_stop, server)
        stack.callback(self.engine.dispose)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture
def deployments(tmp_path: Path, pg_database: str) -> Iterator[list[Deployment]]:
    engine = migrated_engine(pg_database)
    empty_tables(engine)
    engine.dispose()
    hub = Deployment(tmp_path / "hub")
    platforms = [Deployment(tmp_path / "a"), Deployment(tmp_path / "b", pg_database)]
    pin = fingerprint(load_or_create(hub.settings.evidence_key_path()).public_key())
    with session_scope(hub.engine) as session:
        banks.create_bank(session=session, name="cases", actor=CLI)
    for name, platform in zip(("platform-a", "platform-b"), platforms, strict=True):
        with session_scope(hub.engine) as session:
            # A hub that shares pending values: the request reaches platforms before review.
            _, secret = service.add_partner(
                session=session, name=name, banks=["cases"], share_pending=True, actor=CLI
            )
        platform.folder.mkdir(parents=True, exist_ok=True)
        (platform.folder / "hub.key").write_text(secret)
    with ExitStack() as stack:
        hub.start(stack)
        for platform in platforms:
            with session_scope(platform.engine) as session:
                bank = banks.create_bank(session=session, name="from-hub", actor=CLI)
                service.add_exchange(
                    session=session,
                    name="hub",
                    kind=ExchangeKind.CONSENTRY,
                    bank=bank,
                    location=f"{hub.base}/v1/feed",
                    key_file=str(platform.folder / "hub.key"),
                    pin=pin,
                    interval_seconds=10,
                    actor=CLI,
                )
            platform.start(stack)
        yield [hub, *platforms]


def _matched(platform: Deployment, headers: dict[str, str]) -> Callable[[], bool]:
    def check() -> bool:
        answer = httpx.post(f"{platform.base}/v1/scan", json={"pdq": PDQ}, headers=headers)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return bool(body["matches"])

    return check


def test_a_request_at_the_hub_reaches_both_platforms_and_its_withdrawal_too(
    deployments: list[Deployment],
) -> None:
    hub, *platforms = deployments
    # Filed in the hub's portal, as its page sends a request: only the photo's hash.
    filed = httpx.post(f"{hub.base}/request", data={**COMPLETE, "hash": [f"pdq:{PDQ}:90"]})
    assert filed.status_code == 201, filed.text
    reference, pin = codes(filed.text)

    scanners = [platform.key(Scope.SCAN) for platform in platforms]
    for platform, headers in zip(platforms, scanners, strict=True):
        eventually(_matched(platform, headers), PROPAGATION_SECONDS)

    # The platforms' matches come back as feedback (pending review: a person decides).
    def fed_back() -> bool:
        with session_scope(hub.engine) as session:
            case_id = session.scalars(select(Case.id).where(Case.reference == reference)).one()
            found = reach(session=session, case_id=case_id)
        return found.sent_to == 2 and found.pending_review == 2

    eventually(fed_back, PROPAGATION_SECONDS)

    status = httpx.post(f"{hub.base}/status", data={"reference": reference, "pin": pin})
    assert "Partner platforms your request was sent to: 2." in status.text
    withdrawn = httpx.post(
        f"{hub.base}/status/withdraw", data={"reference": reference, "pin": pin, "confirm": "on"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert 'id="done"' in withdrawn.text
    for platform, headers in zip(platforms, scanners, strict=True):
        still = _matched(platform, headers)
        eventually(lambda: not still(), PROPAGATION_SECONDS)  # noqa: B023 (called at once)
