"""portal rate limits

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 20:13:25.733790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portal_counts",
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "digest", "window_start", name=op.f("pk_portal_counts")),
    )
    op.create_table(
        "portal_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_keys")),
    )


def downgrade() -> None:
    op.drop_table("portal_keys")
    op.drop_table("portal_counts")
