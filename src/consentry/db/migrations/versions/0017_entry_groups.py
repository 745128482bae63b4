"""entry groups (a bank image's set of values) and the banks' opt-in to automatic window matches

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "entry_groups",
        sa.Column("id", _ID, nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_entry_groups_bank_id_banks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_groups")),
    )
    with op.batch_alter_table("entry_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_groups_bank_id"), ["bank_id"], unique=False)
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", _ID, nullable=True))
        batch_op.create_index(batch_op.f("ix_bank_entries_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_bank_entries_group_id_entry_groups"),
            "entry_groups",
            ["group_id"],
            ["id"],
        )
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("windows_auto", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("windows_auto")
    with op.batch_alter_table("bank_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_bank_entries_group_id_entry_groups"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_bank_entries_group_id"))
        batch_op.drop_column("group_id")
    with op.batch_alter_table("entry_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_groups_bank_id"))
    op.drop_table("entry_groups")
