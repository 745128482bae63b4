"""video: a frame's time on its bank entry, the banks' share thresholds, a scan match's
shares and segments

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place (no batch copy: other tables' rows reference all three).
    op.add_column("bank_entries", sa.Column("at_ms", sa.Integer(), nullable=True))
    for column in ("video_query_share", "video_bank_share"):
        op.add_column(
            "banks", sa.Column(column, sa.Integer(), nullable=False, server_default=sa.text("80"))
        )
    op.add_column("scan_matches", sa.Column("video", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("scan_matches", "video")
    op.drop_column("banks", "video_bank_share")
    op.drop_column("banks", "video_query_share")
    op.drop_column("bank_entries", "at_ms")
