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
_FK = "fk_bank_entries_group_id_entry_groups"


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
    if op.get_context().dialect.name == "sqlite":
        # Batch mode would copy bank_entries, which rows of other tables reference;
        # SQLite adds a nullable column with its reference in place.
        op.execute(
            "ALTER TABLE bank_entries ADD COLUMN group_id INTEGER"
            f" CONSTRAINT {_FK} REFERENCES entry_groups (id)"
        )
    else:
        op.add_column("bank_entries", sa.Column("group_id", _ID, nullable=True))
        op.create_foreign_key(_FK, "bank_entries", "entry_groups", ["group_id"], ["id"])
    op.create_index("ix_bank_entries_group_id", "bank_entries", ["group_id"], unique=False)
    # Added in place (no batch copy: other tables' rows reference both).
    op.add_column(
        "banks", sa.Column("windows_auto", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "scan_matches",
        sa.Column("windows", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("scan_matches", sa.Column("region", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("scan_matches", "region")
    op.drop_column("scan_matches", "windows")
    op.drop_column("banks", "windows_auto")
    op.drop_index("ix_bank_entries_group_id", table_name="bank_entries")
    if op.get_context().dialect.name == "sqlite":
        op.execute("ALTER TABLE bank_entries DROP COLUMN group_id")
    else:
        op.drop_constraint(_FK, "bank_entries", type_="foreignkey")
        op.drop_column("bank_entries", "group_id")
    with op.batch_alter_table("entry_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_groups_bank_id"))
    op.drop_table("entry_groups")
