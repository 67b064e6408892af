"""The 纪要's 版头 and 版记 set by the secretary: 期号 as printed, 编发单位, 分送, 抄送 (``minutes`` columns,
nullable: None keeps the default of :func:`minutes.record.build`).

Revision ID: minutes_0003
Revises: minutes_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import inspect

revision = "minutes_0003"
down_revision = "minutes_0002"
branch_labels = None
depends_on = None

COLUMNS = (("issue_label", 40), ("issuing_office", 100), ("distribution", 500), ("copy_to", 500))


def upgrade() -> None:
    have = {c["name"] for c in inspect(op.get_bind()).get_columns("minutes")}
    for name, length in COLUMNS:
        if name not in have:  # the baseline of a fresh database is today's create_all: it may have them already
            op.add_column("minutes", sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("minutes") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
