"""rate limit windows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 17:54:06.986260
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=32), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "api_key_id", "bucket", "window_start", name=op.f("pk_rate_windows")
        ),
    )


def downgrade() -> None:
    op.drop_table("rate_windows")
