"""the content index: hashes of a platform's existing content, their change log, the
copy finder's place, and the files a backfill has taken

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "content_hashes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.String(length=200), nullable=False),
        sa.Column("signal_type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("registered_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name=op.f("fk_content_hashes_api_key_id_api_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_hashes")),
        sa.UniqueConstraint(
            "api_key_id",
            "content_id",
            "signal_type",
            "value",
            name=op.f("uq_content_hashes_api_key_id"),
        ),
    )
    op.create_index(
        "ix_content_hashes_owner_content", "content_hashes", ["api_key_id", "content_id"]
    )
    op.create_table(
        "content_changes",
        sa.Column("seq", _ID, nullable=False),
        sa.Column("content_hash_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_content_changes")),
    )
    op.create_table(
        "content_finder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_seq", sa.BigInteger(), nullable=False),
        sa.Column("content_seq", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("lease_until", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_finder")),
    )

    op.create_table(
        "backfilled_files",
        sa.Column("id", _ID, nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("done_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backfilled_files")),
        sa.UniqueConstraint("source", "path", name=op.f("uq_backfilled_files_source")),
    )


def downgrade() -> None:
    op.drop_table("backfilled_files")
    op.drop_table("content_finder")
    op.drop_table("content_changes")
    op.drop_index("ix_content_hashes_owner_content", table_name="content_hashes")
    op.drop_table("content_hashes")
