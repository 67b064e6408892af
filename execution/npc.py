"""People's-congress resolutions and review opinions (人大决议决定、审议意见; seed 004 如皋市实施意见).

The path of seed 004 §二: the government office registers each one, classifies it by department (归口整理) and
compiles them into batches (汇编); the mayor, executive vice-mayor and vice-mayors write instructions (批示); each
becomes supervised assignments; the department's handling plan is due within 2 weeks, the government's plan to
the standing committee within 1 month, the reply — signed by the unit's head and sealed — within 5 months of
receipt, the report within 6 months (profile ``[execution.npc]``, local settings, computed never typed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator
from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.errors import InvalidPayload, NotFound, YishiError
from meeting.schemas import Payload
from voting import deadlines
from voting.profiles import NPC_PERIODS, load_profile
from voting.sources import cite
from voting.vocabulary import ItemCategory

from . import access
from .audit import record_event
from .calendar import cn, coverage_notice, override_years, overrides
from .errors import DateInFuture
from .models import Assignment, NpcCase, Unit
from .supervision import _t

KIND_LABELS = {"resolution": "决议决定", "review_opinion": "审议意见"}
PERIOD_LABELS = {
    "department_plan": "承办单位处理方案报市政府",
    "government_plan": "市政府处理方案送人大常委会征求意见",
    "reply": "答复意见（主要负责人签字、加盖公章）报送",
    "report": "向人大常委会报告处理情况",
}


class ReplyOrder(YishiError):
    code = "npc_reply_order"
    msgid = "%(later)s（%(later_on)s）不能早于%(earlier)s（%(earlier_on)s）。"
    source = cite("rugao", "二2 第四至第六（初稿审核→签字盖章→报送）")


class NpcCaseIn(Payload):
    kind: Literal["resolution", "review_opinion"]
    number: Annotated[str, Field(max_length=64)] = ""
    title: Annotated[str, Field(min_length=1, max_length=200)]
    content: Annotated[str, Field(min_length=1, max_length=20000)]
    received_on: date
    department: Annotated[str, Field(max_length=100)] = ""  # unit name (归口); may be classified later
    compilation: Annotated[str, Field(max_length=64)] = ""
    leader_instructions: Annotated[str, Field(max_length=20000)] = ""


class ClassifyIn(Payload):
    department: Annotated[str, Field(max_length=100)] = ""
    compilation: Annotated[str, Field(max_length=64)] = ""
    leader_instructions: Annotated[str, Field(max_length=20000)] = ""


class ReplyIn(Payload):
    reply_draft: Annotated[str, Field(max_length=20000)] = ""
    reply_reviewer: Annotated[str, Field(max_length=64)] = ""
    reply_signed_on: date | None = None
    reply_sent_on: date | None = None

    @model_validator(mode="after")
    def _signed_before_sent(self) -> ReplyIn:
        if self.reply_sent_on and not self.reply_signed_on:
            raise ValueError("答复意见须经承办单位主要负责人签字、加盖公章后方可报送，请先填写签章日期")
        return self


class CaseAssignmentIn(Payload):
    """A supervised assignment from a case: the department leads; the deadline defaults to the reply's."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    lead_unit: Annotated[str, Field(min_length=1, max_length=100)]
    supporting_units: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)] = []
    responsible_leader: Annotated[str, Field(max_length=64)] = ""
    person_responsible: Annotated[str, Field(max_length=64)] = ""
    category: ItemCategory = ItemCategory.OTHER
    deadline: date | None = None
    public: bool = False


@dataclass(frozen=True)
class CaseDeadline:
    key: str
    label: str
    period_label: str
    due: date
    source: str
    done_on: date | None
    notice: str  # past the holiday calendar's years

    def state(self, today: date) -> str:
        """done | late (done after the due day) | overdue | due_soon (≤ 15 days) | open."""
        if self.done_on is not None:
            return "late" if self.done_on > self.due else "done"
        if today > self.due:
            return "overdue"
        return "due_soon" if (self.due - today).days <= 15 else "open"


STATE_LABELS = {"done": "已按时完成", "late": "逾期完成", "overdue": "已逾期", "due_soon": "即将到期", "open": "未到期"}


def case_deadlines(s: Session, case: NpcCase) -> list[CaseDeadline]:
    """All four periods of seed 004 from the day of receipt, with what is done: the reply's sent date; the
    department's plan when an assignment from the case has a filed plan (see :func:`department_plan_filed`)."""
    periods = load_profile().execution.npc
    ov = overrides(s)
    years = override_years(s)
    filed = department_plan_filed(s, case.id)
    done = {"reply": case.reply_sent_on, "department_plan": filed}
    out = []
    for key in NPC_PERIODS:
        p = periods[key]
        due = deadlines.due_date(case.received_on, p, ov if p.unit == "working_days" else None)
        out.append(
            CaseDeadline(key, PERIOD_LABELS[key], p.label, due, p.source, done.get(key), coverage_notice(due, years))
        )
    return out


def department_plan_filed(s: Session, case_id: int) -> date | None:
    from .models import ExecutionPlan

    first = s.exec(
        select(ExecutionPlan.filed_at)
        .join(Assignment, col(Assignment.id) == ExecutionPlan.assignment_id)
        .where(Assignment.npc_case_id == case_id)
        .order_by(col(ExecutionPlan.filed_at))
    ).first()
    if first is None:
        return None
    from meeting.clock import to_local

    return to_local(first).date()


def reply_warning(s: Session, case: NpcCase, today: date) -> str:
    """ "" or the sentence warning that the 5-month reply is late (sent late, or not sent and past due)."""
    reply = next(d for d in case_deadlines(s, case) if d.key == "reply")
    state = reply.state(today)
    if state == "late":
        return _t(
            "答复意见于%(sent)s报送，超过五个月的期限（%(due)s）。", sent=cn(case.reply_sent_on), due=cn(reply.due)
        )
    if state == "overdue":
        return _t(
            "答复意见应于%(due)s前报送（自收到之日起五个月内，%(src)s），已逾期%(days)d日。",
            due=cn(reply.due),
            src=cite("rugao", "二2 第六"),
            days=(today - reply.due).days,
        )
    if state == "due_soon":
        return _t("答复意见应于%(due)s前报送，还有%(days)d日。", due=cn(reply.due), days=(reply.due - today).days)
    return ""


def _department(s: Session, name: str) -> Unit | None:
    if not name.strip():
        return None
    from .service import unit_by_name

    return unit_by_name(s, name, create=True)


def register_case(s: Session, actor: Actor, data: NpcCaseIn, today: date) -> NpcCase:
    access.require_office(actor)
    if data.received_on > today:
        raise DateInFuture(what="收到日期", today=cn(today))
    unit = _department(s, data.department)
    case = NpcCase(
        kind=data.kind,
        number=data.number,
        title=data.title,
        content=data.content,
        received_on=data.received_on,
        department_unit_id=unit.id if unit else None,
        compilation=data.compilation,
        leader_instructions=data.leader_instructions,
        registered_by=actor.name[:64],
    )
    s.add(case)
    s.flush()
    record_event(
        s,
        actor,
        "npc.registered",
        None,
        case_id=case.id,
        kind=data.kind,
        title=data.title,
        received_on=data.received_on.isoformat(),
    )
    return case


def get_case(s: Session, case_id: int) -> NpcCase:
    case = s.get(NpcCase, case_id)
    if case is None:
        raise NotFound(what="人大决议决定或审议意见")
    return case


def classify(s: Session, actor: Actor, case_id: int, data: ClassifyIn) -> NpcCase:
    """归口分类 (department), 汇编 batch, 领导批示 (seed 004 §二1 第一、第二)."""
    access.require_office(actor)
    case = get_case(s, case_id)
    unit = _department(s, data.department)
    case.department_unit_id = unit.id if unit else None
    case.compilation = data.compilation
    case.leader_instructions = data.leader_instructions
    s.add(case)
    record_event(
        s,
        actor,
        "npc.classified",
        None,
        case_id=case.id,
        department=unit.name if unit else "",
        compilation=data.compilation,
        instructions=data.leader_instructions,
    )
    return case


def record_reply(s: Session, actor: Actor, case_id: int, data: ReplyIn, today: date) -> NpcCase:
    """The reply record: draft, reviewer (政府办分管主任 / 副市长), signed-and-sealed date, sent date."""
    access.require_office(actor)
    case = get_case(s, case_id)
    for what, day in (("签章日期", data.reply_signed_on), ("报送日期", data.reply_sent_on)):
        if day is not None and day > today:
            raise DateInFuture(what=what, today=cn(today))
    if data.reply_signed_on and data.reply_signed_on < case.received_on:
        raise ReplyOrder(
            later="签章日期", later_on=cn(data.reply_signed_on), earlier="收到日期", earlier_on=cn(case.received_on)
        )
    if data.reply_sent_on and data.reply_signed_on and data.reply_sent_on < data.reply_signed_on:
        raise ReplyOrder(
            later="报送日期", later_on=cn(data.reply_sent_on), earlier="签章日期", earlier_on=cn(data.reply_signed_on)
        )
    if (data.reply_signed_on or data.reply_sent_on) and not (data.reply_draft.strip() and data.reply_reviewer.strip()):
        raise InvalidPayload(detail=f"答复意见签章前须有答复初稿和审核人（{cite('rugao', '二2 第四')}）")
    case.reply_draft, case.reply_reviewer = data.reply_draft, data.reply_reviewer
    case.reply_signed_on, case.reply_sent_on = data.reply_signed_on, data.reply_sent_on
    s.add(case)
    record_event(
        s,
        actor,
        "npc.reply",
        None,
        case_id=case.id,
        reviewer=data.reply_reviewer,
        signed_on=data.reply_signed_on,
        sent_on=data.reply_sent_on,
    )
    return case


def create_assignment_from_case(s: Session, actor: Actor, case_id: int, data: CaseAssignmentIn) -> Assignment:
    """A supervised assignment (source npc) through execution.service.create_assignment: decided on the day of
    receipt, the case's content verbatim, milestones for the department plan and the government plan, the reply's
    due day as deadline unless an earlier one is given; its plan is due with the department plan (2 weeks)."""
    from .service import AssignmentIn, create_assignment

    access.require_office(actor)
    case = get_case(s, case_id)
    due = {d.key: d.due for d in case_deadlines(s, case)}
    deadline = data.deadline or due["reply"]
    milestones = [(PERIOD_LABELS[k], due[k]) for k in ("department_plan", "government_plan") if due[k] <= deadline]
    a = create_assignment(
        s,
        actor,
        AssignmentIn(
            title=data.title,
            decided_text=case.content,
            category=data.category,
            decided_on=case.received_on,
            lead_unit=data.lead_unit,
            supporting_units=data.supporting_units,
            responsible_leader=data.responsible_leader,
            person_responsible=data.person_responsible,
            deadline=deadline,
            milestones=milestones,
            public=data.public,
            source="npc",
            npc_case_id=case.id,
        ),
    )
    a.plan_due = due["department_plan"]  # seed 004 §二2 第一：原则上在两周内将处理方案报送市政府
    s.add(a)
    if case.department_unit_id is None:
        case.department_unit_id = a.lead_unit_id
        s.add(case)
    return a


def cases(s: Session, *, compilation: str | None = None, department_id: int | None = None) -> list[NpcCase]:
    q = select(NpcCase)
    if compilation:
        q = q.where(NpcCase.compilation == compilation)
    if department_id:
        q = q.where(NpcCase.department_unit_id == department_id)
    return list(s.exec(q.order_by(col(NpcCase.received_on).desc(), col(NpcCase.id).desc())))


def compilations(s: Session) -> list[str]:
    return sorted({c for c in s.exec(select(NpcCase.compilation)).all() if c}, reverse=True)


def compilation_groups(s: Session, name: str) -> list[tuple[str, list[NpcCase]]]:
    """汇编: the batch's cases grouped by department (归口), departments in name order, unclassified last."""
    units = {u.id: u.name for u in s.exec(select(Unit))}
    groups: dict[str, list[NpcCase]] = {}
    for case in sorted(cases(s, compilation=name), key=lambda c: (c.received_on, c.id)):
        groups.setdefault(units.get(case.department_unit_id, ""), []).append(case)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))


def assignments_of(s: Session, case_id: int) -> list[Assignment]:
    return list(s.exec(select(Assignment).where(Assignment.npc_case_id == case_id).order_by(col(Assignment.number))))


__all__ = [
    "KIND_LABELS",
    "PERIOD_LABELS",
    "STATE_LABELS",
    "CaseAssignmentIn",
    "ClassifyIn",
    "NpcCaseIn",
    "ReplyIn",
    "case_deadlines",
    "cases",
    "classify",
    "compilation_groups",
    "compilations",
    "create_assignment_from_case",
    "get_case",
    "record_reply",
    "register_case",
    "reply_warning",
]
