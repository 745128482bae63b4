"""CSRF tokens are derived from the session cookie, not stored

Sessions open at the upgrade keep working; their pages show the derived token after a
reload.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_column("csrf_token")


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("csrf_token", sa.String(length=64), nullable=False, server_default="")
        )
