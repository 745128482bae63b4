"""Migrations keep what a database held: upgraded from the revision before, on SQLite and
PostgreSQL, nothing is lost."""

from __future__ import annotations

from sqlalchemy import func, select, text

from consentry.accounts.models import User
from consentry.actions.models import WebhookEndpoint
from consentry.audit.models import AuditEvent
from consentry.audit.service import record
from consentry.cases.models import Case, CaseHash
from consentry.core.actor import PORTAL
from consentry.db.base import utcnow
from consentry.db.engine import make_engine
from consentry.db.migrate import upgrade
from consentry.db.session import session_scope


def _case(reference: str) -> Case:
    return Case(
        reference=reference,
        pin_digest="x",
        status="open",
        queue="standard",
        request_types=["depicted_person"],
        received_at=utcnow(),
        filed_by="portal",
    )


def test_cases_hashes_and_events_survive_the_case_hash_holders_migration(
    fresh_url: str,
) -> None:
    engine = make_engine(fresh_url)
    upgrade(engine, "0010")
    with session_scope(engine) as session:
        # The tables as they were at 0010 (today's models have columns added since).
        session.execute(
            text(
                "INSERT INTO banks (id, name, description, pdq_threshold, auto_max_distance,"
                " enabled, created_at) VALUES (1, 'cases', '', 31, 0, true, :now)"
            ),
            {"now": utcnow()},
        )
        session.execute(
            text(
                "INSERT INTO bank_entries (id, bank_id, signal_type, value, status, source_kind,"
                " metadata, created_at, updated_at)"
                " VALUES (1, 1, 'pdq', :value, 'pending', 'case', '{}', :now, :now)"
            ),
            {"value": "a" * 64, "now": utcnow()},
        )
        merged = _case("CS-AAAA-BBBB-CCCC")
        session.add(merged)
        session.flush()
        session.add(CaseHash(entry_id=1, case_id=merged.id))
        for action in ("case.received", "case.notice_merged"):
            record(
                session=session,
                actor=PORTAL,
                action=action,
                subject_type="case",
                subject_id=merged.id,
            )
    upgrade(engine)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 2
        (held,) = session.scalars(select(CaseHash)).all()
        # A second case may now hold the same hash.
        other = _case("CS-DDDD-EEEE-FFFF")
        session.add(other)
        session.flush()
        session.add(CaseHash(entry_id=held.entry_id, case_id=other.id))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(CaseHash)) == 2
    engine.dispose()


def test_secrets_written_before_sealing_still_open_after_the_upgrade(fresh_url: str) -> None:
    """Migrations 0012-0015 (throttles, checkpoints, sealed secrets, derived CSRF) on a
    database holding a staff member with a plain TOTP seed and a plain webhook secret."""
    engine = make_engine(fresh_url)
    upgrade(engine, "0010")
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, role, totp_secret, totp_enabled, created_at)"
                " VALUES (1, 'lead@example.org', 'lead', 'JBSWY3DPEHPK3PXP', true, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO webhook_endpoints (id, url, secret, description, enabled, created_at)"
                " VALUES (1, 'https://example.org/hook', 'whsec_plain', '', true, :now)"
            ),
            {"now": now},
        )
    upgrade(engine)
    with session_scope(engine) as session:
        assert session.get_one(User, 1).totp_secret == "JBSWY3DPEHPK3PXP"
        assert session.get_one(WebhookEndpoint, 1).secret == "whsec_plain"
    engine.dispose()
