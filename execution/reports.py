"""What the units file: the execution plan (执行工作方案), progress reports (进展情况), extension requests (延期申请)
and continue / stop / suspend / adjust proposals (seed 000 第21条); what the office decides on them; post-evaluation
(决策后评估). Each action runs in the caller's transaction and refuses before anything changes.

Who acts (seed 000 第10、13条): the lead unit carries the whole — plan, completion, extensions, proposals; a
supporting unit reports on its own part only. The supervision office may record a paper report on the lead unit's
behalf. A unit never decides its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, func, select

from meeting import setup
from meeting.actors import Actor
from meeting.clock import utcnow
from meeting.errors import NotFound, PermissionDenied
from meeting.models import AgendaItem, Body, Meeting
from meeting.schemas import ItemIn

from . import access, attachments
from .audit import record_event
from .errors import (
    AssignmentClosed,
    AssignmentFinished,
    DateInFuture,
    DeadlineBeforeDecision,
    ExtensionDecided,
    ExtensionNotLater,
    ExtensionPending,
    LeadUnitOnly,
    NotOnMeetingAgenda,
    OtherBody,
    ProposalPlaced,
)
from .models import (
    APPROVED,
    CLOSED,
    COMPLETED,
    IN_PROGRESS,
    LEAD,
    NOT_STARTED,
    PENDING,
    REFUSED,
    Assignment,
    ChangeProposal,
    Evaluation,
    ExecutionPlan,
    ExtensionRequest,
    ProgressReport,
    Unit,
)
from .schemas import (
    EXTENSION_LABELS,
    PROPOSAL_LABELS,
    EvaluationIn,
    ExtensionDecisionIn,
    ExtensionIn,
    PlanIn,
    ProgressIn,
    ProposalIn,
)


def cn(d: date | None) -> str:
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Acting:
    """Who files: the assignment, the unit acting and its part (lead | support)."""

    assignment: Assignment
    unit: Unit
    role: str


def acting_unit(s: Session, actor: Actor, assignment_id: int) -> Acting:
    """A unit account acts for its unit in its role; the office acts for the lead unit (a paper report entered).
    Anyone else — the secretary, a leader, another unit — may not file (another unit: not found)."""
    a = access.assignment_for(s, actor, assignment_id)
    unit = access.unit_of(s, actor)
    if unit is not None:
        role = access.unit_role(s, unit.id, a.id)
        if role is None:
            raise NotFound(what="督办事项")
        return Acting(a, unit, role)
    if access.is_office(actor):
        return Acting(a, s.get(Unit, a.lead_unit_id), LEAD)
    raise PermissionDenied()


def _open(a: Assignment, what: str, *, finished_too: bool = False) -> None:
    if a.status == CLOSED:
        raise AssignmentClosed(number=a.number, what=what)
    if finished_too and a.status == COMPLETED:
        raise AssignmentFinished(number=a.number, what=what)


def _lead(act: Acting, what: str) -> None:
    if act.role != LEAD:
        raise LeadUnitOnly(what=what)


def _dated(a: Assignment, day: date, today: date, what: str) -> None:
    if day > today:
        raise DateInFuture(what=what, today=cn(today))
    if day < a.decided_on:
        raise DeadlineBeforeDecision(what=what, decided_on=cn(a.decided_on))


# ---------------------------------------------------------------- plan


def file_plan(s: Session, actor: Actor, assignment_id: int, data: PlanIn) -> ExecutionPlan:
    """执行工作方案 (seed 000 第15条): the lead unit files it; a revision is the next version, the old ones kept."""
    act = acting_unit(s, actor, assignment_id)
    _lead(act, "执行工作方案")
    _open(act.assignment, "修改执行工作方案")
    last = s.exec(select(func.max(ExecutionPlan.version)).where(ExecutionPlan.assignment_id == assignment_id)).one()
    plan = ExecutionPlan(
        assignment_id=assignment_id,
        unit_id=act.unit.id,
        version=(last or 0) + 1,
        filed_by=actor.name[:64],
        **data.model_dump(),
    )
    s.add(plan)
    s.flush()
    record_event(s, actor, "plan.filed", assignment_id, version=plan.version, unit=act.unit.name)
    return plan


def plans_of(s: Session, assignment_id: int) -> list[ExecutionPlan]:
    return list(
        s.exec(
            select(ExecutionPlan)
            .where(ExecutionPlan.assignment_id == assignment_id)
            .order_by(col(ExecutionPlan.version).desc())
        )
    )


# ---------------------------------------------------------------- progress


def report_progress(
    s: Session,
    actor: Actor,
    assignment_id: int,
    data: ProgressIn,
    today: date,
    files: list[attachments.Upload] = (),
    folder: Path | None = None,
) -> ProgressReport:
    """A dated progress entry with problems met and attachments. The first report moves 未启动 → 推进中; the lead
    unit's report marked ``completes`` moves it to 已办结, awaiting close-out (销号)."""
    act = acting_unit(s, actor, assignment_id)
    a = act.assignment
    _open(a, "报送进展")
    _dated(a, data.reported_on, today, "报告日期")
    if data.completes:
        _lead(act, "报告办结")
        if a.status == COMPLETED:
            raise AssignmentFinished(number=a.number, what="再次报告办结")
    for up in files:
        attachments.check(up)
    report = ProgressReport(assignment_id=a.id, unit_id=act.unit.id, filed_by=actor.name[:64], **data.model_dump())
    s.add(report)
    s.flush()
    stored = attachments.store_all(s, actor, "progress", report.id, list(files), folder) if files else []
    before = a.status
    if data.completes:
        a.status, a.completed_at = COMPLETED, utcnow()
    elif a.status == NOT_STARTED:
        a.status = IN_PROGRESS
    s.add(a)
    record_event(
        s,
        actor,
        "progress.reported",
        a.id,
        report_id=report.id,
        unit=act.unit.name,
        role=act.role,
        reported_on=data.reported_on,
        completes=data.completes,
        status_from=before,
        status_to=a.status,
        files=[{"name": x.filename, "sha256": x.sha256} for x in stored],
    )
    return report


def add_progress_files(s: Session, actor: Actor, report_id: int, files: list[attachments.Upload], folder: Path) -> list:
    """More attachments to one's own progress report (the API sends files separately)."""
    report = s.get(ProgressReport, report_id)
    if report is None:
        raise NotFound(what="进展报告")
    act = acting_unit(s, actor, report.assignment_id)
    if act.unit.id != report.unit_id:
        raise NotFound(what="进展报告")
    _open(act.assignment, "上传附件")
    stored = attachments.store_all(s, actor, "progress", report.id, files, folder)
    record_event(
        s,
        actor,
        "attachment.added",
        report.assignment_id,
        report_id=report.id,
        files=[{"name": x.filename, "sha256": x.sha256} for x in stored],
    )
    return stored


def reports_of(s: Session, assignment_id: int, unit_id: int | None = None) -> list[ProgressReport]:
    q = select(ProgressReport).where(ProgressReport.assignment_id == assignment_id)
    if unit_id is not None:
        q = q.where(ProgressReport.unit_id == unit_id)
    return list(s.exec(q.order_by(col(ProgressReport.reported_on).desc(), col(ProgressReport.id).desc())))


# ---------------------------------------------------------------- extension


def request_extension(s: Session, actor: Actor, assignment_id: int, data: ExtensionIn, today: date) -> ExtensionRequest:
    """延期申请 (reason, new date) by the lead unit; one pending at a time; the office decides."""
    act = acting_unit(s, actor, assignment_id)
    a = act.assignment
    _lead(act, "申请延期")
    _open(a, "申请延期", finished_too=True)
    if s.exec(
        select(ExtensionRequest).where(ExtensionRequest.assignment_id == a.id, ExtensionRequest.status == PENDING)
    ).first():
        raise ExtensionPending()
    floor = max(x for x in (a.deadline, today) if x is not None)
    if data.new_deadline <= floor:
        raise ExtensionNotLater(deadline=cn(a.deadline) or "未定")
    req = ExtensionRequest(
        assignment_id=a.id,
        unit_id=act.unit.id,
        reason=data.reason,
        old_deadline=a.deadline,
        new_deadline=data.new_deadline,
        requested_by=actor.name[:64],
    )
    s.add(req)
    s.flush()
    record_event(
        s,
        actor,
        "extension.requested",
        a.id,
        request_id=req.id,
        old_deadline=a.deadline,
        new_deadline=data.new_deadline,
        reason=data.reason,
    )
    return req


def decide_extension(s: Session, actor: Actor, request_id: int, data: ExtensionDecisionIn) -> ExtensionRequest:
    """The supervision office approves (the deadline moves; the original stays in ``original_deadline`` and on the
    request) or refuses. A unit can never decide, not even its own request."""
    access.require_office(actor)
    req = s.get(ExtensionRequest, request_id)
    if req is None:
        raise NotFound(what="延期申请")
    a = s.get(Assignment, req.assignment_id)
    if req.status != PENDING:
        raise ExtensionDecided(status=EXTENSION_LABELS.get(req.status, req.status))
    _open(a, "审批延期")
    req.status = APPROVED if data.approve else REFUSED
    req.decided_at, req.decided_by, req.decision_note = utcnow(), actor.name[:64], data.note
    s.add(req)
    if data.approve:
        if a.original_deadline is None:
            a.original_deadline = a.deadline
        req.old_deadline = a.deadline
        a.deadline = req.new_deadline
        s.add(a)
    record_event(
        s,
        actor,
        "extension.approved" if data.approve else "extension.refused",
        a.id,
        request_id=req.id,
        old_deadline=req.old_deadline,
        new_deadline=req.new_deadline,
        note=data.note,
    )
    return req


def extensions_of(s: Session, assignment_id: int) -> list[ExtensionRequest]:
    return list(
        s.exec(
            select(ExtensionRequest)
            .where(ExtensionRequest.assignment_id == assignment_id)
            .order_by(col(ExtensionRequest.id))
        )
    )


# ---------------------------------------------------------------- change proposals


def submit_proposal(s: Session, actor: Actor, assignment_id: int, data: ProposalIn) -> ChangeProposal:
    """Serious problems, changed circumstances or force majeure: the lead unit reports at once with a proposal —
    continue, stop, suspend or adjust (seed 000 第21条; seed 003 §四(三))."""
    act = acting_unit(s, actor, assignment_id)
    _lead(act, "提出继续、停止、暂缓或调整执行的建议")
    _open(act.assignment, "提出建议")
    p = ChangeProposal(
        assignment_id=assignment_id, unit_id=act.unit.id, submitted_by=actor.name[:64], **data.model_dump()
    )
    s.add(p)
    s.flush()
    record_event(s, actor, "proposal.submitted", assignment_id, proposal_id=p.id, kind=data.kind)
    return p


def place_proposal(s: Session, actor: Actor, proposal_id: int, meeting_id: int) -> AgendaItem:
    """A decision is changed or stopped only by lawful procedure: the secretary puts the proposal on a later meeting
    of the body that decided as an agenda item (meeting.setup.add_item); that meeting decides."""
    if actor.role not in ("admin", "secretary"):
        raise PermissionDenied()
    p = s.get(ChangeProposal, proposal_id)
    if p is None:
        raise NotFound(what="建议")
    if p.agenda_item_id is not None:
        raise ProposalPlaced()
    a = s.get(Assignment, p.assignment_id)
    target = setup.get(s, Meeting, meeting_id, "会议")
    if target.status == "closed":
        raise NotOnMeetingAgenda(title=f"第{target.session_number}次会议")
    if a.meeting_id is not None:
        original = s.get(Meeting, a.meeting_id)
        if original is not None and original.body_id != target.body_id:
            raise OtherBody(body=s.get(Body, original.body_id).name)
    unit = s.get(Unit, p.unit_id)
    label = PROPOSAL_LABELS[p.kind]
    title = f"关于督办事项{a.number}“{a.title}”{label}的建议"[:200]
    summary = (
        f"原决策（{cn(a.decided_on)}）：{a.decided_text}\n情况变化：{p.circumstances}\n建议（{label}）：{p.proposal}"
    )
    item = setup.add_item(
        s,
        actor,
        meeting_id,
        ItemIn(
            title=title, category=a.category, presenter="", submitting_unit=unit.name[:100], summary=summary[:20000]
        ),
    )
    p.agenda_item_id, p.status = item.id, "on_agenda"
    s.add(p)
    record_event(s, actor, "proposal.placed", a.id, proposal_id=p.id, meeting_id=meeting_id, item_id=item.id)
    return item


def proposals_of(s: Session, assignment_id: int) -> list[ChangeProposal]:
    return list(
        s.exec(
            select(ChangeProposal).where(ChangeProposal.assignment_id == assignment_id).order_by(col(ChangeProposal.id))
        )
    )


# ---------------------------------------------------------------- post-evaluation


def record_evaluation(
    s: Session,
    actor: Actor,
    assignment_id: int,
    data: EvaluationIn,
    today: date,
    files: list[attachments.Upload] = (),
    folder: Path | None = None,
) -> Evaluation:
    """决策后评估: when the decision misses its goals, draws many objections, or is chosen for it; findings and a
    recommendation (continue / suspend / modify). Recorded by the supervision office."""
    access.require_office(actor)
    a = access.assignment_for(s, actor, assignment_id)
    _dated(a, data.evaluated_on, today, "评估日期")
    for up in files:
        attachments.check(up)
    ev = Evaluation(assignment_id=a.id, recorded_by=actor.name[:64], **data.model_dump())
    s.add(ev)
    s.flush()
    if files:
        attachments.store_all(s, actor, "evaluation", ev.id, list(files), folder)
    record_event(
        s,
        actor,
        "evaluation.recorded",
        a.id,
        evaluation_id=ev.id,
        trigger=data.trigger,
        recommendation=data.recommendation,
    )
    return ev


def evaluations_of(s: Session, assignment_id: int) -> list[Evaluation]:
    return list(
        s.exec(select(Evaluation).where(Evaluation.assignment_id == assignment_id).order_by(col(Evaluation.id)))
    )
