"""F20: TOTP seeds and webhook secrets are sealed at rest with the deployment's key."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from consentry.accounts.models import Role
from consentry.accounts.users import create_user, set_password
from consentry.actions.models import OutboxMessage
from consentry.actions.outbox import enqueue_webhook
from consentry.actions.service import add_endpoint
from consentry.cases.statements import code_digest, code_matches
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db import sealed
from consentry.db.session import session_scope
from tests.cases.support import LOOPBACK


def test_secrets_are_stored_sealed_and_read_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        _, token = create_user(
            actor=SYSTEM, session=session, email="rev@example.org", role=Role.REVIEWER
        )
        seed = set_password(session=session, token=token, password="a long enough password")
        endpoint = add_endpoint(
            actor=SYSTEM, session=session, url="http://127.0.0.1:9/hook", allowed=LOOPBACK
        )
        signing = endpoint.secret
    assert seed.totp_uri is not None
    with engine.connect() as connection:
        stored_seed = connection.execute(text("SELECT totp_secret FROM users")).scalar_one()
        stored_secret = connection.execute(
            text("SELECT secret FROM webhook_endpoints")
        ).scalar_one()
    for stored in (stored_seed, stored_secret):
        assert stored.startswith(sealed.PREFIX)
    assert signing not in stored_secret
    assert seed.user.totp_secret not in stored_seed
    with session_scope(engine) as session:
        reread = session.execute(text("SELECT count(*) FROM users")).scalar()
    assert reread == 1


def test_without_a_key_in_the_environment_one_is_made_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(sealed.ENV, raising=False)
    # The process's key (cipher and digest key both) comes back after the test.
    monkeypatch.setattr(sealed, "_fernet", None)
    monkeypatch.setattr(sealed, "_raw", None)
    sealed.use_settings(Settings(data_dir=tmp_path))
    key = tmp_path / "secrets.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    token = sealed.seal("JBSWY3DPEHPK3PXP")
    assert sealed.unseal(token) == "JBSWY3DPEHPK3PXP"
    assert sealed.unseal("legacy-plain-value") == "legacy-plain-value"
    key.unlink()
    sealed.use_settings(Settings(data_dir=tmp_path))  # another key
    with pytest.raises(sealed.SealingKeyMissing):
        sealed.unseal(token)


def test_outbox_messages_are_sealed_and_appeal_codes_keyed(engine: Engine) -> None:
    """An uploader's appeal code waits in the outbox until delivered: sealed there; the
    statement keeps only a keyed digest (older plain digests still match)."""
    with session_scope(engine) as session:
        add_endpoint(actor=SYSTEM, session=session, url="http://127.0.0.1:9/hook", allowed=LOOPBACK)
        enqueue_webhook(session=session, event="statement.issued", data={"appeal_code": "K3Y-C0DE"})
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT payload FROM outbox")).scalar_one()
    assert "K3Y-C0DE" not in str(raw)
    assert sealed.PREFIX in str(raw)
    with session_scope(engine) as session:
        (message,) = session.query(OutboxMessage).all()
        assert message.payload["data"] == {"appeal_code": "K3Y-C0DE"}
    assert code_digest("k3y-c0de") != hashlib.sha256(b"K3Y-C0DE").hexdigest()
    assert code_matches("k3y-c0de", code_digest("K3Y-C0DE"))
    assert code_matches("K3Y-C0DE", hashlib.sha256(b"K3Y-C0DE").hexdigest())
    assert not code_matches("OTHER", code_digest("K3Y-C0DE"))
