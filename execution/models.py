"""The execution ledger's tables (决策执行与督查台账): assignments from decisions, the units' plans, progress,
requests and evaluations, the supervision office's reminders, accountability and close-out, people's-congress
cases, public complaints, and the append-only log of all of it (全过程记录, seed 000 第23条).

Dependencies run one way: execution → minutes → meeting → voting. Meetings, items and people are referenced by id;
units are execution's own (a unit is an organisation that executes, with accounts of its own).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from meeting.clock import utcnow
from meeting.columns import UTCDateTime


def _text() -> Column:
    return Column(Text, nullable=False, default="")


# ---------------------------------------------------------------- units and accounts


class Unit(SQLModel, table=True):
    """执行单位: a department, township or company that carries out decisions."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountLink(SQLModel, table=True):
    """Ties a signed-in account (meeting.User) of role unit / leader to its unit or its person."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)  # role unit
    person_id: int | None = Field(default=None, foreign_key="person.id")  # role leader (分管领导)


# ---------------------------------------------------------------- assignments


class AssignmentStatus(StrEnum):
    """An assignment's stored course (stored as these strings); 逾期 (overdue) is derived from the deadline."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"


class UnitRole(StrEnum):
    """A unit's part in an assignment: 牵头 or 配合."""

    LEAD = "lead"
    SUPPORT = "support"


NOT_STARTED, IN_PROGRESS, COMPLETED, CLOSED = AssignmentStatus  # the names the services use
STORED_STATUSES = tuple(AssignmentStatus)
LEAD, SUPPORT = UnitRole


class Assignment(SQLModel, table=True):
    """One row of the ledger: a decision (or part of one) given to a lead unit with a deadline."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True, index=True)  # 督办编号, e.g. 2023-012
    source: str = Field(default="meeting", max_length=16)  # meeting | npc
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", index=True)
    npc_case_id: int | None = Field(default=None, foreign_key="npccase.id", index=True)
    title: str = Field(max_length=200)
    decided_text: str = Field(sa_column=_text())  # verbatim from the approved minutes (会议议定)
    category: str = Field(max_length=16)  # voting.vocabulary.ItemCategory
    decided_on: date  # the meeting's date, or the day an NPC case was received
    responsible_leader: str = Field(default="", max_length=64)  # 分管领导 (the name as printed)
    # who the leaders ARE: a leader account sees and signs off an assignment only through these ids, never the name
    leader_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    coordinating_leader: str = Field(default="", max_length=64)  # 协调领导, when two leaders are involved
    coordinating_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    lead_unit_id: int = Field(foreign_key="unit.id", index=True)
    person_responsible: str = Field(default="", max_length=64)  # 责任人
    deadline: date | None = None  # 完成时限 (current; extensions move it and are kept in ExtensionRequest)
    original_deadline: date | None = None
    plan_due: date | None = None  # computed: decided_on + profile plan_due period
    status: str = Field(default=AssignmentStatus.NOT_STARTED, max_length=16)  # AssignmentStatus
    public: bool = False  # may appear on the public disclosure page (never when the item is confidential)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # unit reported 已办结
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # 已销号
    closed_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=64)


class AssignmentUnit(SQLModel, table=True):
    """The lead unit and each supporting unit with its part (牵头单位负总责, 配合单位负责各自部分; seed 000 第10、13条)."""

    __table_args__ = (UniqueConstraint("assignment_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: str = Field(max_length=8)  # UnitRole
    part: str = Field(default="", sa_column=_text())


class Milestone(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    title: str = Field(max_length=200)
    due: date
    done_on: date | None = None


class ExecutionPlan(SQLModel, table=True):
    """执行工作方案 (seed 000 第15条). A revision is a new row; the latest is current."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    version: int = 1
    internal_unit: str = Field(max_length=100)  # 内部承办机构
    responsible_leader: str = Field(max_length=64)
    person_responsible: str = Field(max_length=64)
    measures: str = Field(sa_column=_text())
    schedule: str = Field(default="", sa_column=_text())  # 时间安排 / 节点
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    filed_by: str = Field(max_length=64)


class ProgressReport(SQLModel, table=True):
    """A dated progress entry (进展情况), with problems met; attachments in Attachment(owner=progress)."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    reported_on: date
    content: str = Field(sa_column=_text())
    problems: str = Field(default="", sa_column=_text())
    completes: bool = False  # the unit reports the assignment done (已办结)
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    filed_by: str = Field(max_length=64)


class Attachment(SQLModel, table=True):
    """A file on a progress report, a close-out, an evaluation, a reply… stored under instance/execution/."""

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=16, index=True)  # progress | signoff | evaluation | reply | plan
    owner_id: int = Field(index=True)
    filename: str = Field(max_length=200)
    stored_name: str = Field(max_length=120)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    size: int = 0
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by: str = Field(max_length=64)


class RequestStatus(StrEnum):
    """An extension request's answer (stored as these strings)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


PENDING, APPROVED, REFUSED = RequestStatus  # the names the services use


class ExtensionRequest(SQLModel, table=True):
    """延期申请: reason and new date; the supervision office approves or refuses."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    reason: str = Field(sa_column=_text())
    old_deadline: date | None = None
    new_deadline: date
    status: str = Field(default=RequestStatus.PENDING, max_length=16)  # RequestStatus
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    requested_by: str = Field(max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str = Field(default="", max_length=64)
    decision_note: str = Field(default="", sa_column=_text())


class ProposalStatus(StrEnum):
    """A change proposal's course: submitted → on_agenda (put before a meeting) | withdrawn."""

    SUBMITTED = "submitted"
    ON_AGENDA = "on_agenda"
    WITHDRAWN = "withdrawn"


class ChangeProposal(SQLModel, table=True):
    """继续执行 / 停止执行 / 调整 (seed 000 第21条; seed 003: 继续执行、暂缓执行、修改决策) when circumstances change.

    A decision may not be changed or stopped without lawful procedure: the proposal goes on a later meeting's
    agenda as an item (agenda_item_id), and that meeting decides.
    """

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    kind: str = Field(max_length=16)  # continue | stop | suspend | adjust
    circumstances: str = Field(sa_column=_text())  # 严重问题、客观情况变化或不可抗力
    proposal: str = Field(sa_column=_text())
    status: str = Field(default=ProposalStatus.SUBMITTED, max_length=16)  # ProposalStatus
    agenda_item_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by: str = Field(max_length=64)


class Evaluation(SQLModel, table=True):
    """决策后评估 (seed 000; seed 003 §四(三)3): why evaluated, findings, recommendation."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    trigger: str = Field(max_length=16)  # missed_goals | objections | selected
    evaluator: str = Field(max_length=100)
    method: str = Field(default="", sa_column=_text())  # 抽样调查、跟踪调查、效益指标考核…
    findings: str = Field(sa_column=_text())
    recommendation: str = Field(max_length=16)  # continue | suspend | modify
    evaluated_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=64)


class SignOff(SQLModel, table=True):
    """The responsible leader's sign-off for close-out (销号), with evidence in Attachment(owner=signoff)."""

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    leader: str = Field(max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # the leader who signed (None: not linked)
    signed_on: date
    opinion: str = Field(default="", sa_column=_text())
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=64)


# ---------------------------------------------------------------- the supervision office


class Reminder(SQLModel, table=True):
    """催办单: a numbered, printable notice to a unit."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)  # 催〔2023〕5号
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    content: str = Field(sa_column=_text())
    reply_by: date | None = None
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    issued_by: str = Field(max_length=64)


class Notification(SQLModel, table=True):
    """In-app notice to a unit's accounts (due soon, overdue, reminder issued, extension decided…)."""

    # a non-empty dedupe_key is unique: two sweeps at once (dashboard and a unit page) cannot notify twice
    __table_args__ = (
        Index(
            "uq_notification_dedupe",
            "dedupe_key",
            unique=True,
            sqlite_where=text("dedupe_key <> ''"),
            postgresql_where=text("dedupe_key <> ''"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    kind: str = Field(max_length=16)  # due_soon | overdue | reminder | extension | closed | other
    text: str = Field(sa_column=_text())
    dedupe_key: str = Field(default="", max_length=100, index=True)  # one due_soon/overdue notice per row per day
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountabilityAction(SQLModel, table=True):
    """问责: 责令改正 → 约谈 → 通报 (seed 000 第27条); two 约谈 in a year → 通报批评 (seed 004)."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    kind: str = Field(max_length=16)  # correction | interview | notice
    on: date
    reason: str = Field(sa_column=_text())
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    author: str = Field(max_length=64)


# ---------------------------------------------------------------- people's congress (seed 004)


class NpcCase(SQLModel, table=True):
    """人大决议决定 / 审议意见: registered, classified, compiled, instructed, assigned, replied."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # resolution (决议决定) | review_opinion (审议意见)
    number: str = Field(default="", max_length=64)  # the congress's document number
    title: str = Field(max_length=200)
    content: str = Field(sa_column=_text())
    received_on: date
    department_unit_id: int | None = Field(default=None, foreign_key="unit.id")  # 归口分类
    compilation: str = Field(default="", max_length=64)  # 汇编 batch name, e.g. 2023年第1批
    leader_instructions: str = Field(default="", sa_column=_text())  # 领导批示 (市长、常务副市长、分管副市长)
    reply_draft: str = Field(default="", sa_column=_text())
    reply_reviewer: str = Field(default="", max_length=64)  # 审核人 (政府办分管主任 / 副市长)
    reply_signed_on: date | None = None  # 主要负责人签字、加盖公章
    reply_sent_on: date | None = None
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    registered_by: str = Field(max_length=64)


# ---------------------------------------------------------------- disclosure and complaints (seed 000 第24、26条)


class Complaint(SQLModel, table=True):
    """A citizen's complaint about execution: registered, must be answered."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)  # tracking code given to the citizen
    channel: str = Field(default="web", max_length=16)  # web | letter | phone | email
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    name: str = Field(default="", max_length=64)
    contact: str = Field(default="", max_length=100)  # never shown publicly
    content: str = Field(sa_column=_text())
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answer: str = Field(default="", sa_column=_text())
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: str = Field(default="", max_length=64)


# ---------------------------------------------------------------- calendar and the record


class HolidayOverride(SQLModel, table=True):
    """The office's own calendar entries (a year past the holiday package, or a local holiday)."""

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    working: bool  # True: an adjusted working day (调休上班); False: a holiday
    name: str = Field(default="", max_length=64)


class ExecutionEvent(SQLModel, table=True):
    """Append-only: who did what to which assignment, when, from which device (全过程记录, seed 000 第23条).
    Hash-chained like the meeting's events: :func:`meeting.chain.seal_execution`."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    assignment_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=32)
    actor: str = Field(max_length=64)
    actor_role: str = Field(default="", max_length=16)
    device: str = Field(default="", max_length=200)
    data: str = Field(default="{}", sa_column=_text())  # JSON
    # one hash chain for the whole ledger (meeting.chain, key EXECUTION): 1, 2, 3 …, and the hashes
    seq: int | None = Field(default=None, unique=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
