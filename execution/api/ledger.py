"""``/api/v1/execution`` routes of the ledger: the assignments, their list with its filters, and the candidates a
meeting's approved minutes offer."""

from __future__ import annotations

from flask import request
from pydantic import Field

from meeting.api import Query, QueryDate, QueryInt, _json_body, _ok, _zone, dump, endpoint, query
from meeting.db import read_only, unit_of_work

from .. import access, assignments, ledger
from ..schemas import AssignmentEditIn, parse
from ..service import AssignmentIn, create_assignment, today
from .models import AssignmentDetailOut, AssignmentOut, CandidateOut
from .present import TAG, P, _account, _detail_of, _row


class AssignmentsQuery(Query):
    """The ledger's filters (the same as the ledger page's)."""

    unit_id: QueryInt(1) | None = Field(None, description="牵头或配合单位")
    leader: str | None = Field(None, description="分管或协调领导")
    meeting_id: QueryInt(1) | None = Field(None, description="会议")
    category: str | None = Field(None, description="议题类别")
    status: str | None = Field(None, description="not_started | in_progress | completed | overdue | closed")
    warning: str | None = Field(None, description="none | blue | yellow | red")
    due_before: QueryDate | None = Field(None, description="YYYY-MM-DD")
    due_after: QueryDate | None = Field(None, description="YYYY-MM-DD")
    q: str | None = Field(None, description="关键词（名称、决策内容、编号）")


@endpoint(
    "GET",
    f"{P}/assignments",
    "listAssignments",
    "督查台账：督办事项列表（按单位、领导、会议、类别、状态、预警、时限、关键词筛选）",
    TAG,
    response_key="assignments",
    response=AssignmentOut,
    response_list=True,
    query=AssignmentsQuery,
    description="执行单位只得到本单位牵头或配合的事项，分管领导只得到本人分管的事项。",
)
def list_assignments():
    actor = _account()
    query(AssignmentsQuery)  # the documented parameters, refused as the document says
    f = ledger.filter_from(request.args)  # the ledger's one filter: the same as its page and its exports
    with read_only() as s:
        ids = access.visible_ids(s, actor)
        rows = ledger.rows(s, today(), f, only_ids=ids)
    return _ok(assignments=[_row(r) for r in rows])


@endpoint(
    "POST",
    f"{P}/assignments",
    "createAssignment",
    "立项督办：由审定纪要中通过的议题（或人大案件）生成督办事项",
    TAG,
    request=AssignmentIn,
    response_key="assignment",
    response=AssignmentDetailOut,
    status=201,
    description="会议秘书或督查室。编号按决策年度顺排（2024-001）；执行工作方案报送时限由规则配置计算；"
    "decided_text 须逐字摘自审定纪要的“会议议定”；涉密或干部任免议题不得公开。",
)
def create_assignment_api():
    actor = _account()
    data = parse(AssignmentIn, _json_body())
    with unit_of_work() as s:
        a = create_assignment(s, actor, data)
    return _ok(201, assignment=_detail_of(actor, a.id))


@endpoint(
    "GET",
    f"{P}/assignments/<int:assignment_id>",
    "getAssignment",
    "督办事项详情：单位分工、节点、工作方案、进展、延期、建议、评估、签字、事件日志",
    TAG,
    response_key="assignment",
    response=AssignmentDetailOut,
    description="配合单位只看到本单位的进展报告（不含延期、建议、评估、签字和事件日志）。",
)
def get_assignment(assignment_id: int):
    actor = _account()
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint(
    "PUT",
    f"{P}/assignments/<int:assignment_id>",
    "updateAssignment",
    "督查室修改督办事项（名称、领导、责任人、是否公开）",
    TAG,
    request=AssignmentEditIn,
    response_key="assignment",
    response=AssignmentDetailOut,
)
def update_assignment(assignment_id: int):
    actor = _account()
    data = parse(AssignmentEditIn, _json_body())
    with unit_of_work() as s:
        assignments.update_assignment(s, actor, assignment_id, data)
    return _ok(assignment=_detail_of(actor, assignment_id))


@endpoint(
    "GET",
    f"{P}/meetings/<int:meeting_id>/candidates",
    "listAssignmentCandidates",
    "审定纪要中的议题及其预填的督办事项（由会议议定内容解析牵头单位、配合单位、时限）",
    TAG,
    response_key="items",
    response=CandidateOut,
    response_list=True,
    description="纪要未审定时拒绝（minutes_not_approved）。",
)
def list_candidates(meeting_id: int):
    actor = _account()
    access.require_creator(actor)
    with read_only() as s:
        _, items = assignments.candidates(s, meeting_id, _zone())
    return _ok(items=[dump(CandidateOut, {**c.__dict__, "existing": [a.number for a in c.existing]}) for c in items])
