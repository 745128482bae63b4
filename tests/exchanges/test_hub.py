"""A platform follows a hub's feed over real HTTP: values and their withdrawals arrive,
signed by the hub's pinned key; a partner sees only its banks and only what it may."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from consentry.banks import batches
from consentry.banks import service as banks
from consentry.banks.models import BankEntry, ChangeAction, EntryStatus
from consentry.banks.service import NewEntry
from consentry.config import Settings
from consentry.core.actor import CLI, SYSTEM
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope
from consentry.evidence.keys import fingerprint, load_or_create
from consentry.exchanges import service
from consentry.exchanges.models import ExchangeKind
from consentry.exchanges.sync import sync
from tests.browser import start_server

VALUES = [f"{n:064x}" for n in range(1, 6)]


class Hub:
    def __init__(self, folder: Path) -> None:
        self.settings = Settings(data_dir=folder)
        self.engine = make_engine(self.settings.resolved_database_url())
        upgrade(self.engine)
        self.fingerprint = fingerprint(
            load_or_create(self.settings.evidence_key_path()).public_key()
        )
        self.base = ""

    def add(self, bank: str, value: str, status: EntryStatus) -> None:
        with session_scope(self.engine) as session:
            row = banks.get_bank(session=session, name=bank)
            entry = NewEntry(signal_type="pdq", value=value, status=status)
            batches.add_entries(session=session, bank=row, batch=[entry], actor=SYSTEM)

    def change(self, value: str, action: ChangeAction) -> None:
        with session_scope(self.engine) as session:
            bank = banks.get_bank(session=session, name="ncii")
            banks.change_status(
                session=session,
                bank=bank,
                signal_type="pdq",
                value=value,
                action=action,
                actor=CLI,
            )

    def partner(self, name: str, folder: Path) -> Path:
        with session_scope(self.engine) as session:
            _, secret = service.add_partner(
                session=session, name=name, banks=["ncii"], share_pending=False, actor=CLI
            )
        key_file = folder / f"{name}.key"
        key_file.write_text(secret + "\n")
        return key_file


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    hub = Hub(tmp_path / "hub")
    with session_scope(hub.engine) as session:
        banks.create_bank(session=session, name="ncii", actor=CLI)
        banks.create_bank(session=session, name="private", actor=CLI)
    server, hub.base = start_server(tmp_path / "hub")
    try:
        yield hub
    finally:
        server.terminate()
        server.wait(timeout=15)
        hub.engine.dispose()


def _follow(engine: Engine, hub: Hub, name: str, key_file: Path, pin: str | None) -> None:
    with session_scope(engine) as session:
        bank = banks.create_bank(session=session, name=f"from-{name}", actor=CLI)
        service.add_exchange(
            session=session,
            name=name,
            kind=ExchangeKind.CONSENTRY,
            bank=bank,
            location=f"{hub.base}/v1/feed",
            key_file=str(key_file),
            pin=pin,
            interval_seconds=30,
            actor=CLI,
        )


def _held(engine: Engine, bank: str) -> dict[str, str]:
    with session_scope(engine) as session:
        row = banks.get_bank(session=session, name=bank)
        entries = session.scalars(select(BankEntry).where(BankEntry.bank_id == row.id))
        return {e.value: e.status.value for e in entries}


def test_values_and_withdrawals_reach_a_partner_signed(
    hub: Hub, engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "platform", outbound_allow="127.0.0.1/32")
    for value in VALUES[:3]:
        hub.add("ncii", value, EntryStatus.CONFIRMED)
    hub.add("ncii", VALUES[3], EntryStatus.PENDING)  # not shared until confirmed
    hub.add("private", VALUES[4], EntryStatus.CONFIRMED)  # not published to this partner
    key_file = hub.partner("platform-a", tmp_path)
    _follow(engine, hub, "hub", key_file, pin=hub.fingerprint)

    first = sync(engine=engine, settings=settings, name="hub", actor=SYSTEM)
    assert (first.error, first.applied.added) == (None, 3)
    assert _held(engine, "from-hub") == dict.fromkeys(VALUES[:3], "confirmed")

    hub.change(VALUES[0], ChangeAction.WITHDRAWN)
    hub.change(VALUES[3], ChangeAction.CONFIRMED)
    second = sync(engine=engine, settings=settings, name="hub", actor=SYSTEM)
    assert (second.applied.withdrawn, second.applied.added) == (1, 1)
    assert _held(engine, "from-hub") == {
        VALUES[0]: "withdrawn",
        VALUES[1]: "confirmed",
        VALUES[2]: "confirmed",
        VALUES[3]: "confirmed",
    }
    with session_scope(engine) as session:
        exchange = service.get_exchange(session=session, name="hub")
        assert exchange.pinned_key is not None
        assert not exchange.pinned_key.startswith("sha256:")  # the key itself, once seen

    # A wrong pin: the key the hub signs with is not the one named; nothing is applied.
    _follow(engine, hub, "impostor", key_file, pin="sha256:" + "0" * 64)
    refused = sync(engine=engine, settings=settings, name="impostor", actor=SYSTEM)
    assert refused.error is not None
    assert "signing key changed" in refused.error
    assert _held(engine, "from-impostor") == {}

    # A removed partner's key stops working at once.
    with session_scope(hub.engine) as session:
        service.remove_partner(session=session, name="platform-a", actor=CLI)
    stopped = sync(engine=engine, settings=settings, name="hub", actor=SYSTEM)
    # 403 while the hub's key cache still knows the key, 401 once it has dropped it.
    assert stopped.error in ("the hub answered HTTP 403", "the hub answered HTTP 401")


def test_the_feed_needs_a_partners_key(hub: Hub, tmp_path: Path) -> None:
    assert httpx.get(f"{hub.base}/v1/feed").status_code == 401
    key = hub.partner("platform-b", tmp_path).read_text().strip()
    answer = httpx.get(f"{hub.base}/v1/feed", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert answer.json()["page"]["records"] == []
    assert (
        httpx.get(f"{hub.base}/v1/feed?limit=0", headers={"Authorization": f"Bearer {key}"})
        .headers["content-type"]
        .startswith("application/problem+json")
    )


def test_a_loopback_hub_is_refused_unless_allowed(hub: Hub, engine: Engine, tmp_path: Path) -> None:
    key_file = hub.partner("platform-c", tmp_path)
    _follow(engine, hub, "hub", key_file, pin=None)
    result = sync(engine=engine, settings=Settings(data_dir=tmp_path), name="hub", actor=SYSTEM)
    assert result.error is not None
    assert "CONSENTRY_OUTBOUND_ALLOW" in result.error
