"""F10: a published, signed checkpoint reveals what the chain alone cannot: events
deleted from the log's end, and an edit followed by recomputing every later hash."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from consentry.audit.checkpoints import check, document, write_checkpoint
from consentry.audit.models import AuditCheckpoint, AuditEvent
from consentry.audit.service import GENESIS, _digest, record, verify
from consentry.cli.main import app
from consentry.core.actor import CLI
from consentry.db.session import session_scope
from consentry.evidence.keys import load_or_create


def _note(engine: Engine, n: int) -> None:
    with session_scope(engine) as session:
        for i in range(n):
            record(session=session, actor=CLI, action="test.note", subject_type="t", subject_id=i)


def _recompute(engine: Engine) -> None:
    """What someone with write access to the database, but not the key, can do."""
    with session_scope(engine) as session:
        previous = GENESIS
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            event.prev_hash = previous
            event.hash = _digest(previous, event)
            previous = event.hash


def test_a_truncated_tail_and_a_recomputed_chain_are_found(
    cli_database: Engine, tmp_path: Path
) -> None:
    runner = CliRunner()
    _note(cli_database, 5)
    published = runner.invoke(app, ["audit", "checkpoint"])
    assert published.exit_code == 0, published.output
    saved = tmp_path / "checkpoint.json"
    saved.write_text(published.stdout)
    assert json.loads(published.stdout)["seq"] == 5
    _note(cli_database, 2)
    assert runner.invoke(app, ["audit", "verify", "--checkpoint", str(saved)]).exit_code == 0

    # Deleting the last events (and the stored checkpoints) leaves a chain that verifies.
    with session_scope(cli_database) as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq >= 4))
        session.execute(delete(AuditCheckpoint))
    with session_scope(cli_database) as session:
        assert list(verify(session=session)) == []
    truncated = runner.invoke(app, ["audit", "verify", "--checkpoint", str(saved)])
    assert truncated.exit_code == 1
    assert "deleted from its end" in truncated.output

    # So does an edit with every hash recomputed.
    _note(cli_database, 4)
    with session_scope(cli_database) as session:
        session.get_one(AuditEvent, 2).actor = "someone else"
    _recompute(cli_database)
    with session_scope(cli_database) as session:
        assert list(verify(session=session)) == []
    rewritten = runner.invoke(app, ["audit", "verify", "--checkpoint", str(saved)])
    assert rewritten.exit_code == 1
    assert "chain recomputed" in rewritten.output


def test_stored_checkpoints_are_checked_and_a_forged_one_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    key = load_or_create(tmp_path / "key.pem")
    _note(engine, 3)
    with session_scope(engine) as session:
        written = write_checkpoint(session=session, key=key)
        assert written is not None
        assert write_checkpoint(session=session, key=key) is written  # same head: once
        doc = document(written)
    forged = {**doc, "head": "0" * 64}
    other = load_or_create(tmp_path / "other.pem")
    with session_scope(engine) as session:
        assert list(check(session=session, doc=doc, trusted=key.public_key())) == []
        (bad,) = check(session=session, doc=forged, trusted=key.public_key())
        assert "signature does not hold" in bad.problem
        (foreign,) = check(session=session, doc=doc, trusted=other.public_key())
        assert "another key" in foreign.problem
