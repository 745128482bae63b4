"""scan signals

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 21:41:48.743483
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signals", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.drop_column("signals")
