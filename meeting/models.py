"""SQLModel tables. Times are timezone-aware UTC. Codes (kind, category, stance …) are the values of voting.vocabulary."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from voting.profiles import DEFAULT_PROFILE

from .clock import utcnow
from .columns import UTCDateTime

# ---------------------------------------------------------------- accounts


STAFF_ROLES = ("admin", "secretary")
ROLES = ("admin", "secretary", "supervisor", "unit", "leader")


class User(SQLModel, table=True):
    """Anyone who signs in with a password (argon2 hash).

    Roles: ``admin`` and ``secretary`` (会议秘书) run meetings; ``supervisor`` (督查室), ``unit`` (执行单位) and
    ``leader`` (分管领导) work on the execution ledger only — they never get the secretary's powers.
    """

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=64)
    password_hash: str
    role: str = Field(default="secretary", max_length=16)  # see ROLES
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API (office-automation integration). Only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = False


class LoginSession(SQLModel, table=True):
    """One password sign-in (a browser's session). The cookie carries only a random key, of which the SHA-256 is
    kept here, so a session ends on the server: at logout, when the account is deactivated or its password changed,
    after ``YISHI_IDLE_TIMEOUT_MINUTES`` without a request, or ``YISHI_SESSION_MAX_HOURS`` after the sign-in.
    ``authenticated_at`` is when the password was last typed (the links page wants a fresh one)."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    authenticated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str = Field(default="", max_length=32)  # logout | deactivated | password_changed | idle | expired
    device: str = Field(default="", max_length=200)


# ---------------------------------------------------------------- bodies and people


class Body(SQLModel, table=True):
    """A leadership body (领导班子): a district government, a Party group …"""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kind: str = Field(default="government", max_length=16)
    decision_mode: str = Field(default="majority", max_length=16)
    profile: str = Field(default=DEFAULT_PROFILE, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # the body's own practice, not a rule of its sources: members ask for the floor (发言申请) from their tablets, and
    # the console times each speaker against this many minutes (0: timed, no limit)
    floor_requests: bool = Field(default=False)
    speaking_limit_minutes: int = Field(default=0)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, index=True)
    title: str = Field(default="", max_length=100)  # 职务
    unit: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    """A member of a body, in seniority order (1 = the head)."""

    __table_args__ = (UniqueConstraint("body_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    seniority: int = 0


class Relation(SQLModel, table=True):
    """A relation between two people that may require recusal (公务员法 第74、76条). Symmetric."""

    id: int | None = Field(default=None, primary_key=True)
    person_a_id: int = Field(foreign_key="person.id", index=True)
    person_b_id: int = Field(foreign_key="person.id", index=True)
    type: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- meetings


class MeetingStatus(StrEnum):
    """A meeting's course; stored as these strings (the column stays a string, the values never change)."""

    SCHEDULED = "scheduled"
    IN_SESSION = "in_session"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    """An agenda item's course: pending → open (presented, discussed) → voting (opinions called) → closed | deferred;
    pending → deferred (暂缓审议) | withdrawn (撤回)."""

    PENDING = "pending"
    OPEN = "open"
    VOTING = "voting"
    CLOSED = "closed"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"  # taken back by its submitting unit before it was opened (voting/conclusion.py)


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    kind: str = Field(max_length=16)
    session_number: int
    starts_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=200)
    chair_person_id: int = Field(foreign_key="person.id")
    delegated_by_person_id: int | None = Field(default=None, foreign_key="person.id")  # head who delegated
    recorder_name: str = Field(default="", max_length=64)
    status: str = Field(default=MeetingStatus.SCHEDULED, max_length=16)  # MeetingStatus
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # SHA-256 of the projector link's token (meeting.tokens; the plain token is shown once, when issued)
    projector_token_hash: str = Field(
        sa_column=Column("projector_token", String(64), unique=True, index=True, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # 跟随翻页: a member the secretary lets present the materials from his own tablet (None: the console presents);
    # a plain column, the seat checked by meeting.room.reading.set_presenter
    presenter_person_id: int | None = Field(default=None)


class Seat(SQLModel, table=True):
    """A member's place at one meeting: the roster is fixed when the meeting is set up (N = its seats)."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    seniority: int = 0
    # SHA-256 of the personal link's token (meeting.tokens): the plain token is shown once, when issued
    token_hash: str = Field(sa_column=Column("token", String(64), unique=True, index=True, nullable=False))
    attendance: str = Field(default="expected", max_length=16)
    absence_reason: str = Field(default="", max_length=200)
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    connections: int = 0  # live tablet connections (best effort; reset at server start)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Observer(SQLModel, table=True):
    """列席人员: sees, never votes."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(max_length=64)
    unit: str = Field(default="", max_length=100)
    role: str = Field(default="", max_length=64)  # 人大代表 / 政协委员 / 法律顾问 / 部门负责人 …
    token_hash: str = Field(sa_column=Column("token", String(64), unique=True, index=True, nullable=False))


# ---------------------------------------------------------------- agenda


class AgendaItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = 0
    title: str = Field(max_length=200)
    category: str = Field(max_length=16)
    presenter: str = Field(default="", max_length=64)
    submitting_unit: str = Field(default="", max_length=100)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    amount_yuan: int | None = None
    confidential: bool = False
    status: str = Field(default=ItemStatus.PENDING, max_length=16)  # ItemStatus
    round: int = 1
    carried_from_item_id: int | None = Field(default=None, foreign_key="agendaitem.id")
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class ItemSubject(SQLModel, table=True):
    """A person a personnel item is about (推荐、提名、任免): drives recusal."""

    __table_args__ = (UniqueConstraint("item_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    action: str = Field(default="", max_length=200)  # 拟任… / 拟免去…


class ItemStep(SQLModel, table=True):
    """A preparation step (合法性审查 …) and its state (713号 第26、28条)."""

    __table_args__ = (UniqueConstraint("item_id", "step"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    step: str = Field(max_length=32)
    state: str = Field(default="not_started", max_length=16)
    note: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Material(SQLModel, table=True):
    """An uploaded file: an item's material, or the scan of a written opinion."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    kind: str = Field(default="material", max_length=16)  # material | written_opinion
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    stored_name: str = Field(max_length=100)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- the record of the room


class Recusal(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    relation_type: str = Field(max_length=16)  # SELF … OTHER, or MANUAL
    subject_person_id: int | None = Field(default=None, foreign_key="person.id")
    reason: str = Field(default="", max_length=500)
    source: str = Field(default="auto", max_length=16)  # auto | manual
    basis: str = Field(default="", max_length=200)  # the law cited
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FloorRequest(SQLModel, table=True):
    """发言申请 on an item under discussion: a member asks, the secretary gives the floor in turn (or gives it to a
    member who did not ask), and the speaker's time runs from ``granted_at`` to ``ended_at``."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    granted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Round(SQLModel, table=True):
    """One round of opinions on an item. Reconsideration (复议) opens a new round; earlier rounds stay."""

    __table_args__ = (UniqueConstraint("item_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    number: int
    called_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when opinions were called for
    chair_spoke_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str | None = Field(default=None, max_length=16)
    tally_json: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    head_adopt: bool | None = None
    head_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    defer_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reconsider_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reconsider_agreeing_json: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Opinion(SQLModel, table=True):
    """A member's current opinion in one round; the database enforces one per (item, round, member).

    The order given is the order of ``id`` (first statement); corrections keep the place and are kept as
    :class:`OpinionRevision` rows.
    """

    __table_args__ = (UniqueConstraint("item_id", "round_number", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    round_number: int
    person_id: int = Field(foreign_key="person.id", index=True)
    stance: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_chair: bool = False
    version: int = 1
    given_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # 代录: the secretary who recorded this version on the member's spoken word (his tablet offline), and when;
    # "" once the member gives, confirms or corrects it himself (migration meeting_0002_proxy)
    proxy_by: str = Field(default="", sa_column=Column(String(64), nullable=False, default="", server_default=""))
    proxy_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OpinionRevision(SQLModel, table=True):
    """Every version of every opinion, with the client-generated id that makes a resend idempotent."""

    id: int | None = Field(default=None, primary_key=True)
    opinion_id: int = Field(foreign_key="opinion.id", index=True)
    version: int
    stance: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    client_id: str = Field(index=True, unique=True, max_length=64)
    device: str = Field(default="", max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WrittenOpinion(SQLModel, table=True):
    """书面意见 of an absent member (seed 003 §四(二)2): recorded and shown; counted only if the profile says so."""

    __table_args__ = (UniqueConstraint("item_id", "round_number", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True)
    round_number: int
    person_id: int = Field(foreign_key="person.id", index=True)
    stance: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submitted_by: str = Field(max_length=16)  # secretary | self
    material_id: int | None = Field(default=None, foreign_key="material.id")
    client_id: str | None = Field(default=None, index=True, unique=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Event(SQLModel, table=True):
    """The append-only log of every state change: who, what, when, from which device. Minutes build on it.

    Hash-chained per meeting (:mod:`meeting.chain`): ``seq`` counts the meeting's events from 1, ``hash`` is the
    SHA-256 of the event's canonical form, which includes ``prev_hash``, the hash of the meeting's event before it.
    Events of no meeting (bodies, people) form one chain of their own."""

    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_kind: str = Field(max_length=16)  # user | api | member | chair | observer | system
    actor_id: int | None = None
    actor_name: str = Field(default="", max_length=64)
    device: str = Field(default="", max_length=200)
    kind: str = Field(max_length=48)
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    seq: int | None = None  # 1, 2, 3 … within the meeting's chain
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class ChainHead(SQLModel, table=True):
    """The last event of one chain (a meeting's; ``chain`` 0: the events of no meeting). The appending transaction
    locks this row (``FOR UPDATE``), so two workers appending to one meeting at once never fork its chain."""

    chain: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
