"""api keys and scans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:46:25.274148
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_keys_digest")),
    )
    op.create_table(
        "scan_counters",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "api_key_id", "verdict", name=op.f("pk_scan_counters")),
    )
    op.create_table(
        "scan_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("content_id", sa.String(length=200), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_scan_records_api_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_records")),
    )
    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scan_records_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "scan_matches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("scan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("signal_type", sa.String(length=16), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_scan_matches_bank_id_banks")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["bank_entries.id"], name=op.f("fk_scan_matches_entry_id_bank_entries")
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scan_records.id"], name=op.f("fk_scan_matches_scan_id_scan_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_matches")),
    )
    with op.batch_alter_table("scan_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_matches_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scan_matches_scan_id"), ["scan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scan_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_matches_scan_id"))
        batch_op.drop_index(batch_op.f("ix_scan_matches_entry_id"))

    op.drop_table("scan_matches")
    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_records_created_at"))

    op.drop_table("scan_records")
    op.drop_table("scan_counters")
    op.drop_table("api_keys")
