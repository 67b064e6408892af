"""The minutes' 会议要求/会议强调 text and 密级 (``minutes.requirements``, ``minutes.classification``).

Revision ID: minutes_0002
Revises: minutes_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import inspect

revision = "minutes_0002"
down_revision = "minutes_0001"
branch_labels = None
depends_on = None


def _columns() -> set[str]:
    return {c["name"] for c in inspect(op.get_bind()).get_columns("minutes")}


def upgrade() -> None:
    """Both columns, each only if missing (a database made by ``create_all`` has them already)."""
    have = _columns()
    with op.batch_alter_table("minutes") as batch:
        if "requirements" not in have:
            batch.add_column(sa.Column("requirements", sa.Text(), nullable=False, server_default=""))
        if "classification" not in have:
            batch.add_column(sa.Column("classification", sa.String(length=16), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("minutes") as batch:
        batch.drop_column("classification")
        batch.drop_column("requirements")
