"""exchanges a bank follows; partners reading this deployment's hub feed; when a bank
value was first confirmed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Added in place (no batch copy: other tables' rows reference bank_entries).
    op.add_column("bank_entries", sa.Column("confirmed_at", _WHEN, nullable=True))
    # Values confirmed before this column: confirmed now, or withdrawn after a confirmation.
    op.execute("UPDATE bank_entries SET confirmed_at = created_at WHERE status = 'confirmed'")
    op.execute(
        "UPDATE bank_entries SET confirmed_at = updated_at WHERE confirmed_at IS NULL AND id IN"
        " (SELECT entry_id FROM bank_changes WHERE action IN ('confirmed', 'reinstated'))"
    )
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("key_file", sa.Text(), nullable=True),
        sa.Column("pinned_key", sa.String(length=80), nullable=True),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("checkpoint", sa.JSON(), nullable=True),
        sa.Column("last_sync_at", _WHEN, nullable=True),
        sa.Column("last_success_at", _WHEN, nullable=True),
        sa.Column("source_time", _WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_applied", sa.JSON(), nullable=False),
        sa.Column("feedback_through", _ID, nullable=False),
        sa.Column("outcomes_through", _ID, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], name=op.f("fk_exchanges_bank_id_banks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
        sa.UniqueConstraint("name", name=op.f("uq_exchanges_name")),
    )
    op.create_index(op.f("ix_exchanges_bank_id"), "exchanges", ["bank_id"], unique=False)
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("share_pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("removed_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_partners_api_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("api_key_id", name=op.f("uq_partners_api_key_id")),
        sa.UniqueConstraint("name", name=op.f("uq_partners_name")),
    )
    op.create_table(
        "partner_banks",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_partner_banks_bank_id_banks")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_banks_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("partner_id", "bank_id", name=op.f("pk_partner_banks")),
    )
    op.create_table(
        "partner_feedback",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", _ID, nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_partner_feedback_entry_id_bank_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_feedback_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("partner_id", "entry_id", name=op.f("pk_partner_feedback")),
    )
    op.create_index(
        op.f("ix_partner_feedback_entry_id"), "partner_feedback", ["entry_id"], unique=False
    )
    op.create_table(
        "scan_outcomes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("scan_id", _ID, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scan_records.id"], name=op.f("fk_scan_outcomes_scan_id_scan_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_outcomes")),
    )
    op.create_index(op.f("ix_scan_outcomes_scan_id"), "scan_outcomes", ["scan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scan_outcomes_scan_id"), table_name="scan_outcomes")
    op.drop_table("scan_outcomes")
    op.drop_index(op.f("ix_partner_feedback_entry_id"), table_name="partner_feedback")
    op.drop_table("partner_feedback")
    op.drop_table("partner_banks")
    op.drop_table("partners")
    op.drop_index(op.f("ix_exchanges_bank_id"), table_name="exchanges")
    op.drop_table("exchanges")
    op.drop_column("bank_entries", "confirmed_at")
