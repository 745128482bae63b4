"""one throttle table for every limit; a TOTP code is good once

Portal counts, PIN failures and sign-in failures become attempt counts in fixed windows
per client network (keyed digests), taken atomically. The counts are transient: the old
tables are dropped, not copied.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "throttle_counts",
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket", "digest", "window_start", name=op.f("pk_throttle_counts")
        ),
    )
    op.create_table(
        "throttle_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_keys")),
    )
    op.drop_table("portal_counts")
    op.drop_table("portal_keys")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failures_email_digest"))
    op.drop_table("login_failures")
    with op.batch_alter_table("case_pin_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_pin_failures_client_digest"))
        batch_op.drop_index(batch_op.f("ix_case_pin_failures_reference_digest"))
    op.drop_table("case_pin_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
    op.create_table(
        "case_pin_failures",
        sa.Column("id", _ID, nullable=False),
        sa.Column("reference_digest", sa.String(length=64), nullable=False),
        sa.Column("client_digest", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_pin_failures")),
    )
    with op.batch_alter_table("case_pin_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_pin_failures_reference_digest"), ["reference_digest"]
        )
        batch_op.create_index(batch_op.f("ix_case_pin_failures_client_digest"), ["client_digest"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_email_digest"), ["email_digest"])
    op.create_table(
        "portal_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_keys")),
    )
    op.create_table(
        "portal_counts",
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "digest", "window_start", name=op.f("pk_portal_counts")),
    )
    op.drop_table("throttle_keys")
    op.drop_table("throttle_counts")
