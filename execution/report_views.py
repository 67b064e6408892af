"""What is filed on one assignment: the unit's work plan, progress and extension requests, proposals and their
place on a meeting's agenda, the office's evaluation, the leader's sign-off, closing and editing.

Each is a form action (:func:`~execution.pages.posted`): validate, call the service in execution/, flash its
outcome; a refusal shows its one-sentence reason on the assignment's page and changes nothing.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext

from meeting.db import read_only, unit_of_work
from meeting.http import form_data, tell_room

from . import assignments, closeout, reports
from .models import ExtensionRequest
from .pages import actor_now, assignment_page, bp, folder, posted, uploads
from .schemas import (
    AssignmentEditIn,
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
from .service import today


@bp.post("/assignments/<int:assignment_id>/plan")
@posted(assignment_page)
def plan(assignment_id: int):
    actor = actor_now()
    data = parse(PlanIn, form_data("internal_unit", "responsible_leader", "person_responsible", "measures", "schedule"))
    with unit_of_work() as s:
        p = reports.file_plan(s, actor, assignment_id, data)
    return gettext("执行工作方案（第%(v)s版）已报送。", v=p.version)


@bp.post("/assignments/<int:assignment_id>/progress")
@posted(assignment_page)
def progress(assignment_id: int):
    actor = actor_now()
    data = parse(ProgressIn, form_data("reported_on", "content", "problems", bools=("completes",)))
    files = uploads()
    with unit_of_work() as s:
        reports.report_progress(s, actor, assignment_id, data, today(), files, folder())
    return gettext("已报送办结情况，待分管领导签字确认后销号。") if data.completes else gettext("进展情况已报送。")


@bp.post("/assignments/<int:assignment_id>/extensions")
@posted(assignment_page)
def extension(assignment_id: int):
    actor = actor_now()
    data = parse(ExtensionIn, form_data("reason", "new_deadline"))
    with unit_of_work() as s:
        reports.request_extension(s, actor, assignment_id, data, today())
    return gettext("延期申请已提交，待督查室审批。")


@bp.post("/extensions/<int:request_id>/decision")
@posted(lambda request_id: _extension_page(request_id))
def decide_extension(request_id: int):
    actor = actor_now()
    data = parse(ExtensionDecisionIn, form_data("note", bools=("approve",)))
    with unit_of_work() as s:
        req = reports.decide_extension(s, actor, request_id, data)
    return gettext("已批准延期。") if req.status == "approved" else gettext("已作出不同意延期的决定。")


def _extension_page(request_id: int) -> str:
    with read_only() as s:
        req = s.get(ExtensionRequest, request_id)
    return assignment_page(req.assignment_id) if req else url_for("execution.ledger")


@bp.post("/assignments/<int:assignment_id>/proposals")
@posted(assignment_page)
def proposal(assignment_id: int):
    actor = actor_now()
    data = parse(ProposalIn, form_data("kind", "circumstances", "proposal"))
    with unit_of_work() as s:
        reports.submit_proposal(s, actor, assignment_id, data)
    return gettext("建议已提交。决策的停止、暂缓或调整须经会议研究决定。")


@bp.post("/proposals/<int:proposal_id>/agenda")
@posted(lambda proposal_id: request.form.get("back") or url_for("execution.ledger"))
def place_proposal(proposal_id: int):
    actor = actor_now()
    data = parse(PlaceProposalIn, form_data("meeting_id"))
    with unit_of_work() as s:
        item = reports.place_proposal(s, actor, proposal_id, data.meeting_id)
    tell_room(item.meeting_id)
    return gettext("已列入会议议程：%(title)s", title=item.title)


@bp.post("/assignments/<int:assignment_id>/evaluations")
@posted(assignment_page)
def evaluation(assignment_id: int):
    actor = actor_now()
    data = parse(
        EvaluationIn, form_data("trigger", "evaluator", "method", "findings", "recommendation", "evaluated_on")
    )
    with unit_of_work() as s:
        reports.record_evaluation(s, actor, assignment_id, data, today(), uploads(), folder())
    return gettext("决策后评估已记录。")


@bp.post("/assignments/<int:assignment_id>/signoff")
@posted(assignment_page)
def signoff(assignment_id: int):
    actor = actor_now()
    data = parse(SignOffIn, form_data("leader", "signed_on", "opinion"))
    with unit_of_work() as s:
        closeout.sign_off(
            s, actor, assignment_id, data.leader, data.signed_on, data.opinion, uploads(), folder(), today()
        )
    return gettext("分管领导签字确认已记录。")


@bp.post("/assignments/<int:assignment_id>/close")
@posted(assignment_page)
def close(assignment_id: int):
    actor = actor_now()
    with unit_of_work() as s:
        a = closeout.close(s, actor, assignment_id, today())
    return gettext("督办事项%(number)s已销号。", number=a.number)


@bp.post("/assignments/<int:assignment_id>/edit")
@posted(assignment_page)
def edit(assignment_id: int):
    actor = actor_now()
    data = parse(
        AssignmentEditIn,
        form_data(
            "title",
            "responsible_leader",
            "coordinating_leader",
            "person_responsible",
            "leader_person_id",
            "coordinating_person_id",
            bools=("public",),
        ),
    )
    with unit_of_work() as s:
        assignments.update_assignment(s, actor, assignment_id, data)
    return gettext("已保存。")
