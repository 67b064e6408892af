"""``/api/v1/execution`` routes of what the units and the office file on an assignment: plans, progress and its
attachments, extensions, proposals, evaluations, the leader's sign-off, closing, and its event log."""

from __future__ import annotations

import json

from flask import current_app

from meeting.api import _json_body, _ok, dump, endpoint, from_form
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidPayload, PermissionDenied
from meeting.room import Outcome
from voting.sources import cite

from .. import assignments, attachments, closeout, reports
from ..audit import events_of
from ..schemas import (
    EvaluationIn,
    ExtensionDecisionIn,
    ExtensionIn,
    PlaceProposalIn,
    PlanIn,
    ProgressIn,
    ProposalIn,
    SignOffIn,
    parse,
)
from ..service import today
from .models import (
    AgendaItemRefOut,
    AssignmentDetailOut,
    AttachmentOut,
    EvaluationOut,
    ExecutionEventOut,
    ExtensionOut,
    PlanOut,
    ProgressOut,
    ProposalOut,
    SignOffOut,
)
from .present import TAG, P, _account, _att, _detail_of, _files, _folder


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/plans",
    "filePlan",
    "报送执行工作方案（牵头单位；修订即新版本）",
    TAG,
    request=PlanIn,
    response_key="plan",
    response=PlanOut,
    status=201,
)
def file_plan(assignment_id: int):
    actor = _account()
    data = parse(PlanIn, _json_body())
    with unit_of_work() as s:
        plan = reports.file_plan(s, actor, assignment_id, data)
    return _ok(201, plan=dump(PlanOut, plan))


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/progress",
    "reportProgress",
    "报送进展情况（牵头单位报整体，配合单位报本单位部分；completes=true 报告办结）",
    TAG,
    request=ProgressIn,
    response_key="progress",
    response=ProgressOut,
    status=201,
    description="附件另以 POST /execution/progress/{report_id}/attachments 上传。",
)
def report_progress(assignment_id: int):
    actor = _account()
    data = parse(ProgressIn, _json_body())
    with unit_of_work() as s:
        r = reports.report_progress(s, actor, assignment_id, data, today())
    return _ok(201, progress=dump(ProgressOut, r))


@endpoint(
    "POST",
    f"{P}/progress/<int:report_id>/attachments",
    "addProgressAttachments",
    "为本单位的进展报告上传附件（multipart，字段 files）",
    TAG,
    multipart=True,
    response_key="attachments",
    response=AttachmentOut,
    response_list=True,
    status=201,
)
def add_progress_attachments(report_id: int):
    actor = _account()
    files = _files()
    if not files:
        raise InvalidPayload(detail="files: 请以 multipart/form-data 上传文件")
    with unit_of_work() as s:
        stored = reports.add_progress_files(s, actor, report_id, files, _folder())
        out = [_att(x) for x in stored]
    return _ok(201, attachments=out)


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/extensions",
    "requestExtension",
    "申请延期（理由、新的完成时限；牵头单位）",
    TAG,
    request=ExtensionIn,
    response_key="extension",
    response=ExtensionOut,
    status=201,
)
def request_extension(assignment_id: int):
    actor = _account()
    data = parse(ExtensionIn, _json_body())
    with unit_of_work() as s:
        req = reports.request_extension(s, actor, assignment_id, data, today())
    return _ok(201, extension=dump(ExtensionOut, req))


@endpoint(
    "POST",
    f"{P}/extensions/<int:request_id>/decision",
    "decideExtension",
    "督查室审批延期申请（approve=true 批准：完成时限顺延，原时限保留）",
    TAG,
    request=ExtensionDecisionIn,
    response_key="extension",
    response=ExtensionOut,
)
def decide_extension(request_id: int):
    actor = _account()
    data = parse(ExtensionDecisionIn, _json_body())
    with unit_of_work() as s:
        req = reports.decide_extension(s, actor, request_id, data)
    return _ok(extension=dump(ExtensionOut, req))


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/proposals",
    "submitProposal",
    f"提出继续执行、停止执行、暂缓执行或调整的建议（{cite('huhhot', '第二十一条')}）",
    TAG,
    request=ProposalIn,
    response_key="proposal",
    response=ProposalOut,
    status=201,
)
def submit_proposal(assignment_id: int):
    actor = _account()
    data = parse(ProposalIn, _json_body())
    with unit_of_work() as s:
        p = reports.submit_proposal(s, actor, assignment_id, data)
    return _ok(201, proposal=dump(ProposalOut, p))


@endpoint(
    "POST",
    f"{P}/proposals/<int:proposal_id>/agenda",
    "placeProposal",
    "会议秘书将建议列入原决策机关尚未结束的会议议程",
    TAG,
    request=PlaceProposalIn,
    response_key="item",
    response=AgendaItemRefOut,
    status=201,
)
def place_proposal(proposal_id: int):
    actor = _account()
    data = parse(PlaceProposalIn, _json_body())
    with unit_of_work() as s:
        item = reports.place_proposal(s, actor, proposal_id, data.meeting_id)
    current_app.extensions["yishi.broadcaster"].after(Outcome(item.meeting_id))
    return _ok(201, item=dump(AgendaItemRefOut, item))


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/evaluations",
    "recordEvaluation",
    "督查室记录决策后评估（原因、结论、建议：继续、暂缓、修改）",
    TAG,
    request=EvaluationIn,
    response_key="evaluation",
    response=EvaluationOut,
    status=201,
)
def record_evaluation(assignment_id: int):
    actor = _account()
    data = parse(EvaluationIn, _json_body())
    with unit_of_work() as s:
        ev = reports.record_evaluation(s, actor, assignment_id, data, today())
    return _ok(201, evaluation=dump(EvaluationOut, ev))


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/signoff",
    "signOff",
    "分管领导签字确认销号（multipart：signed_on、opinion、leader 及至少一个佐证文件 files）",
    TAG,
    form=SignOffIn,
    multipart=True,
    response_key="signoff",
    response=SignOffOut,
    status=201,
    description="分管领导账号本人签字；督查室登记领导签字的纸质件（leader 默认为分管领导）并上传扫描件。"
    "仅限已办结的事项。",
)
def sign_off(assignment_id: int):
    actor = _account()
    data = from_form(SignOffIn, parse)
    files = _files()
    with unit_of_work() as s:
        so = closeout.sign_off(
            s, actor, assignment_id, data.leader, data.signed_on, data.opinion, files, _folder(), today()
        )
        out = dump(
            SignOffOut,
            {**so.model_dump(), "attachments": [_att(x) for x in attachments.of(s, "signoff", [so.id]).get(so.id, [])]},
        )
    return _ok(201, signoff=out)


@endpoint(
    "POST",
    f"{P}/assignments/<int:assignment_id>/close",
    "closeAssignment",
    "督查室销号（须已办结并有分管领导签字及佐证材料）",
    TAG,
    response_key="assignment",
    response=AssignmentDetailOut,
)
def close_assignment(assignment_id: int):
    actor = _account()
    with unit_of_work() as s:
        closeout.close(s, actor, assignment_id, today())
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint(
    "GET",
    f"{P}/assignments/<int:assignment_id>/events",
    "listAssignmentEvents",
    "督办事项的事件日志（只增不改：谁、何时、从哪台设备、做了什么）",
    TAG,
    response_key="events",
    response=ExecutionEventOut,
    response_list=True,
)
def list_assignment_events(assignment_id: int):
    actor = _account()
    with read_only() as s:
        d = assignments.detail(s, actor, assignment_id, today())
        if d.viewer == "support":
            raise PermissionDenied()
        evs = events_of(s, assignment_id)
    return _ok(events=[dump(ExecutionEventOut, {**e.model_dump(), "data": json.loads(e.data or "{}")}) for e in evs])
