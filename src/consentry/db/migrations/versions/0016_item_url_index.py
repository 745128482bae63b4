"""index located content by URL (related cases are found by equal URLs)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_items_url"), ["url"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_items_url"))
