"""several cases may hold one hash; idempotency keys remember their request

A notice no longer merges into another requester's case (it took the case over), so
two cases may hold the same bank entry: the key of `case_hashes` becomes the pair.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_hashes", schema=None) as batch_op:
        batch_op.drop_constraint("pk_case_hashes", type_="primary")
        batch_op.create_primary_key("pk_case_hashes", ["entry_id", "case_id"])
        batch_op.create_index(batch_op.f("ix_case_hashes_entry_id"), ["entry_id"], unique=False)
    with op.batch_alter_table("case_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_notices", schema=None) as batch_op:
        batch_op.drop_column("request_digest")
    # Only possible while no hash is held twice; the older key cannot say who else holds it.
    with op.batch_alter_table("case_hashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_hashes_entry_id"))
        batch_op.drop_constraint("pk_case_hashes", type_="primary")
        batch_op.create_primary_key("pk_case_hashes", ["entry_id"])
