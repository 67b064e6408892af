"""Assignments (督办事项): created from the decided items of approved minutes (or from a people's-congress case),
numbered, given their computed plan deadline, linked to the lead and supporting units, and logged.

The contract other parts of execution/ build on (people's-congress cases, exports, the public page):
:class:`AssignmentIn`, :func:`create_assignment`, :func:`record_event`, :func:`unit_by_name`, :func:`today`.
Services run inside the caller's transaction (``with unit_of_work() as s``) and raise typed refusals before
anything changes.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Annotated, Literal

from flask import current_app, has_app_context
from pydantic import Field, field_validator, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.clock import DEFAULT_ZONE, to_local, utcnow
from meeting.errors import InvalidPayload, NotFound
from meeting.models import AgendaItem, Body, Meeting, Person, Round
from meeting.schemas import Id, Payload
from minutes.models import APPROVED, ARCHIVED, Minutes, MinutesItem
from minutes.record import Texts, decision_text
from voting import deadlines
from voting.profiles import DEFAULT_PROFILE, load_profile
from voting.vocabulary import ITEM_RESULT_LABELS, ItemCategory, ItemResult

from . import access
from .audit import record_event
from .errors import (
    ConfidentialNotPublic,
    DeadlineBeforeDecision,
    ItemNotDecided,
    MinutesNotApproved,
    NotVerbatim,
    UnitInactive,
)
from .models import LEAD, SUPPORT, Assignment, AssignmentUnit, HolidayOverride, Milestone, NpcCase, Unit

DECIDED_RESULTS = (ItemResult.PASSED.value, ItemResult.HEAD_ADOPTED.value)

UnitName = Annotated[str, Field(min_length=1, max_length=100)]
Name = Annotated[str, Field(max_length=64)]


class AssignmentIn(Payload):
    """One assignment: the decided text verbatim, who leads, who supports, who is responsible, by when."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    decided_text: Annotated[str, Field(min_length=1, max_length=20000)]
    category: ItemCategory
    decided_on: date
    lead_unit: UnitName  # created if unknown
    supporting_units: Annotated[list[UnitName], Field(max_length=50)] = []
    supporting_parts: dict[str, Annotated[str, Field(max_length=2000)]] = {}  # unit name → its part (分工)
    responsible_leader: Name = ""  # 分管领导
    coordinating_leader: Name = ""  # 协调领导 (an item spanning two leaders; seed 003 §四(三))
    leader_person_id: Id | None = None  # who the responsible leader is (their account)
    coordinating_person_id: Id | None = None  # who the coordinating leader is
    person_responsible: Name = ""  # 责任人
    deadline: date | None = None
    milestones: Annotated[
        list[tuple[Annotated[str, Field(min_length=1, max_length=200)], date]], Field(max_length=50)
    ] = []
    public: bool = False
    source: Literal["meeting", "npc"] = "meeting"
    meeting_id: Id | None = None
    item_id: Id | None = None
    npc_case_id: Id | None = None

    @field_validator("supporting_units")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        names = [x.strip() for x in v if x.strip()]
        if len(set(names)) != len(names):
            raise ValueError("同一单位不能重复列为配合单位")
        return names

    @model_validator(mode="after")
    def _consistent(self) -> AssignmentIn:
        if self.lead_unit.strip() in self.supporting_units:
            raise ValueError("牵头单位不能同时列为配合单位")
        for name in self.supporting_parts:
            if name not in self.supporting_units:
                raise ValueError(f"“{name}”不是本事项的配合单位")
        if self.source == "npc" and self.npc_case_id is None:
            raise ValueError("人大决议决定、审议意见的督办事项须关联案件")
        if self.meeting_id is not None and self.item_id is None:
            raise ValueError("会议决策的督办事项须指明议题")
        return self


# ---------------------------------------------------------------- the day, units


def today() -> date:
    """Today in the configured zone. Tests and demonstrations pin it with ``YISHI_TODAY`` (config or environment,
    YYYY-MM-DD); nothing else ever freezes the clock."""
    pinned = None
    zone = DEFAULT_ZONE
    if has_app_context():
        pinned = current_app.config.get("YISHI_TODAY")
        zone = current_app.config.get("YISHI_TIMEZONE", DEFAULT_ZONE)
    pinned = pinned or os.environ.get("YISHI_TODAY")
    if isinstance(pinned, date):
        return pinned
    if pinned:
        return date.fromisoformat(str(pinned))
    return to_local(utcnow(), zone).date()


def unit_by_name(s: Session, name: str, create: bool = False) -> Unit:
    """The unit of that name (spaces trimmed); created when ``create`` and unknown, NotFound otherwise."""
    name = (name or "").strip()
    if not name:
        raise InvalidPayload(detail="单位名称不能为空")
    unit = s.exec(select(Unit).where(Unit.name == name)).first()
    if unit is None:
        if not create:
            raise NotFound(what=f"单位“{name}”")
        unit = Unit(name=name[:100])
        s.add(unit)
        s.flush()
    return unit


def overrides(s: Session) -> dict[date, bool]:
    """The office's own calendar entries (HolidayOverride): date → is a working day."""
    return {h.day: h.working for h in s.exec(select(HolidayOverride))}


def profile_name(s: Session, meeting_id: int | None) -> str:
    if meeting_id is None:
        return DEFAULT_PROFILE
    meeting = s.get(Meeting, meeting_id)
    body = s.get(Body, meeting.body_id) if meeting else None
    return body.profile if body else DEFAULT_PROFILE


def plan_due_for(s: Session, decided_on: date, meeting_id: int | None = None) -> date:
    """执行工作方案 due: the profile's plan_due period after the decision (seed 000 第15条); computed, never typed."""
    period = load_profile(profile_name(s, meeting_id)).execution.plan_due
    return deadlines.due_date(decided_on, period, overrides(s) if period.unit == "working_days" else None)


def next_number(s: Session, year: int) -> str:
    """督办编号 YYYY-NNN, numbered per year of the decision."""
    prefix = f"{year}-"
    taken = s.exec(select(Assignment.number).where(col(Assignment.number).startswith(prefix))).all()
    n = max((int(x.split("-", 1)[1]) for x in taken if x.split("-", 1)[1].isdigit()), default=0) + 1
    return f"{prefix}{n:03d}"  # numeric max, not text order: 2024-1000 follows 2024-999


# ---------------------------------------------------------------- the decided item behind an assignment


def meeting_day(meeting: Meeting, zone: str = DEFAULT_ZONE) -> date:
    return to_local(meeting.starts_at, zone).date()


def item_result(s: Session, item: AgendaItem) -> str | None:
    rnd = s.exec(select(Round).where(Round.item_id == item.id, Round.number == item.round)).first()
    return rnd.result if rnd else None


def item_decision(s: Session, minutes: Minutes, item_id: int) -> tuple[str, MinutesItem | None]:
    """会议议定 of one item as the minutes print it (text, units and deadline) and the secretary's texts."""
    t = s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id, MinutesItem.item_id == item_id)).first()
    if t is None:
        return "", None
    texts = Texts(decided=t.decided, lead_unit=t.lead_unit, supporting_units=t.supporting_units, deadline=t.deadline)
    item = s.get(AgendaItem, item_id)  # a personnel item's text gets no generated 由…牵头 (as the minutes print it)
    return decision_text(texts, personnel=item is not None and item.category == ItemCategory.PERSONNEL), t


def _squash(text: str) -> str:
    return "".join(text.split())


def check_decided_item(
    s: Session, item_id: int, meeting_id: int | None, decided_text: str, decided_on: date
) -> AgendaItem:
    """The item exists, its minutes are approved (or archived), it passed, and the text is taken from them."""
    item = s.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(what="议题")
    if meeting_id is not None and item.meeting_id != meeting_id:
        raise InvalidPayload(detail="议题不属于该会议")
    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == item.meeting_id)).first()
    if minutes is None or minutes.status not in (APPROVED, ARCHIVED):
        raise MinutesNotApproved()
    result = item_result(s, item)
    if item.status != "closed" or result not in DECIDED_RESULTS:
        label = ITEM_RESULT_LABELS.get(ItemResult(result), result) if result else "未作出决定"
        raise ItemNotDecided(title=item.title, result=label)
    text, texts = item_decision(s, minutes, item.id)
    said = _squash(decided_text)
    if not said or not any(said in _squash(x) for x in (text, texts.decided if texts else "") if x):
        raise NotVerbatim()
    meeting = s.get(Meeting, item.meeting_id)
    zone = current_app.config.get("YISHI_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    day = meeting_day(meeting, zone)
    if decided_on != day:
        raise InvalidPayload(detail=f"决策日期须为会议召开之日（{day.year}年{day.month}月{day.day}日）")
    return item


# ---------------------------------------------------------------- create


def create_assignment(s: Session, actor: Actor, data: AssignmentIn) -> Assignment:
    """Create one ledger row: number it (YYYY-NNN per year of the decision), compute ``plan_due`` from the rule
    profile, link the lead and supporting units, record the event. A confidential (or personnel) item's decision is
    never public. Refusals change nothing."""
    access.require_creator(actor)
    item = None
    meeting_id = data.meeting_id
    if data.item_id is not None:
        item = check_decided_item(s, data.item_id, data.meeting_id, data.decided_text, data.decided_on)
        meeting_id = item.meeting_id
        if data.public and (item.confidential or item.category == ItemCategory.PERSONNEL):
            raise ConfidentialNotPublic()
    if data.npc_case_id is not None and s.get(NpcCase, data.npc_case_id) is None:
        raise NotFound(what="人大决议决定或审议意见")
    if data.deadline is not None and data.deadline < data.decided_on:
        raise DeadlineBeforeDecision(what="完成时限", decided_on=_cn(data.decided_on))
    for title, due in data.milestones:
        if due < data.decided_on:
            raise DeadlineBeforeDecision(what=f"节点“{title}”", decided_on=_cn(data.decided_on))
    # the leaders are bound to people (ids) now, once: given, or the one person of that name; a name shared by two
    # people binds no one until the office picks the person (access never matches a name)
    leader_person_id = data.leader_person_id or access.person_named(s, data.responsible_leader)
    coordinating_person_id = data.coordinating_person_id or access.person_named(s, data.coordinating_leader)
    for pid, what in ((leader_person_id, "分管领导"), (coordinating_person_id, "协调领导")):
        if pid is not None and s.get(Person, pid) is None:
            raise NotFound(what=what)

    lead = unit_by_name(s, data.lead_unit, create=True)
    supporting = [unit_by_name(s, name, create=True) for name in data.supporting_units]
    for u in (lead, *supporting):
        if not u.active:
            raise UnitInactive(name=u.name)
    a = Assignment(
        number="",
        source=data.source,
        meeting_id=meeting_id,
        item_id=data.item_id,
        npc_case_id=data.npc_case_id,
        title=data.title,
        decided_text=data.decided_text,
        category=data.category.value,
        decided_on=data.decided_on,
        responsible_leader=data.responsible_leader,
        leader_person_id=leader_person_id,
        coordinating_leader=data.coordinating_leader,
        coordinating_person_id=coordinating_person_id,
        lead_unit_id=lead.id,
        person_responsible=data.person_responsible,
        deadline=data.deadline,
        original_deadline=data.deadline,
        plan_due=plan_due_for(s, data.decided_on, meeting_id),
        public=data.public,
        created_by=actor.name[:64],
    )
    for attempt in range(5):  # two people numbering at the same instant: the unique index decides, the loser retries
        a.number = next_number(s, data.decided_on.year)
        try:
            with s.begin_nested():
                s.add(a)
                s.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    s.add(AssignmentUnit(assignment_id=a.id, unit_id=lead.id, role=LEAD))
    for u in supporting:
        s.add(
            AssignmentUnit(assignment_id=a.id, unit_id=u.id, role=SUPPORT, part=data.supporting_parts.get(u.name, ""))
        )
    for title, due in data.milestones:
        s.add(Milestone(assignment_id=a.id, title=title, due=due))
    s.flush()
    record_event(s, actor, "assignment.created", a.id, number=a.number, **data.model_dump(mode="json"))
    return a


def _cn(d: date | datetime | None) -> str:
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


__all__ = ["AssignmentIn", "create_assignment", "next_number", "plan_due_for", "record_event", "today", "unit_by_name"]
