"""The rule profile of 《洮北区人民政府“三重一大”事项决策实施办法（试行）》 renamed from "seed003" (the developers' file
name, which users must not see) to "taobei-2023": the bodies that chose it under the old name now store the new one.
``body.profile`` is the only column that holds a profile's name (``meeting/models.py``); the loader still accepts the
old name on input (``voting.profiles.LEGACY_NAMES``).

Revision ID: meeting_0002
Revises: meeting_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "meeting_0002"
down_revision = "meeting_0001"
branch_labels = None
depends_on = None

RENAMED = {"seed003": "taobei-2023"}


def upgrade() -> None:
    body = sa.table("body", sa.column("profile", sa.String))
    for old, new in RENAMED.items():
        op.execute(body.update().where(body.c.profile == old).values(profile=new))


def downgrade() -> None:
    body = sa.table("body", sa.column("profile", sa.String))
    for old, new in RENAMED.items():
        op.execute(body.update().where(body.c.profile == new).values(profile=old))
