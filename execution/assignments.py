"""Assignments seen from the minutes (which decided items can become assignments, pre-filled by parsing the decided
text) and from the assignment page (everything about one row, limited to what the viewer may see), and the office's
corrections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.errors import NotFound
from meeting.models import AgendaItem, Meeting, Person
from minutes import service as minutes_service
from minutes.models import APPROVED, ARCHIVED, Minutes
from voting.vocabulary import ItemCategory

from . import access, attachments, closeout, ledger, reports
from .audit import events_of, record_event
from .errors import AssignmentClosed, ConfidentialNotPublic, MinutesNotApproved
from .models import LEAD, Assignment, AssignmentUnit, ExecutionEvent, Milestone, Unit
from .parse import parse_decision
from .schemas import AssignmentEditIn
from .service import DECIDED_RESULTS, meeting_day, overrides


@dataclass
class Candidate:
    """One item of approved minutes: whether it can become assignments, the pre-filled form, and those made."""

    item_id: int
    heading: str
    title: str
    category: str
    category_label: str
    result_label: str
    decided: bool  # passed (or adopted by the head): assignments may be made
    confidential: bool  # confidential or personnel: never public
    decision_text: str
    prefill: dict
    deadline_text: str
    existing: list[Assignment] = field(default_factory=list)


def short_title(title: str) -> str:
    """关于城南片区老旧小区改造方案的议题 → 城南片区老旧小区改造方案."""
    t = re.sub(r"^关于", "", title.strip())
    return re.sub(r"的(?:议题|请示|报告|事项)$", "", t) or title


def candidates(s: Session, meeting_id: int, zone: str) -> tuple[Meeting, list[Candidate]]:
    """Every item of the meeting's approved (or archived) minutes; refused while the minutes are a draft."""
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
    if minutes is None or minutes.status not in (APPROVED, ARCHIVED):
        raise MinutesNotApproved()
    m = minutes_service.structured(s, meeting_id, zone)
    day = meeting_day(meeting, zone)
    made: dict[int, list[Assignment]] = {}
    for a in s.exec(select(Assignment).where(Assignment.meeting_id == meeting_id).order_by(col(Assignment.number))):
        made.setdefault(a.item_id, []).append(a)
    holidays = overrides(s)
    out = []
    for it in m.items:
        decided = it.status == "closed" and it.result in DECIDED_RESULTS
        text = it.decision_text.removeprefix("会议议定：")
        p = parse_decision(text, day, holidays)
        texts = it.texts
        lead = texts.get("lead_unit") or p.lead_unit
        supporting = [u.strip() for u in re.split(r"[、，,]", texts.get("supporting_units") or "") if u.strip()]
        supporting = supporting or p.supporting_units
        deadline = texts.get("deadline") or p.deadline
        prefill = {
            "title": short_title(it.title),
            "decided_text": text,
            "category": it.category,
            "decided_on": day.isoformat(),
            "lead_unit": lead,
            "supporting_units": "、".join(supporting),
            "responsible_leader": p.responsible_leader,
            "coordinating_leader": p.coordinating_leader,
            "person_responsible": p.person_responsible,
            "deadline": deadline.isoformat() if isinstance(deadline, date) else (deadline or ""),
            "milestones": "\n".join(f"{d.isoformat()} {t}" for t, d in p.milestones),
        }
        out.append(
            Candidate(
                item_id=it.id,
                heading=it.heading,
                title=it.title,
                category=it.category,
                category_label=it.category_label,
                result_label=it.result_label or "未作出决定",
                decided=decided,
                confidential=it.confidential or it.category == ItemCategory.PERSONNEL,
                decision_text=text,
                prefill=prefill,
                deadline_text=p.deadline_text,
                existing=made.get(it.id, []),
            )
        )
    return meeting, out


def update_assignment(s: Session, actor: Actor, assignment_id: int, data: AssignmentEditIn) -> Assignment:
    """The office corrects title, leaders, person responsible and the public flag (never a confidential item's)."""
    access.require_office(actor)
    a = access.assignment_for(s, actor, assignment_id)
    if a.status == "closed":
        raise AssignmentClosed(number=a.number, what="修改")
    if data.public and a.item_id is not None:
        item = s.get(AgendaItem, a.item_id)
        if item is not None and (item.confidential or item.category == ItemCategory.PERSONNEL):
            raise ConfidentialNotPublic()
    for pid, what in ((data.leader_person_id, "分管领导"), (data.coordinating_person_id, "协调领导")):
        if pid is not None and s.get(Person, pid) is None:
            raise NotFound(what=what)
    before = {k: getattr(a, k) for k in type(data).model_fields}
    for k, v in data.model_dump().items():
        setattr(a, k, v)
    s.add(a)
    record_event(s, actor, "assignment.updated", a.id, before=before, after=data.model_dump())
    return a


# ---------------------------------------------------------------- the assignment page


@dataclass
class Detail:
    row: ledger.LedgerRow
    viewer: str  # office | secretary | leader | lead | support
    unit: Unit | None  # the viewing unit
    units: list[tuple[AssignmentUnit, Unit]]
    milestones: list[Milestone]
    plans: list
    reports: list
    files: dict  # (owner, owner_id) → [Attachment]
    unit_names: dict[int, str]
    extensions: list
    proposals: list
    evaluations: list
    signoff: object | None
    events: list[ExecutionEvent]
    meeting: Meeting | None
    item: AgendaItem | None

    @property
    def a(self) -> Assignment:
        return self.row.assignment

    def may(self, what: str) -> bool:
        """What the viewer's page offers (the services decide again on submit)."""
        a, v = self.a, self.viewer
        open_, done = a.status not in ("completed", "closed"), a.status == "completed"
        return {
            "plan": v in ("lead", "office") and a.status != "closed",
            "progress": v in ("lead", "support", "office") and a.status != "closed",
            "complete": v in ("lead", "office") and open_,
            "extension": v in ("lead", "office") and open_,
            "decide_extension": v == "office",
            "proposal": v in ("lead", "office") and a.status != "closed",
            "place_proposal": v in ("office", "secretary"),
            "evaluation": v == "office",
            "signoff": v in ("leader", "office") and done and self.signoff is None,
            "close": v == "office" and done and self.signoff is not None,
            "edit": v == "office" and a.status != "closed",
        }[what]


def viewer_of(s: Session, actor: Actor, a: Assignment) -> tuple[str, Unit | None]:
    if access.is_office(actor):
        return "office", None
    if actor.role == "secretary":
        return "secretary", None
    unit = access.unit_of(s, actor)
    if unit is not None:
        return access.unit_role(s, unit.id, a.id) or "support", unit
    return "leader", None


def detail(s: Session, actor: Actor, assignment_id: int, today: date) -> Detail:
    """Everything about one assignment this viewer may see: a supporting unit sees the row, the plan and its own
    reports (its part); the lead unit, the leader, the secretary and the office see all of it."""
    a = access.assignment_for(s, actor, assignment_id)
    viewer, unit = viewer_of(s, actor, a)
    row = ledger.rows(s, today, only_ids=[a.id])[0]
    units = access.units_of_assignments(s, [a.id]).get(a.id, [])
    units.sort(key=lambda lu: (lu[0].role != LEAD, lu[0].id))
    support = viewer == "support"
    plans = reports.plans_of(s, a.id)
    reps = reports.reports_of(s, a.id, unit.id if support else None)
    so = None if support else closeout.signoff_of(s, a.id)
    evals = [] if support else reports.evaluations_of(s, a.id)
    files = {}
    for owner, rows_ in (("progress", reps), ("plan", plans), ("evaluation", evals), ("signoff", [so] if so else [])):
        for oid, atts in attachments.of(s, owner, [r.id for r in rows_]).items():
            files[(owner, oid)] = atts
    return Detail(
        row=row,
        viewer=viewer,
        unit=unit,
        units=units,
        milestones=list(s.exec(select(Milestone).where(Milestone.assignment_id == a.id).order_by(col(Milestone.due)))),
        plans=plans,
        reports=reps,
        files=files,
        unit_names={u.id: u.name for _, u in units},
        extensions=[] if support else reports.extensions_of(s, a.id),
        proposals=[] if support else reports.proposals_of(s, a.id),
        evaluations=evals,
        signoff=so,
        events=[] if support else events_of(s, a.id),
        meeting=s.get(Meeting, a.meeting_id) if a.meeting_id else None,
        item=s.get(AgendaItem, a.item_id) if a.item_id else None,
    )
