"""The minutes' tables, as of the first migration (the baseline).

A database made before the migrations gets the archive's chain columns (``archiveddocument.chain_seq``,
``chain_hash``: :func:`meeting.chain.upgrade`).

Revision ID: minutes_0001
Revises: (none: the first of the minutes branch)
Depends on: meeting_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meeting.migrations.kit import missing, moments_with_their_zone

revision = "minutes_0001"
down_revision = None
branch_labels = ("minutes",)
depends_on = "meeting_0001"

# the tables of this part
TABLES = ("archiveddocument", "minutes", "minutesamendment", "minutesitem")


def upgrade() -> None:
    """Today's tables as ``create_all`` makes them, each only if missing; then what a database made by the
    previous release needs (see the module's docstring)."""
    if missing("archiveddocument"):
        op.create_table(
            "archiveddocument",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("stored_name", sa.String(length=120), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("author", sa.String(length=64), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("chain_seq", sa.Integer(), nullable=True),
            sa.Column("chain_hash", sa.String(length=64), nullable=True),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("meeting_id", "kind", "version"),
        )
        op.create_index(op.f("ix_archiveddocument_meeting_id"), "archiveddocument", ["meeting_id"], unique=False)
    if missing("minutes"):
        op.create_table(
            "minutes",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("issue_number", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("approved_by", sa.String(length=64), nullable=False),
            sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_minutes_meeting_id"), "minutes", ["meeting_id"], unique=True)
    if missing("minutesamendment"):
        op.create_table(
            "minutesamendment",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("minutes_id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=True),
            sa.Column("field", sa.String(length=32), nullable=False),
            sa.Column("old_value", sa.Text(), nullable=False),
            sa.Column("new_value", sa.Text(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("author", sa.String(length=64), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["minutes_id"],
                ["minutes.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_minutesamendment_minutes_id"), "minutesamendment", ["minutes_id"], unique=False)
    if missing("minutesitem"):
        op.create_table(
            "minutesitem",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("minutes_id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("discussion", sa.Text(), nullable=False),
            sa.Column("considered", sa.Text(), nullable=False),
            sa.Column("decided", sa.Text(), nullable=False),
            sa.Column("lead_unit", sa.String(length=100), nullable=False),
            sa.Column("supporting_units", sa.String(length=500), nullable=False),
            sa.Column("deadline", sa.Date(), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["minutes_id"],
                ["minutes.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("minutes_id", "item_id"),
        )
        op.create_index(op.f("ix_minutesitem_item_id"), "minutesitem", ["item_id"], unique=False)
        op.create_index(op.f("ix_minutesitem_minutes_id"), "minutesitem", ["minutes_id"], unique=False)
    from meeting import chain

    chain.upgrade(op.get_bind(), tables=("archiveddocument",))
    moments_with_their_zone(list(TABLES))


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore the backup taken before the upgrade")
