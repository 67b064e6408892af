"""跟随翻页: the member the secretary names presenter of the materials (``meeting.presenter_person_id``).

Revision ID: meeting_0005_presenter
Revises: meeting_0004_proxy
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "meeting_0005_presenter"
down_revision = "meeting_0004_proxy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("meeting")}
    if "presenter_person_id" not in columns:
        # a plain column (SQLite cannot add a constraint to a table without rebuilding it); the model's key is the
        # same on a fresh database, where create_all makes it
        op.add_column("meeting", sa.Column("presenter_person_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("meeting", "presenter_person_id")
