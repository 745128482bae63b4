"""transparency database submissions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 21:06:07.798303
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tdb_submissions",
        sa.Column(
            "statement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("puid", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["case_statements.id"],
            name=op.f("fk_tdb_submissions_statement_id_case_statements"),
        ),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_tdb_submissions")),
        sa.UniqueConstraint("puid", name=op.f("uq_tdb_submissions_puid")),
    )
    with op.batch_alter_table("tdb_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tdb_submissions_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tdb_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tdb_submissions_status"))

    op.drop_table("tdb_submissions")
