"""The room's tables, as of the first migration (the baseline).

A database made before the migrations gets the tables it lacks (``loginsession``, ``chainhead`` in
the previous release's), the event chain's columns with its stored events sealed in the order written
(:func:`meeting.chain.upgrade`), and its links stored in plain hashed, still valid (:func:`meeting.tokens.upgrade`).

Revision ID: meeting_0001
Revises: (none: the first of the meeting branch)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meeting.migrations.kit import missing, moments_with_their_zone

revision = "meeting_0001"
down_revision = None
branch_labels = ("meeting",)
depends_on = None

# the tables of this part
TABLES = (
    "body",
    "chainhead",
    "person",
    "user",
    "apitoken",
    "loginsession",
    "meeting",
    "membership",
    "relation",
    "agendaitem",
    "event",
    "observer",
    "seat",
    "itemstep",
    "itemsubject",
    "material",
    "opinion",
    "recusal",
    "round",
    "opinionrevision",
    "writtenopinion",
)


def upgrade() -> None:
    """Today's tables as ``create_all`` makes them, each only if missing; then what a database made by the
    previous release needs (see the module's docstring)."""
    if missing("body"):
        op.create_table(
            "body",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("decision_mode", sa.String(length=16), nullable=False),
            sa.Column("profile", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if missing("chainhead"):
        op.create_table(
            "chainhead",
            sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("chain"),
        )
    if missing("person"):
        op.create_table(
            "person",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("title", sa.String(length=100), nullable=False),
            sa.Column("unit", sa.String(length=100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_person_name"), "person", ["name"], unique=False)
    if missing("user"):
        op.create_table(
            "user",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("display_name", sa.String(length=64), nullable=False),
            sa.Column("password_hash", sa.String(), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_user_username"), "user", ["username"], unique=True)
    if missing("apitoken"):
        op.create_table(
            "apitoken",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked", sa.Boolean(), nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_apitoken_token_hash"), "apitoken", ["token_hash"], unique=True)
        op.create_index(op.f("ix_apitoken_user_id"), "apitoken", ["user_id"], unique=False)
    if missing("loginsession"):
        op.create_table(
            "loginsession",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key_hash", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("revoked_reason", sa.String(length=32), nullable=False),
            sa.Column("device", sa.String(length=200), nullable=False),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_loginsession_key_hash"), "loginsession", ["key_hash"], unique=True)
        op.create_index(op.f("ix_loginsession_user_id"), "loginsession", ["user_id"], unique=False)
    if missing("meeting"):
        op.create_table(
            "meeting",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("body_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("session_number", sa.Integer(), nullable=False),
            sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("place", sa.String(length=200), nullable=False),
            sa.Column("chair_person_id", sa.Integer(), nullable=False),
            sa.Column("delegated_by_person_id", sa.Integer(), nullable=True),
            sa.Column("recorder_name", sa.String(length=64), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("projector_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["body_id"],
                ["body.id"],
            ),
            sa.ForeignKeyConstraint(
                ["chair_person_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["delegated_by_person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_meeting_body_id"), "meeting", ["body_id"], unique=False)
        op.create_index(op.f("ix_meeting_projector_token"), "meeting", ["projector_token"], unique=True)
    if missing("membership"):
        op.create_table(
            "membership",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("body_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("seniority", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["body_id"],
                ["body.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("body_id", "person_id"),
        )
        op.create_index(op.f("ix_membership_body_id"), "membership", ["body_id"], unique=False)
        op.create_index(op.f("ix_membership_person_id"), "membership", ["person_id"], unique=False)
    if missing("relation"):
        op.create_table(
            "relation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person_a_id", sa.Integer(), nullable=False),
            sa.Column("person_b_id", sa.Integer(), nullable=False),
            sa.Column("type", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.String(length=500), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["person_a_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_b_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_relation_person_a_id"), "relation", ["person_a_id"], unique=False)
        op.create_index(op.f("ix_relation_person_b_id"), "relation", ["person_b_id"], unique=False)
    if missing("agendaitem"):
        op.create_table(
            "agendaitem",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("category", sa.String(length=16), nullable=False),
            sa.Column("presenter", sa.String(length=64), nullable=False),
            sa.Column("submitting_unit", sa.String(length=100), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("amount_yuan", sa.Integer(), nullable=True),
            sa.Column("confidential", sa.Boolean(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("round", sa.Integer(), nullable=False),
            sa.Column("carried_from_item_id", sa.Integer(), nullable=True),
            sa.Column("notes", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["carried_from_item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_agendaitem_meeting_id"), "agendaitem", ["meeting_id"], unique=False)
    if missing("event"):
        op.create_table(
            "event",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor_kind", sa.String(length=16), nullable=False),
            sa.Column("actor_id", sa.Integer(), nullable=True),
            sa.Column("actor_name", sa.String(length=64), nullable=False),
            sa.Column("device", sa.String(length=200), nullable=False),
            sa.Column("kind", sa.String(length=48), nullable=False),
            sa.Column("payload", sa.Text(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=True),
            sa.Column("prev_hash", sa.String(length=64), nullable=True),
            sa.Column("hash", sa.String(length=64), nullable=True),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("meeting_id", "seq"),
        )
        op.create_index(op.f("ix_event_meeting_id"), "event", ["meeting_id"], unique=False)
    if missing("observer"):
        op.create_table(
            "observer",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("unit", sa.String(length=100), nullable=False),
            sa.Column("role", sa.String(length=64), nullable=False),
            sa.Column("token", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_observer_meeting_id"), "observer", ["meeting_id"], unique=False)
        op.create_index(op.f("ix_observer_token"), "observer", ["token"], unique=True)
    if missing("seat"):
        op.create_table(
            "seat",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("seniority", sa.Integer(), nullable=False),
            sa.Column("token", sa.String(length=64), nullable=False),
            sa.Column("attendance", sa.String(length=16), nullable=False),
            sa.Column("absence_reason", sa.String(length=200), nullable=False),
            sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("connections", sa.Integer(), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("meeting_id", "person_id"),
        )
        op.create_index(op.f("ix_seat_meeting_id"), "seat", ["meeting_id"], unique=False)
        op.create_index(op.f("ix_seat_person_id"), "seat", ["person_id"], unique=False)
        op.create_index(op.f("ix_seat_token"), "seat", ["token"], unique=True)
    if missing("itemstep"):
        op.create_table(
            "itemstep",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("step", sa.String(length=32), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("note", sa.String(length=500), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "step"),
        )
        op.create_index(op.f("ix_itemstep_item_id"), "itemstep", ["item_id"], unique=False)
    if missing("itemsubject"):
        op.create_table(
            "itemsubject",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("action", sa.String(length=200), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "person_id"),
        )
        op.create_index(op.f("ix_itemsubject_item_id"), "itemsubject", ["item_id"], unique=False)
        op.create_index(op.f("ix_itemsubject_person_id"), "itemsubject", ["person_id"], unique=False)
    if missing("material"):
        op.create_table(
            "material",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("filename", sa.String(length=200), nullable=False),
            sa.Column("content_type", sa.String(length=100), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("stored_name", sa.String(length=100), nullable=False),
            sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_material_item_id"), "material", ["item_id"], unique=False)
    if missing("opinion"):
        op.create_table(
            "opinion",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("round_number", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("stance", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("is_chair", sa.Boolean(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "round_number", "person_id"),
        )
        op.create_index(op.f("ix_opinion_item_id"), "opinion", ["item_id"], unique=False)
        op.create_index(op.f("ix_opinion_person_id"), "opinion", ["person_id"], unique=False)
    if missing("recusal"):
        op.create_table(
            "recusal",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("relation_type", sa.String(length=16), nullable=False),
            sa.Column("subject_person_id", sa.Integer(), nullable=True),
            sa.Column("reason", sa.String(length=500), nullable=False),
            sa.Column("source", sa.String(length=16), nullable=False),
            sa.Column("basis", sa.String(length=200), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["subject_person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "person_id"),
        )
        op.create_index(op.f("ix_recusal_item_id"), "recusal", ["item_id"], unique=False)
        op.create_index(op.f("ix_recusal_person_id"), "recusal", ["person_id"], unique=False)
    if missing("round"):
        op.create_table(
            "round",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("chair_spoke_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("result", sa.String(length=16), nullable=True),
            sa.Column("tally_json", sa.Text(), nullable=False),
            sa.Column("head_adopt", sa.Boolean(), nullable=True),
            sa.Column("head_reason", sa.Text(), nullable=False),
            sa.Column("defer_reason", sa.Text(), nullable=False),
            sa.Column("reconsider_reason", sa.Text(), nullable=False),
            sa.Column("reconsider_agreeing_json", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "number"),
        )
        op.create_index(op.f("ix_round_item_id"), "round", ["item_id"], unique=False)
    if missing("opinionrevision"):
        op.create_table(
            "opinionrevision",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("opinion_id", sa.Integer(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("stance", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("client_id", sa.String(length=64), nullable=False),
            sa.Column("device", sa.String(length=200), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["opinion_id"],
                ["opinion.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_opinionrevision_client_id"), "opinionrevision", ["client_id"], unique=True)
        op.create_index(op.f("ix_opinionrevision_opinion_id"), "opinionrevision", ["opinion_id"], unique=False)
    if missing("writtenopinion"):
        op.create_table(
            "writtenopinion",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("item_id", sa.Integer(), nullable=False),
            sa.Column("round_number", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("stance", sa.String(length=16), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("submitted_by", sa.String(length=16), nullable=False),
            sa.Column("material_id", sa.Integer(), nullable=True),
            sa.Column("client_id", sa.String(length=64), nullable=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["material_id"],
                ["material.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("item_id", "round_number", "person_id"),
        )
        op.create_index(op.f("ix_writtenopinion_client_id"), "writtenopinion", ["client_id"], unique=True)
        op.create_index(op.f("ix_writtenopinion_item_id"), "writtenopinion", ["item_id"], unique=False)
        op.create_index(op.f("ix_writtenopinion_person_id"), "writtenopinion", ["person_id"], unique=False)
    from meeting import chain, tokens

    bind = op.get_bind()
    chain.upgrade(bind, tables=("event",))
    tokens.upgrade(bind)
    moments_with_their_zone(list(TABLES))


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore the backup taken before the upgrade")
