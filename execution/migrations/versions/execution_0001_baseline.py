"""The execution ledger's tables, as of the first migration (the baseline).

A database made before the migrations gets the columns the previous release lacked with the leaders' printed
names bound to people where unambiguous (:func:`execution.migrate.upgrade`), the indexes on the leaders' ids, and
the ledger's chain columns with its stored events sealed (:func:`meeting.chain.upgrade`).

Revision ID: execution_0001
Revises: (none: the first of the execution branch)
Depends on: meeting_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from meeting.migrations.kit import index_if_missing, missing, moments_with_their_zone

revision = "execution_0001"
down_revision = None
branch_labels = ("execution",)
depends_on = "meeting_0001"

# the tables of this part
TABLES = (
    "attachment",
    "executionevent",
    "holidayoverride",
    "unit",
    "accountlink",
    "npccase",
    "assignment",
    "accountabilityaction",
    "assignmentunit",
    "changeproposal",
    "complaint",
    "evaluation",
    "executionplan",
    "extensionrequest",
    "milestone",
    "notification",
    "progressreport",
    "reminder",
    "signoff",
)


def upgrade() -> None:
    """Today's tables as ``create_all`` makes them, each only if missing; then what a database made by the
    previous release needs (see the module's docstring)."""
    if missing("attachment"):
        op.create_table(
            "attachment",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.String(length=16), nullable=False),
            sa.Column("owner_id", sa.Integer(), nullable=False),
            sa.Column("filename", sa.String(length=200), nullable=False),
            sa.Column("stored_name", sa.String(length=120), nullable=False),
            sa.Column("content_type", sa.String(length=100), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("uploaded_by", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_attachment_owner"), "attachment", ["owner"], unique=False)
        op.create_index(op.f("ix_attachment_owner_id"), "attachment", ["owner_id"], unique=False)
    if missing("executionevent"):
        op.create_table(
            "executionevent",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=True),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("actor_role", sa.String(length=16), nullable=False),
            sa.Column("device", sa.String(length=200), nullable=False),
            sa.Column("data", sa.Text(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=True),
            sa.Column("prev_hash", sa.String(length=64), nullable=True),
            sa.Column("hash", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("seq"),
        )
        op.create_index(op.f("ix_executionevent_assignment_id"), "executionevent", ["assignment_id"], unique=False)
        op.create_index(op.f("ix_executionevent_at"), "executionevent", ["at"], unique=False)
    if missing("holidayoverride"):
        op.create_table(
            "holidayoverride",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("working", sa.Boolean(), nullable=False),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_holidayoverride_day"), "holidayoverride", ["day"], unique=True)
    if missing("unit"):
        op.create_table(
            "unit",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_unit_name"), "unit", ["name"], unique=True)
    if missing("accountlink"):
        op.create_table(
            "accountlink",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=True),
            sa.Column("person_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_accountlink_unit_id"), "accountlink", ["unit_id"], unique=False)
        op.create_index(op.f("ix_accountlink_user_id"), "accountlink", ["user_id"], unique=True)
    if missing("npccase"):
        op.create_table(
            "npccase",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("number", sa.String(length=64), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("content", sa.Text(), nullable=False),
            sa.Column("received_on", sa.Date(), nullable=False),
            sa.Column("department_unit_id", sa.Integer(), nullable=True),
            sa.Column("compilation", sa.String(length=64), nullable=False),
            sa.Column("leader_instructions", sa.Text(), nullable=False),
            sa.Column("reply_draft", sa.Text(), nullable=False),
            sa.Column("reply_reviewer", sa.String(length=64), nullable=False),
            sa.Column("reply_signed_on", sa.Date(), nullable=True),
            sa.Column("reply_sent_on", sa.Date(), nullable=True),
            sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("registered_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["department_unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
    if missing("assignment"):
        op.create_table(
            "assignment",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=32), nullable=False),
            sa.Column("source", sa.String(length=16), nullable=False),
            sa.Column("meeting_id", sa.Integer(), nullable=True),
            sa.Column("item_id", sa.Integer(), nullable=True),
            sa.Column("npc_case_id", sa.Integer(), nullable=True),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("decided_text", sa.Text(), nullable=False),
            sa.Column("category", sa.String(length=16), nullable=False),
            sa.Column("decided_on", sa.Date(), nullable=False),
            sa.Column("responsible_leader", sa.String(length=64), nullable=False),
            sa.Column("leader_person_id", sa.Integer(), nullable=True),
            sa.Column("coordinating_leader", sa.String(length=64), nullable=False),
            sa.Column("coordinating_person_id", sa.Integer(), nullable=True),
            sa.Column("lead_unit_id", sa.Integer(), nullable=False),
            sa.Column("person_responsible", sa.String(length=64), nullable=False),
            sa.Column("deadline", sa.Date(), nullable=True),
            sa.Column("original_deadline", sa.Date(), nullable=True),
            sa.Column("plan_due", sa.Date(), nullable=True),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("public", sa.Boolean(), nullable=False),
            sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_by", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["coordinating_person_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["lead_unit_id"],
                ["unit.id"],
            ),
            sa.ForeignKeyConstraint(
                ["leader_person_id"],
                ["person.id"],
            ),
            sa.ForeignKeyConstraint(
                ["meeting_id"],
                ["meeting.id"],
            ),
            sa.ForeignKeyConstraint(
                ["npc_case_id"],
                ["npccase.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_assignment_coordinating_person_id"), "assignment", ["coordinating_person_id"], unique=False
        )
        op.create_index(op.f("ix_assignment_item_id"), "assignment", ["item_id"], unique=False)
        op.create_index(op.f("ix_assignment_lead_unit_id"), "assignment", ["lead_unit_id"], unique=False)
        op.create_index(op.f("ix_assignment_leader_person_id"), "assignment", ["leader_person_id"], unique=False)
        op.create_index(op.f("ix_assignment_meeting_id"), "assignment", ["meeting_id"], unique=False)
        op.create_index(op.f("ix_assignment_npc_case_id"), "assignment", ["npc_case_id"], unique=False)
        op.create_index(op.f("ix_assignment_number"), "assignment", ["number"], unique=True)
    if missing("accountabilityaction"):
        op.create_table(
            "accountabilityaction",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("on", sa.Date(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("author", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_accountabilityaction_unit_id"), "accountabilityaction", ["unit_id"], unique=False)
    if missing("assignmentunit"):
        op.create_table(
            "assignmentunit",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("role", sa.String(length=8), nullable=False),
            sa.Column("part", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("assignment_id", "unit_id"),
        )
        op.create_index(op.f("ix_assignmentunit_assignment_id"), "assignmentunit", ["assignment_id"], unique=False)
        op.create_index(op.f("ix_assignmentunit_unit_id"), "assignmentunit", ["unit_id"], unique=False)
    if missing("changeproposal"):
        op.create_table(
            "changeproposal",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("circumstances", sa.Text(), nullable=False),
            sa.Column("proposal", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("agenda_item_id", sa.Integer(), nullable=True),
            sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("submitted_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["agenda_item_id"],
                ["agendaitem.id"],
            ),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_changeproposal_assignment_id"), "changeproposal", ["assignment_id"], unique=False)
    if missing("complaint"):
        op.create_table(
            "complaint",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=16), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=True),
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("contact", sa.String(length=100), nullable=False),
            sa.Column("content", sa.Text(), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("answer", sa.Text(), nullable=False),
            sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("answered_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_complaint_code"), "complaint", ["code"], unique=True)
    if missing("evaluation"):
        op.create_table(
            "evaluation",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("trigger", sa.String(length=16), nullable=False),
            sa.Column("evaluator", sa.String(length=100), nullable=False),
            sa.Column("method", sa.Text(), nullable=False),
            sa.Column("findings", sa.Text(), nullable=False),
            sa.Column("recommendation", sa.String(length=16), nullable=False),
            sa.Column("evaluated_on", sa.Date(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("recorded_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_evaluation_assignment_id"), "evaluation", ["assignment_id"], unique=False)
    if missing("executionplan"):
        op.create_table(
            "executionplan",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("internal_unit", sa.String(length=100), nullable=False),
            sa.Column("responsible_leader", sa.String(length=64), nullable=False),
            sa.Column("person_responsible", sa.String(length=64), nullable=False),
            sa.Column("measures", sa.Text(), nullable=False),
            sa.Column("schedule", sa.Text(), nullable=False),
            sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("filed_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_executionplan_assignment_id"), "executionplan", ["assignment_id"], unique=False)
    if missing("extensionrequest"):
        op.create_table(
            "extensionrequest",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("old_deadline", sa.Date(), nullable=True),
            sa.Column("new_deadline", sa.Date(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("requested_by", sa.String(length=64), nullable=False),
            sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("decided_by", sa.String(length=64), nullable=False),
            sa.Column("decision_note", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_extensionrequest_assignment_id"), "extensionrequest", ["assignment_id"], unique=False)
    if missing("milestone"):
        op.create_table(
            "milestone",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("due", sa.Date(), nullable=False),
            sa.Column("done_on", sa.Date(), nullable=True),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_milestone_assignment_id"), "milestone", ["assignment_id"], unique=False)
    if missing("notification"):
        op.create_table(
            "notification",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=True),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("dedupe_key", sa.String(length=100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_notification_dedupe_key"), "notification", ["dedupe_key"], unique=False)
        op.create_index(op.f("ix_notification_unit_id"), "notification", ["unit_id"], unique=False)
        op.create_index(
            "uq_notification_dedupe",
            "notification",
            ["dedupe_key"],
            unique=True,
            sqlite_where=sa.text("dedupe_key <> ''"),
            postgresql_where=sa.text("dedupe_key <> ''"),
        )
    if missing("progressreport"):
        op.create_table(
            "progressreport",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("reported_on", sa.Date(), nullable=False),
            sa.Column("content", sa.Text(), nullable=False),
            sa.Column("problems", sa.Text(), nullable=False),
            sa.Column("completes", sa.Boolean(), nullable=False),
            sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("filed_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_progressreport_assignment_id"), "progressreport", ["assignment_id"], unique=False)
    if missing("reminder"):
        op.create_table(
            "reminder",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=32), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("content", sa.Text(), nullable=False),
            sa.Column("reply_by", sa.Date(), nullable=True),
            sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("issued_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["unit_id"],
                ["unit.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("number"),
        )
        op.create_index(op.f("ix_reminder_assignment_id"), "reminder", ["assignment_id"], unique=False)
        op.create_index(op.f("ix_reminder_unit_id"), "reminder", ["unit_id"], unique=False)
    if missing("signoff"):
        op.create_table(
            "signoff",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assignment_id", sa.Integer(), nullable=False),
            sa.Column("leader", sa.String(length=64), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=True),
            sa.Column("signed_on", sa.Date(), nullable=False),
            sa.Column("opinion", sa.Text(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("recorded_by", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["assignment_id"],
                ["assignment.id"],
            ),
            sa.ForeignKeyConstraint(
                ["person_id"],
                ["person.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_signoff_assignment_id"), "signoff", ["assignment_id"], unique=False)
    from execution import migrate
    from meeting import chain

    bind = op.get_bind()
    migrate.upgrade(bind)
    index_if_missing("ix_assignment_leader_person_id", "assignment", ["leader_person_id"])
    index_if_missing("ix_assignment_coordinating_person_id", "assignment", ["coordinating_person_id"])
    chain.upgrade(bind, tables=("executionevent",))
    moments_with_their_zone(list(TABLES))


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore the backup taken before the upgrade")
