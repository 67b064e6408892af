"""代录: an opinion the secretary recorded on a member's behalf (his tablet dead) says who recorded it and when —
``opinion.proxy_by`` (the secretary's name, "" for one the member gave himself) and ``opinion.proxy_at``.

Revision ID: meeting_0004_proxy
Revises: meeting_0003_floor
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import inspect

revision = "meeting_0004_proxy"
down_revision = "meeting_0003_floor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = {c["name"] for c in inspect(op.get_bind()).get_columns("opinion")}  # create_all may have made them
    with op.batch_alter_table("opinion") as batch:
        if "proxy_by" not in have:
            batch.add_column(sa.Column("proxy_by", sa.String(length=64), nullable=False, server_default=""))
        if "proxy_at" not in have:
            batch.add_column(sa.Column("proxy_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opinion") as batch:
        batch.drop_column("proxy_at")
        batch.drop_column("proxy_by")
