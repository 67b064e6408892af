"""发言申请 and the speaker's time: the body's two settings and the requests' table (meeting/room/floor.py).

Revision ID: meeting_0003_floor
Revises: meeting_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meeting.migrations.kit import missing

revision = "meeting_0003_floor"
down_revision = "meeting_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("body")}
    # ADD COLUMN with a default, on both databases (no table rebuilt: SQLite's copy-and-drop would trip the keys)
    if "floor_requests" not in columns:
        op.add_column("body", sa.Column("floor_requests", sa.Boolean(), nullable=False, server_default=sa.false()))
    if "speaking_limit_minutes" not in columns:
        op.add_column("body", sa.Column("speaking_limit_minutes", sa.Integer(), nullable=False, server_default="0"))
    if missing("floorrequest"):
        op.create_table(
            "floorrequest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(["item_id"], ["agendaitem.id"]),
            sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
            sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_floorrequest_item_id"), "floorrequest", ["item_id"], unique=False)
        op.create_index(op.f("ix_floorrequest_meeting_id"), "floorrequest", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_table("floorrequest")
    op.drop_column("body", "speaking_limit_minutes")
    op.drop_column("body", "floor_requests")
