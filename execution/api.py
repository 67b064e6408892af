"""The execution ledger's JSON API under ``/api/v1/execution`` (same conventions as meeting/api.py: session +
``X-CSRF-Token`` or ``Authorization: Bearer ysk_…``; the same services and refusals as the pages; routes declared
with :func:`meeting.api.endpoint`, so the OpenAPI document lists them).

Any signed-in account may call it; each service decides by role. Another unit's assignment is 404 ``not_found``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import current_app, request, url_for

from meeting.api import SAFE_METHODS, Out, UtcTime, _json_body, _ok, _zone, dump, endpoint
from meeting.auth import account_actor, check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidPayload, NotSignedIn

from . import access, assignments, attachments, closeout, ledger, reports, units
from .audit import events_of
from .schemas import (
    AccountIn,
    AccountUpdateIn,
    AssignmentEditIn,
    EvaluationIn,
    ExtensionDecisionIn,
    ExtensionIn,
    PlaceProposalIn,
    PlanIn,
    ProgressIn,
    ProposalIn,
    SignOffIn,
    UnitIn,
    parse,
)
from .service import AssignmentIn, create_assignment, today

TAG = "督办台账"
P = "/execution"


# ---------------------------------------------------------------- response models


class UnitPartOut(Out):
    unit_id: int
    name: str
    role: str  # lead | support
    part: str


class AssignmentOut(Out):
    id: int
    number: str
    source: str
    meeting_id: int | None
    item_id: int | None
    npc_case_id: int | None
    title: str
    decided_text: str
    category: str
    decided_on: date
    responsible_leader: str
    coordinating_leader: str
    person_responsible: str
    lead_unit: str
    supporting_units: list[str]
    deadline: date | None
    original_deadline: date | None
    plan_due: date | None
    status: str  # not_started | in_progress | completed | overdue | closed (overdue derived from the deadline)
    status_label: str
    warning: str  # none | blue | yellow | red
    warning_label: str
    public: bool
    completed_at: UtcTime | None
    closed_at: UtcTime | None
    closed_by: str
    created_by: str


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: UtcTime
    url: str


class PlanOut(Out):
    id: int
    version: int
    unit_id: int
    internal_unit: str
    responsible_leader: str
    person_responsible: str
    measures: str
    schedule: str
    filed_at: UtcTime
    filed_by: str


class ProgressOut(Out):
    id: int
    unit_id: int
    reported_on: date
    content: str
    problems: str
    completes: bool
    filed_at: UtcTime
    filed_by: str
    attachments: list[AttachmentOut] = []


class ExtensionOut(Out):
    id: int
    assignment_id: int
    unit_id: int
    reason: str
    old_deadline: date | None
    new_deadline: date
    status: str  # pending | approved | refused
    requested_at: UtcTime
    requested_by: str
    decided_at: UtcTime | None
    decided_by: str
    decision_note: str


class ProposalOut(Out):
    id: int
    assignment_id: int
    unit_id: int
    kind: str
    circumstances: str
    proposal: str
    status: str  # submitted | on_agenda
    agenda_item_id: int | None
    submitted_at: UtcTime
    submitted_by: str


class EvaluationOut(Out):
    id: int
    trigger: str
    evaluator: str
    method: str
    findings: str
    recommendation: str
    evaluated_on: date
    recorded_at: UtcTime
    recorded_by: str


class SignOffOut(Out):
    id: int
    leader: str
    signed_on: date
    opinion: str
    recorded_at: UtcTime
    recorded_by: str
    attachments: list[AttachmentOut] = []


class ExecutionEventOut(Out):
    id: int
    at: UtcTime
    kind: str
    actor: str
    actor_role: str
    data: dict[str, Any]


class AssignmentDetailOut(AssignmentOut):
    units: list[UnitPartOut]
    milestones: list[dict[str, Any]]
    plans: list[PlanOut]
    progress: list[ProgressOut]
    extensions: list[ExtensionOut]
    proposals: list[ProposalOut]
    evaluations: list[EvaluationOut]
    signoff: SignOffOut | None
    events: list[ExecutionEventOut]


class CandidateOut(Out):
    item_id: int
    heading: str
    category: str
    result_label: str
    decided: bool
    confidential: bool
    decision_text: str
    prefill: dict[str, Any]
    existing: list[str]  # numbers of the assignments already made from this item


class UnitOut(Out):
    id: int
    name: str
    active: bool


class AccountOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    active: bool


class AgendaItemRefOut(Out):
    id: int
    meeting_id: int
    title: str


# ---------------------------------------------------------------- helpers


def _account():
    with unit_of_work() as s:
        actor = account_actor(s)
        if actor is None:
            raise NotSignedIn()
    if request.method not in SAFE_METHODS:
        check_csrf()
    return actor


def _att(att) -> dict:
    return dump(AttachmentOut, {**att.model_dump(), "url": url_for("execution.attachment", attachment_id=att.id)})


def _row(r: ledger.LedgerRow) -> dict:
    a = r.assignment
    return dump(AssignmentOut, {**a.model_dump(), "lead_unit": r.lead_unit, "supporting_units": r.supporting_units,
                                "status": r.status, "status_label": r.status_label, "warning": r.warning,
                                "warning_label": r.warning_label})


def _detail(d: assignments.Detail) -> dict:
    files = d.files
    base = _row(d.row)
    return dump(AssignmentDetailOut, {
        **base,
        "units": [{"unit_id": u.id, "name": u.name, "role": link.role, "part": link.part} for link, u in d.units],
        "milestones": [{"title": m.title, "due": m.due.isoformat(), "done_on": m.done_on.isoformat()
                        if m.done_on else None} for m in d.milestones],
        "plans": [p.model_dump() for p in d.plans],
        "progress": [{**r.model_dump(), "attachments": [_att(x) for x in files.get(("progress", r.id), [])]}
                     for r in d.reports],
        "extensions": [x.model_dump() for x in d.extensions],
        "proposals": [x.model_dump() for x in d.proposals],
        "evaluations": [x.model_dump() for x in d.evaluations],
        "signoff": ({**d.signoff.model_dump(), "attachments": [_att(x) for x in files.get(("signoff", d.signoff.id), [])]}
                    if d.signoff else None),
        "events": [{**e.model_dump(), "data": json.loads(e.data or "{}")} for e in d.events],
    })


def _files() -> list[attachments.Upload]:
    return [attachments.Upload(f.filename or "", f.read(), f.mimetype or "")
            for f in request.files.getlist("files") + request.files.getlist("file") if f and f.filename]


def _folder():
    from pathlib import Path

    return Path(current_app.config["EXECUTION_DIR"])


def _detail_of(actor, assignment_id: int) -> dict:
    with read_only() as s:
        return _detail(assignments.detail(s, actor, assignment_id, today()))


# ---------------------------------------------------------------- the ledger


@endpoint("GET", f"{P}/assignments", "listAssignments",
          "督查台账：督办事项列表（按单位、领导、会议、类别、状态、预警、时限、关键词筛选）", TAG,
          response_key="assignments", response=AssignmentOut, response_list=True,
          query=(("unit_id", "integer", "牵头或配合单位"), ("leader", "string", "分管或协调领导"),
                 ("meeting_id", "integer", "会议"), ("category", "string", "议题类别"),
                 ("status", "string", "not_started | in_progress | completed | overdue | closed"),
                 ("warning", "string", "none | blue | yellow | red"), ("due_before", "string", "YYYY-MM-DD"),
                 ("due_after", "string", "YYYY-MM-DD"), ("q", "string", "关键词（名称、决策内容、编号）")),
          description="执行单位只得到本单位牵头或配合的事项，分管领导只得到本人分管的事项。")
def list_assignments():
    actor = _account()
    f = ledger.filter_from(request.args)
    with read_only() as s:
        ids = access.visible_ids(s, actor)
        rows = ledger.rows(s, today(), f, only_ids=ids)
    return _ok(assignments=[_row(r) for r in rows])


@endpoint("POST", f"{P}/assignments", "createAssignment",
          "立项督办：由审定纪要中通过的议题（或人大案件）生成督办事项", TAG,
          request=AssignmentIn, response_key="assignment", response=AssignmentDetailOut, status=201,
          description="会议秘书或督查室。编号按决策年度顺排（2024-001）；执行工作方案报送时限由规则配置计算；"
                      "decided_text 须逐字摘自审定纪要的“会议议定”；涉密或干部任免议题不得公开。")
def create_assignment_api():
    actor = _account()
    data = parse(AssignmentIn, _json_body())
    with unit_of_work() as s:
        a = create_assignment(s, actor, data)
    return _ok(201, assignment=_detail_of(actor, a.id))


@endpoint("GET", f"{P}/assignments/<int:assignment_id>", "getAssignment",
          "督办事项详情：单位分工、节点、工作方案、进展、延期、建议、评估、签字、事件日志", TAG,
          response_key="assignment", response=AssignmentDetailOut,
          description="配合单位只看到本单位的进展报告（不含延期、建议、评估、签字和事件日志）。")
def get_assignment(assignment_id: int):
    actor = _account()
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint("PUT", f"{P}/assignments/<int:assignment_id>", "updateAssignment",
          "督查室修改督办事项（名称、领导、责任人、是否公开）", TAG,
          request=AssignmentEditIn, response_key="assignment", response=AssignmentDetailOut)
def update_assignment(assignment_id: int):
    actor = _account()
    data = parse(AssignmentEditIn, _json_body())
    with unit_of_work() as s:
        assignments.update_assignment(s, actor, assignment_id, data)
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint("GET", f"{P}/meetings/<int:meeting_id>/candidates", "listAssignmentCandidates",
          "审定纪要中的议题及其预填的督办事项（由会议议定内容解析牵头单位、配合单位、时限）", TAG,
          response_key="items", response=CandidateOut, response_list=True,
          description="纪要未审定时拒绝（minutes_not_approved）。")
def list_candidates(meeting_id: int):
    actor = _account()
    access.require_creator(actor)
    with read_only() as s:
        _, items = assignments.candidates(s, meeting_id, _zone())
    return _ok(items=[dump(CandidateOut, {**c.__dict__, "existing": [a.number for a in c.existing]})
                      for c in items])


# ---------------------------------------------------------------- the units' filings


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/plans", "filePlan",
          "报送执行工作方案（牵头单位；修订即新版本）", TAG,
          request=PlanIn, response_key="plan", response=PlanOut, status=201)
def file_plan(assignment_id: int):
    actor = _account()
    data = parse(PlanIn, _json_body())
    with unit_of_work() as s:
        plan = reports.file_plan(s, actor, assignment_id, data)
    return _ok(201, plan=dump(PlanOut, plan))


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/progress", "reportProgress",
          "报送进展情况（牵头单位报整体，配合单位报本单位部分；completes=true 报告办结）", TAG,
          request=ProgressIn, response_key="progress", response=ProgressOut, status=201,
          description="附件另以 POST /execution/progress/{report_id}/attachments 上传。")
def report_progress(assignment_id: int):
    actor = _account()
    data = parse(ProgressIn, _json_body())
    with unit_of_work() as s:
        r = reports.report_progress(s, actor, assignment_id, data, today())
    return _ok(201, progress=dump(ProgressOut, r))


@endpoint("POST", f"{P}/progress/<int:report_id>/attachments", "addProgressAttachments",
          "为本单位的进展报告上传附件（multipart，字段 files）", TAG, multipart=True,
          response_key="attachments", response=AttachmentOut, response_list=True, status=201)
def add_progress_attachments(report_id: int):
    actor = _account()
    files = _files()
    if not files:
        raise InvalidPayload(detail="files: 请以 multipart/form-data 上传文件")
    with unit_of_work() as s:
        stored = reports.add_progress_files(s, actor, report_id, files, _folder())
        out = [_att(x) for x in stored]
    return _ok(201, attachments=out)


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/extensions", "requestExtension",
          "申请延期（理由、新的完成时限；牵头单位）", TAG,
          request=ExtensionIn, response_key="extension", response=ExtensionOut, status=201)
def request_extension(assignment_id: int):
    actor = _account()
    data = parse(ExtensionIn, _json_body())
    with unit_of_work() as s:
        req = reports.request_extension(s, actor, assignment_id, data, today())
    return _ok(201, extension=dump(ExtensionOut, req))


@endpoint("POST", f"{P}/extensions/<int:request_id>/decision", "decideExtension",
          "督查室审批延期申请（approve=true 批准：完成时限顺延，原时限保留）", TAG,
          request=ExtensionDecisionIn, response_key="extension", response=ExtensionOut)
def decide_extension(request_id: int):
    actor = _account()
    data = parse(ExtensionDecisionIn, _json_body())
    with unit_of_work() as s:
        req = reports.decide_extension(s, actor, request_id, data)
    return _ok(extension=dump(ExtensionOut, req))


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/proposals", "submitProposal",
          "提出继续执行、停止执行、暂缓执行或调整的建议（seed 000 第21条）", TAG,
          request=ProposalIn, response_key="proposal", response=ProposalOut, status=201)
def submit_proposal(assignment_id: int):
    actor = _account()
    data = parse(ProposalIn, _json_body())
    with unit_of_work() as s:
        p = reports.submit_proposal(s, actor, assignment_id, data)
    return _ok(201, proposal=dump(ProposalOut, p))


@endpoint("POST", f"{P}/proposals/<int:proposal_id>/agenda", "placeProposal",
          "会议秘书将建议列入原决策机关尚未结束的会议议程", TAG,
          request=PlaceProposalIn, response_key="item", response=AgendaItemRefOut, status=201)
def place_proposal(proposal_id: int):
    actor = _account()
    data = parse(PlaceProposalIn, _json_body())
    with unit_of_work() as s:
        item = reports.place_proposal(s, actor, proposal_id, data.meeting_id)
    current_app.extensions["yishi.broadcaster"].after(_outcome(item.meeting_id))
    return _ok(201, item=dump(AgendaItemRefOut, item))


def _outcome(meeting_id: int):
    from meeting.room import Outcome

    return Outcome(meeting_id)


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/evaluations", "recordEvaluation",
          "督查室记录决策后评估（原因、结论、建议：继续、暂缓、修改）", TAG,
          request=EvaluationIn, response_key="evaluation", response=EvaluationOut, status=201)
def record_evaluation(assignment_id: int):
    actor = _account()
    data = parse(EvaluationIn, _json_body())
    with unit_of_work() as s:
        ev = reports.record_evaluation(s, actor, assignment_id, data, today())
    return _ok(201, evaluation=dump(EvaluationOut, ev))


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/signoff", "signOff",
          "分管领导签字确认销号（multipart：signed_on、opinion、leader 及至少一个佐证文件 files）", TAG,
          multipart=True, response_key="signoff", response=SignOffOut, status=201,
          description="分管领导账号本人签字；督查室登记领导签字的纸质件（leader 默认为分管领导）并上传扫描件。"
                      "仅限已办结的事项。")
def sign_off(assignment_id: int):
    actor = _account()
    data = parse(SignOffIn, {k: v for k, v in request.form.items() if k in SignOffIn.model_fields})
    files = _files()
    with unit_of_work() as s:
        so = closeout.sign_off(s, actor, assignment_id, data.leader, data.signed_on, data.opinion, files,
                               _folder(), today())
        out = dump(SignOffOut, {**so.model_dump(),
                                "attachments": [_att(x) for x in attachments.of(s, "signoff", [so.id]).get(so.id, [])]})
    return _ok(201, signoff=out)


@endpoint("POST", f"{P}/assignments/<int:assignment_id>/close", "closeAssignment",
          "督查室销号（须已办结并有分管领导签字及佐证材料）", TAG,
          response_key="assignment", response=AssignmentDetailOut)
def close_assignment(assignment_id: int):
    actor = _account()
    with unit_of_work() as s:
        closeout.close(s, actor, assignment_id, today())
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint("GET", f"{P}/assignments/<int:assignment_id>/events", "listAssignmentEvents",
          "督办事项的事件日志（只增不改：谁、何时、从哪台设备、做了什么）", TAG,
          response_key="events", response=ExecutionEventOut, response_list=True)
def list_assignment_events(assignment_id: int):
    actor = _account()
    with read_only() as s:
        d = assignments.detail(s, actor, assignment_id, today())
        if d.viewer == "support":
            from meeting.errors import PermissionDenied

            raise PermissionDenied()
        evs = events_of(s, assignment_id)
    return _ok(events=[dump(ExecutionEventOut, {**e.model_dump(), "data": json.loads(e.data or "{}")}) for e in evs])


# ---------------------------------------------------------------- units and accounts


@endpoint("GET", f"{P}/units", "listUnits", "执行单位列表", TAG, response_key="units", response=UnitOut,
          response_list=True)
def list_units():
    actor = _account()
    access.require_creator(actor)
    with read_only() as s:
        return _ok(units=[dump(UnitOut, r.unit) for r in units.unit_rows(s)])


@endpoint("POST", f"{P}/units", "createUnit", "督查室新增执行单位", TAG, request=UnitIn, response_key="unit",
          response=UnitOut, status=201)
def create_unit():
    actor = _account()
    data = parse(UnitIn, _json_body())
    with unit_of_work() as s:
        u = units.create_unit(s, actor, data)
    return _ok(201, unit=dump(UnitOut, u))


@endpoint("PUT", f"{P}/units/<int:unit_id>", "updateUnit", "督查室修改执行单位（名称、启用）", TAG, request=UnitIn,
          response_key="unit", response=UnitOut)
def update_unit(unit_id: int):
    actor = _account()
    data = parse(UnitIn, _json_body())
    with unit_of_work() as s:
        u = units.update_unit(s, actor, unit_id, data)
    return _ok(unit=dump(UnitOut, u))


@endpoint("POST", f"{P}/accounts", "createAccount",
          "督查室新增执行单位账号（关联单位）或分管领导账号（关联人员）", TAG, request=AccountIn,
          response_key="account", response=AccountOut, status=201)
def create_account():
    actor = _account()
    data = parse(AccountIn, _json_body())
    with unit_of_work() as s:
        u = units.create_account(s, actor, data)
    return _ok(201, account=dump(AccountOut, u))


@endpoint("PUT", f"{P}/accounts/<int:user_id>", "updateAccount", "督查室停用、启用账号或重设密码", TAG,
          request=AccountUpdateIn, response_key="account", response=AccountOut)
def update_account(user_id: int):
    actor = _account()
    data = parse(AccountUpdateIn, _json_body())
    with unit_of_work() as s:
        u = units.update_account(s, actor, user_id, data)
    return _ok(account=dump(AccountOut, u))

