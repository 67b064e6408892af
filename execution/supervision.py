"""The supervision office (督查室): the dashboard of what is due and overdue, in-app notifications to units (the
daily sweep), reminder notices (催办单) and the accountability log (问责).

- The office keeps the ledger and reports status and problems (seed 000 第9、19条); tracking is list-based,
  rolling and closed by ticking off (清单式、滚动式、销号式, seed 004 §三2).
- The execution plan is due within 30 days (seed 000 第15条): a plan not filed by then is flagged.
- 责令改正 → 约谈 → 通报 (seed 000 第27条); two interviews in a year → 通报批评 (seed 004 §二3; voting.accountability).

Services run inside the caller's transaction and raise typed refusals before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal, TypeVar

from flask_babel import gettext
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from meeting import schemas as meeting_schemas
from meeting.actors import Actor
from meeting.clock import utcnow
from meeting.errors import InvalidPayload, NotFound, YishiError
from meeting.schemas import Id, Payload
from voting import accountability as rules
from voting.sources import cite

from . import ledger
from .audit import record_event
from .calendar import cn
from .errors import AssignmentClosed, DateInFuture
from .models import (
    CLOSED,
    COMPLETED,
    LEAD,
    PENDING,
    AccountabilityAction,
    Assignment,
    AssignmentUnit,
    Complaint,
    ExecutionPlan,
    ExtensionRequest,
    Notification,
    Reminder,
    Unit,
)

P = TypeVar("P", bound=BaseModel)


class ReplyByPast(YishiError):
    code = "reply_by_past"
    msgid = "催办单的报送期限（%(reply_by)s）不能早于今天（%(today)s）。"


class UnitNotOnAssignment(YishiError):
    code = "unit_not_on_assignment"
    http_status = 409
    msgid = "“%(unit)s”不是督办事项%(number)s的牵头或配合单位。"
    source = cite("huhhot", "第十条、第十三条")


OFFICE_LABELS = {
    "unit_id": "单位",
    "assignment_id": "督办事项",
    "content": "内容",
    "reply_by": "报送期限",
    "kind": "问责方式",
    "on": "日期",
    "reason": "事由",
    "day": "日期",
    "working": "类型",
    "name": "名称",
    "number": "文号",
    "title": "标题",
    "received_on": "收到日期",
    "department": "归口单位",
    "compilation": "汇编批次",
    "leader_instructions": "领导批示",
    "reply_draft": "答复初稿",
    "reply_reviewer": "审核人",
    "reply_signed_on": "签章日期",
    "reply_sent_on": "报送日期",
    "lead_unit": "牵头单位",
    "supporting_units": "配合单位",
    "responsible_leader": "分管领导",
    "person_responsible": "责任人",
    "category": "类别",
    "deadline": "完成时限",
    "public": "公开",
    "contact": "联系方式",
    "answer": "答复内容",
    "channel": "来源渠道",
}


def parse_in(
    model: type[P], data: object, labels: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> P:
    """Validate a form or JSON body, or raise InvalidPayload naming the field in Chinese (nothing changes)."""
    return meeting_schemas.parse(model, data, labels={**OFFICE_LABELS, **(labels or {})}, errors=errors)


def _zh(msgid: str, **params) -> str:
    """A notice as stored: always the Chinese original — it is part of the record, and it must not take the
    language of whichever page load (or English-speaking officer) happened to create it."""
    return msgid % params if params else msgid


def _t(msgid: str, **params) -> str:
    """Translated when a locale is at hand (a page), the Chinese original otherwise (the CLI sweep)."""
    try:
        return gettext(msgid, **params)
    except (RuntimeError, KeyError):
        return msgid % params if params else msgid


# ---------------------------------------------------------------- the dashboard


@dataclass
class Dashboard:
    today: date
    due: list[ledger.LedgerRow] = field(default_factory=list)  # blue / yellow, not yet overdue
    overdue: list[ledger.LedgerRow] = field(default_factory=list)
    plans_overdue: list[ledger.LedgerRow] = field(default_factory=list)
    extensions: list[tuple[ExtensionRequest, Assignment, Unit]] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    open_count: int = 0

    def by_warning(self, level: str) -> list[ledger.LedgerRow]:
        return [r for r in self.due if r.warning == level]


def unplanned_ids(s: Session, ids: list[int]) -> set[int]:
    """Of ``ids``, the assignments without any execution plan filed."""
    if not ids:
        return set()
    planned = set(s.exec(select(ExecutionPlan.assignment_id).where(col(ExecutionPlan.assignment_id).in_(ids))).all())
    return set(ids) - planned


def plan_overdue(row: ledger.LedgerRow, today: date, unplanned: set[int]) -> bool:
    """执行工作方案 not filed and its due day (plan_due, seed 000 第15条) passed; finished rows are not chased."""
    a = row.assignment
    return a.status not in (COMPLETED, CLOSED) and a.plan_due is not None and today > a.plan_due and a.id in unplanned


def dashboard(s: Session, today: date) -> Dashboard:
    rows = ledger.rows(s, today)
    active = [r for r in rows if r.assignment.status not in (COMPLETED, CLOSED)]
    unplanned = unplanned_ids(s, [r.assignment.id for r in active])
    d = Dashboard(today=today, open_count=len(active))
    d.overdue = sorted((r for r in active if r.status == ledger.OVERDUE), key=lambda r: r.assignment.deadline)
    d.due = sorted(
        (r for r in active if r.status != ledger.OVERDUE and r.warning in ("blue", "yellow")),
        key=lambda r: r.assignment.deadline,
    )
    d.plans_overdue = sorted(
        (r for r in active if plan_overdue(r, today, unplanned)), key=lambda r: r.assignment.plan_due
    )
    d.extensions = list(
        s.exec(
            select(ExtensionRequest, Assignment, Unit)
            .join(Assignment, col(Assignment.id) == ExtensionRequest.assignment_id)
            .join(Unit, col(Unit.id) == ExtensionRequest.unit_id)
            .where(ExtensionRequest.status == PENDING)
            .order_by(col(ExtensionRequest.requested_at))
        ).all()
    )
    d.complaints = list(
        s.exec(select(Complaint).where(col(Complaint.answered_at).is_(None)).order_by(col(Complaint.received_at))).all()
    )
    return d


# ---------------------------------------------------------------- notifications and the sweep


def notify(s: Session, unit_id: int, assignment_id: int | None, kind: str, text: str, dedupe_key: str = "") -> bool:
    """Add one notification; with a ``dedupe_key`` already used, nothing (returns False). Race-safe: the key is
    unique in the database and the insert runs in a savepoint."""
    if dedupe_key and s.exec(select(Notification.id).where(Notification.dedupe_key == dedupe_key)).first():
        return False
    try:
        with s.begin_nested():
            s.add(
                Notification(
                    unit_id=unit_id, assignment_id=assignment_id, kind=kind[:16], text=text, dedupe_key=dedupe_key[:100]
                )
            )
    except IntegrityError:
        return False
    return True


def sweep(s: Session, today: date) -> int:
    """The day's notices to units: due soon (blue / yellow warning), overdue, plan overdue — one per assignment,
    unit, kind and day (dedupe_key), so running it from every page load, and from ``run.py execution-sweep``,
    is harmless. Returns how many were created."""
    rows = [r for r in ledger.rows(s, today) if r.assignment.status not in (COMPLETED, CLOSED)]
    if not rows:
        return 0
    ids = [r.assignment.id for r in rows]
    unplanned = unplanned_ids(s, ids)
    units: dict[int, list[tuple[int, str]]] = {}
    for link in s.exec(select(AssignmentUnit).where(col(AssignmentUnit.assignment_id).in_(ids))).all():
        units.setdefault(link.assignment_id, []).append((link.unit_id, link.role))
    created = 0
    day = today.isoformat()
    # today's keys in one query, so that a page load after the first of the day inserts and asks nothing more
    done = set(
        s.exec(
            select(Notification.dedupe_key).where(
                col(Notification.dedupe_key).endswith(f":{day}"), col(Notification.assignment_id).in_(ids)
            )
        ).all()
    )
    for r in rows:
        a = r.assignment
        head = _zh("督办事项%(number)s“%(title)s”", number=a.number, title=a.title)
        notices: list[tuple[str, str, bool]] = []  # kind, text, lead unit only
        if r.status == ledger.OVERDUE:
            notices.append(
                (
                    "overdue",
                    head
                    + _zh(
                        "已逾期%(days)d日（完成时限%(deadline)s），请抓紧办理并报送进展情况。",
                        days=(today - a.deadline).days,
                        deadline=cn(a.deadline),
                    ),
                    False,
                )
            )
        elif r.warning in ("blue", "yellow"):
            notices.append(
                (
                    "due_soon",
                    head
                    + _zh(
                        "距完成时限（%(deadline)s）还有%(days)d日（%(warning)s）。",
                        deadline=cn(a.deadline),
                        days=(a.deadline - today).days,
                        warning=_zh(r.warning_label),
                    ),
                    False,
                )
            )
        if plan_overdue(r, today, unplanned):
            notices.append(
                (
                    "plan_overdue",
                    head
                    + _zh(
                        "的执行工作方案应于%(due)s前报送，至今未报送（决策作出后30日内制定，%(src)s）。",
                        due=cn(a.plan_due),
                        src=cite("huhhot", "第十五条"),
                    ),
                    True,
                )
            )
        for kind, text, lead_only in notices:
            for unit_id, role in units.get(a.id, []):
                if lead_only and role != LEAD:
                    continue
                key = f"{kind}:{a.id}:{unit_id}:{day}"
                if key not in done:
                    created += notify(s, unit_id, a.id, kind, text, key)
    return created


def notifications_for(s: Session, unit_id: int, *, unread_only: bool = False, limit: int = 200) -> list[Notification]:
    """A unit's notifications, newest first (C's unit home and the notifications page show them)."""
    q = select(Notification).where(Notification.unit_id == unit_id)
    if unread_only:
        q = q.where(col(Notification.read_at).is_(None))
    return list(s.exec(q.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(limit)))


def unread_count(s: Session, unit_id: int) -> int:
    return s.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.unit_id == unit_id, col(Notification.read_at).is_(None))
    ).one()


def mark_read(s: Session, unit_id: int, ids: list[int] | None = None) -> int:
    """Mark the unit's notifications read (all, or those of ``ids`` that are its own). Returns how many."""
    q = select(Notification).where(Notification.unit_id == unit_id, col(Notification.read_at).is_(None))
    if ids is not None:
        if not ids:
            return 0
        q = q.where(col(Notification.id).in_(ids))
    now, n = utcnow(), 0
    for note in s.exec(q).all():
        note.read_at = now
        s.add(note)
        n += 1
    return n


# ---------------------------------------------------------------- reminder notices (催办单)


class ReminderIn(Payload):
    unit_id: Id | None = None  # default: the lead unit
    content: Annotated[str, Field(min_length=1, max_length=5000)]
    reply_by: date | None = None


def reminder_prefix(year: int) -> str:
    return f"催办〔{year}〕"


def next_reminder_number(s: Session, year: int) -> str:
    """催办〔2024〕3号: numbered per calendar year of issue."""
    prefix = reminder_prefix(year)
    taken = s.exec(select(Reminder.number).where(col(Reminder.number).startswith(prefix))).all()
    n = max(
        (int(x[len(prefix) :].removesuffix("号")) for x in taken if x[len(prefix) :].removesuffix("号").isdigit()),
        default=0,
    )
    return f"{prefix}{n + 1}号"


def default_reminder_text(a: Assignment, unit: Unit, today: date) -> str:
    """The notice's usual wording, which the office edits before issuing."""
    text = _t(
        "%(unit)s：\n    %(date)s议定的督办事项“%(title)s”（督办编号%(number)s）",
        unit=unit.name,
        date=cn(a.decided_on),
        title=a.title,
        number=a.number,
    )
    if a.deadline is not None and today > a.deadline:
        text += _t(
            "，完成时限为%(deadline)s，现已逾期%(days)d日。", deadline=cn(a.deadline), days=(today - a.deadline).days
        )
    elif a.deadline is not None:
        text += _t(
            "，完成时限为%(deadline)s，距完成时限还有%(days)d日。",
            deadline=cn(a.deadline),
            days=(a.deadline - today).days,
        )
    else:
        text += "。"
    return text + _t("请你单位高度重视，抓紧推进落实，并将办理进展、存在问题及下一步措施书面报送督查室。")


def issue_reminder(s: Session, actor: Actor, assignment_id: int, data: ReminderIn, today: date) -> Reminder:
    """Issue a numbered 催办单 to the lead unit (or a supporting unit) and notify it in the app."""
    a = s.get(Assignment, assignment_id)
    if a is None:
        raise NotFound(what="督办事项")
    if a.status == CLOSED:
        raise AssignmentClosed(number=a.number, what="催办")
    unit_id = data.unit_id or a.lead_unit_id
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound(what="单位")
    if (
        s.exec(
            select(AssignmentUnit.id).where(AssignmentUnit.assignment_id == a.id, AssignmentUnit.unit_id == unit.id)
        ).first()
        is None
    ):
        raise UnitNotOnAssignment(unit=unit.name, number=a.number)
    if data.reply_by is not None and data.reply_by < today:
        raise ReplyByPast(reply_by=cn(data.reply_by), today=cn(today))
    for _attempt in range(5):
        number = next_reminder_number(s, today.year)
        r = Reminder(
            number=number,
            assignment_id=a.id,
            unit_id=unit.id,
            content=data.content,
            reply_by=data.reply_by,
            issued_by=actor.name[:64],
        )
        try:
            with s.begin_nested():
                s.add(r)
            break
        except IntegrityError:  # another office clerk took the number at the same moment
            continue
    else:  # pragma: no cover - five collisions in a row
        raise InvalidPayload(detail="催办单编号冲突，请重试")
    text = _zh("督查室向你单位发出%(number)s，督办事项%(a)s“%(title)s”", number=r.number, a=a.number, title=a.title)
    if r.reply_by:
        text += _zh("，请于%(date)s前书面报送办理情况。", date=cn(r.reply_by))
    else:
        text += "。"
    notify(s, unit.id, a.id, "reminder", text, f"reminder:{r.id}")
    record_event(
        s,
        actor,
        "reminder.issued",
        a.id,
        number=r.number,
        unit=unit.name,
        reply_by=r.reply_by.isoformat() if r.reply_by else None,
    )
    return r


def reminders(s: Session, assignment_id: int | None = None) -> list[tuple[Reminder, Assignment, Unit]]:
    q = (
        select(Reminder, Assignment, Unit)
        .join(Assignment, col(Assignment.id) == Reminder.assignment_id)
        .join(Unit, col(Unit.id) == Reminder.unit_id)
    )
    if assignment_id is not None:
        q = q.where(Reminder.assignment_id == assignment_id)
    return list(s.exec(q.order_by(col(Reminder.issued_at).desc(), col(Reminder.id).desc())).all())


def reminder(s: Session, reminder_id: int) -> tuple[Reminder, Assignment, Unit]:
    r = s.get(Reminder, reminder_id)
    if r is None:
        raise NotFound(what="催办单")
    return r, s.get(Assignment, r.assignment_id), s.get(Unit, r.unit_id)


# ---------------------------------------------------------------- accountability (问责)


class AccountabilityIn(Payload):
    unit_id: Id
    assignment_id: Id | None = None
    kind: Literal["correction", "interview", "notice"]
    on: date
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


@dataclass
class UnitRecord:
    unit: Unit
    interviews: int
    criticism_due: bool  # 通报批评 (seed 004 §二3)


@dataclass
class AccountabilityLog:
    year: int
    entries: list[tuple[AccountabilityAction, Unit, Assignment | None]]
    units: list[UnitRecord]


def record_action(s: Session, actor: Actor, data: AccountabilityIn, today: date) -> UnitRecord:
    """Record 责令改正 / 约谈 / 通报 with its date, reason and author; returns the unit's interview count for the
    action's year and whether 通报批评 is now called for."""
    unit = s.get(Unit, data.unit_id)
    if unit is None:
        raise NotFound(what="单位")
    if data.on > today:
        raise DateInFuture(what="问责日期", today=cn(today))
    if data.assignment_id is not None:
        a = s.get(Assignment, data.assignment_id)
        if a is None:
            raise NotFound(what="督办事项")
        if (
            s.exec(
                select(AssignmentUnit.id).where(AssignmentUnit.assignment_id == a.id, AssignmentUnit.unit_id == unit.id)
            ).first()
            is None
        ):
            raise UnitNotOnAssignment(unit=unit.name, number=a.number)
    action = AccountabilityAction(
        unit_id=unit.id,
        assignment_id=data.assignment_id,
        kind=data.kind,
        on=data.on,
        reason=data.reason,
        author=actor.name[:64],
    )
    s.add(action)
    s.flush()
    label = rules.ACTION_LABELS[rules.ActionKind(data.kind)]
    notify(
        s,
        unit.id,
        data.assignment_id,
        "accountability",
        _zh("督查室于%(date)s对你单位%(what)s：%(reason)s", date=cn(data.on), what=_zh(label), reason=data.reason),
        f"accountability:{action.id}",
    )
    record_event(
        s,
        actor,
        "accountability.recorded",
        data.assignment_id,
        unit=unit.name,
        kind=data.kind,
        on=data.on.isoformat(),
        reason=data.reason,
    )
    count = rules.interviews_in_year(_unit_actions(s, unit.id), data.on.year)
    return UnitRecord(unit, count, rules.criticism_due(count))


def _unit_actions(s: Session, unit_id: int) -> list[tuple[str, date]]:
    return [
        (k, on)
        for k, on in s.exec(
            select(AccountabilityAction.kind, AccountabilityAction.on).where(AccountabilityAction.unit_id == unit_id)
        ).all()
    ]


def accountability_log(s: Session, year: int) -> AccountabilityLog:
    """The year's actions, newest first, and per unit its 约谈 count with the 通报批评 flag."""
    entries = []
    for action, unit in s.exec(
        select(AccountabilityAction, Unit)
        .join(Unit, col(Unit.id) == AccountabilityAction.unit_id)
        .order_by(col(AccountabilityAction.on).desc(), col(AccountabilityAction.id).desc())
    ):
        if action.on.year != year:
            continue
        entries.append((action, unit, s.get(Assignment, action.assignment_id) if action.assignment_id else None))
    counts = rules.interview_counts(((a.unit_id, a.kind, a.on) for a, _u, _x in entries), year)
    units = {u.id: u for _a, u, _x in entries}
    records = sorted(
        (UnitRecord(units[uid], n, rules.criticism_due(n)) for uid, n in counts.items()),
        key=lambda r: (-r.interviews, r.unit.name),
    )
    return AccountabilityLog(year, entries, records)


__all__ = [
    "AccountabilityIn",
    "Dashboard",
    "ReminderIn",
    "accountability_log",
    "dashboard",
    "default_reminder_text",
    "issue_reminder",
    "mark_read",
    "notifications_for",
    "notify",
    "record_action",
    "reminder",
    "reminders",
    "sweep",
    "unread_count",
]
