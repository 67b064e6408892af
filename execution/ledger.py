"""The ledger's rows (督查台账) with their derived status and warning level — the one query every screen, export
and the public page share, so that 逾期 and the warning colours mean the same everywhere.

Stored status is 未启动 / 推进中 / 已办结 / 已销号; 逾期 is derived: an assignment not finished whose deadline has
passed (voting.deadlines.is_overdue). Warning levels come from voting.deadlines.warning_level with the profile's
thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from meeting.http import date_arg, int_arg
from voting import deadlines
from voting.profiles import load_profile

from .models import CLOSED, COMPLETED, IN_PROGRESS, LEAD, NOT_STARTED, SUPPORT, Assignment, AssignmentUnit, Unit

OVERDUE = "overdue"
STATUS_LABELS = {
    NOT_STARTED: "未启动",
    IN_PROGRESS: "推进中",
    COMPLETED: "已办结",
    OVERDUE: "逾期",
    CLOSED: "已销号",
}
WARNING_LABELS = {"none": "", "blue": "蓝色预警", "yellow": "黄色预警", "red": "红色预警"}


def display_status(a: Assignment, today: date) -> str:
    """未启动 / 推进中 / 已办结 / 逾期 / 已销号 — overdue wins over not started and in progress."""
    finished = a.status in (COMPLETED, CLOSED)
    if deadlines.is_overdue(a.deadline, today, finished):
        return OVERDUE
    return a.status


def finished_label(label: str, deadline: date | None, finished_on: date | None) -> str:
    """已销号 / 已办结 as the 台账 prints it: "已销号（逾期3日）" when it was finished after its deadline (the deadline
    day itself is in time, as :func:`voting.deadlines.is_overdue` counts), the bare label when on time or undated."""
    if deadline is None or finished_on is None or finished_on <= deadline:
        return label
    return f"{label}（逾期{(finished_on - deadline).days}日）"


def warning_of(a: Assignment, today: date, thresholds: deadlines.WarningThresholds | None = None) -> str:
    thresholds = thresholds or load_profile().execution.warning
    return deadlines.warning_level(a.deadline, today, a.status in (COMPLETED, CLOSED), thresholds).value


@dataclass
class LedgerRow:
    assignment: Assignment
    lead_unit: str
    supporting_units: list[str] = field(default_factory=list)
    status: str = NOT_STARTED  # display status (with overdue)
    warning: str = "none"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def warning_label(self) -> str:
        return WARNING_LABELS[self.warning]


@dataclass
class LedgerFilter:
    unit_id: int | None = None  # lead or supporting
    leader: str | None = None
    meeting_id: int | None = None
    category: str | None = None
    status: str | None = None  # display status, including overdue
    warning: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    source: str | None = None  # meeting | npc
    public_only: bool = False
    keyword: str | None = None


KEYWORD_MAX = 100


def filter_from(args: Mapping[str, str]) -> LedgerFilter:
    """The ledger's filters from a query string, the same for the ledger page, its exports and the API.

    ``unit``/``meeting``/``keyword`` are accepted for ``unit_id``/``meeting_id``/``q`` (links printed on exports
    use them); text is stripped; a malformed date or number is refused naming the parameter."""

    def text(*names: str) -> str | None:
        return next(((args.get(n) or "").strip() for n in names if (args.get(n) or "").strip()), None)

    def num(*names: str) -> int | None:
        return next((int_arg(n, args) for n in names if (args.get(n) or "").strip()), None)

    keyword = text("q", "keyword")
    return LedgerFilter(
        unit_id=num("unit_id", "unit"),
        leader=text("leader"),
        meeting_id=num("meeting_id", "meeting"),
        category=text("category"),
        status=text("status"),
        warning=text("warning"),
        due_before=date_arg("due_before", args),
        due_after=date_arg("due_after", args),
        source=text("source"),
        keyword=keyword[:KEYWORD_MAX] if keyword else None,
    )


def rows(
    s: Session,
    today: date,
    f: LedgerFilter | None = None,
    *,
    only_ids: Iterable[int] | None = None,
    thresholds: deadlines.WarningThresholds | None = None,
) -> list[LedgerRow]:
    """Ledger rows in number order, filtered. ``only_ids`` limits to those assignments (a unit's own)."""
    f = f or LedgerFilter()
    thresholds = thresholds or load_profile().execution.warning
    q = select(Assignment).order_by(col(Assignment.number))
    if only_ids is not None:
        q = q.where(col(Assignment.id).in_(list(only_ids)))
    if f.unit_id is not None:
        q = q.where(
            col(Assignment.id).in_(select(AssignmentUnit.assignment_id).where(AssignmentUnit.unit_id == f.unit_id))
        )
    if f.leader:
        q = q.where((Assignment.responsible_leader == f.leader) | (Assignment.coordinating_leader == f.leader))
    if f.meeting_id is not None:
        q = q.where(Assignment.meeting_id == f.meeting_id)
    if f.category:
        q = q.where(Assignment.category == f.category)
    if f.source:
        q = q.where(Assignment.source == f.source)
    if f.due_before is not None:
        q = q.where(col(Assignment.deadline) <= f.due_before)
    if f.due_after is not None:
        q = q.where(col(Assignment.deadline) >= f.due_after)
    if f.public_only:
        q = q.where(Assignment.public == True)  # noqa: E712
    if f.keyword:
        like = f"%{f.keyword}%"
        q = q.where(
            col(Assignment.title).like(like)
            | col(Assignment.decided_text).like(like)
            | col(Assignment.number).like(like)
        )
    assignments = s.exec(q).all()
    if not assignments:
        return []
    ids = [a.id for a in assignments]
    links = s.exec(
        select(AssignmentUnit, Unit)
        .join(Unit, col(Unit.id) == AssignmentUnit.unit_id)
        .where(col(AssignmentUnit.assignment_id).in_(ids))
        .order_by(col(AssignmentUnit.id))
    ).all()
    lead: dict[int, str] = {}
    support: dict[int, list[str]] = {}
    for link, unit in links:
        if link.role == LEAD:
            lead[link.assignment_id] = unit.name
        elif link.role == SUPPORT:
            support.setdefault(link.assignment_id, []).append(unit.name)
    out = []
    for a in assignments:
        status = display_status(a, today)
        warning = deadlines.warning_level(a.deadline, today, a.status in (COMPLETED, CLOSED), thresholds).value
        if f.status and status != f.status:
            continue
        if f.warning and warning != f.warning:
            continue
        out.append(LedgerRow(a, lead.get(a.id, ""), support.get(a.id, []), status, warning))
    return out


__all__ = [
    "IN_PROGRESS",
    "LedgerFilter",
    "LedgerRow",
    "OVERDUE",
    "STATUS_LABELS",
    "WARNING_LABELS",
    "display_status",
    "rows",
    "warning_of",
]
