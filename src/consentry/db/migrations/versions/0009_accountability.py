"""accountability

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 21:12:48.863901
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
        "retention_tombstones",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("data_class", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_tombstones")),
    )
    with op.batch_alter_table("retention_tombstones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_tombstones_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_retention_tombstones_data_class"), ["data_class"], unique=False
        )

    op.create_table(
        "preservations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "action_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action_requests.id"],
            name=op.f("fk_preservations_action_id_action_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_preservations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["case_items.id"], name=op.f("fk_preservations_item_id_case_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservations")),
        sa.UniqueConstraint("action_id", name=op.f("uq_preservations_action_id")),
    )
    with op.batch_alter_table("preservations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_preservations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_preservations_item_id"), ["item_id"], unique=False)

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

    op.create_table(
        "preserved_copies",
        sa.Column(
            "preservation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_by", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["preservation_id"],
            ["preservations.id"],
            name=op.f("fk_preserved_copies_preservation_id_preservations"),
        ),
        sa.PrimaryKeyConstraint("preservation_id", name=op.f("pk_preserved_copies")),
    )


def downgrade() -> None:
    op.drop_table("preserved_copies")
    with op.batch_alter_table("tdb_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tdb_submissions_status"))

    op.drop_table("tdb_submissions")
    with op.batch_alter_table("preservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preservations_item_id"))
        batch_op.drop_index(batch_op.f("ix_preservations_case_id"))

    op.drop_table("preservations")
    with op.batch_alter_table("retention_tombstones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_tombstones_data_class"))
        batch_op.drop_index(batch_op.f("ix_retention_tombstones_case_id"))

    op.drop_table("retention_tombstones")
