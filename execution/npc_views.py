"""The supervision office's pages for people's-congress resolutions and review opinions (seed 004), on the
``supervision`` blueprint: register, classify and compile, leaders' instructions, assignments, the reply record."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from sqlmodel import col, select

from meeting.auth import check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import YishiError
from meeting.http import form_data, signed_in
from meeting.schemas import query_int
from voting.vocabulary import ITEM_CATEGORY_LABELS

from . import ledger, npc
from .models import Unit
from .office_pages import bp, done, office, page, today
from .supervision import parse_in


def _list_page(error: YishiError | None = None, form=None):
    compilation = request.args.get("compilation", "").strip() or None
    dept = request.args.get("department_id", "")
    day = today()
    with read_only() as s:
        office(s)
        rows = npc.cases(s, compilation=compilation, department_id=query_int({"d": dept}, "d"))
        units = {u.id: u.name for u in s.exec(select(Unit).order_by(col(Unit.name)))}
        warnings = {c.id: npc.reply_warning(s, c, day) for c in rows}
        batches = npc.compilations(s)
    return page(
        "execution/npc_list.html",
        error,
        rows=rows,
        units=units,
        warnings=warnings,
        batches=batches,
        kinds=npc.KIND_LABELS,
        compilation=compilation or "",
        form=form or {"received_on": day.isoformat()},
    )


@bp.get("/supervision/npc")
@signed_in
def npc_list():
    return _list_page()


@bp.post("/supervision/npc")
@signed_in
def npc_register():
    check_csrf()
    try:
        data = parse_in(
            npc.NpcCaseIn,
            form_data(
                "kind", "number", "title", "content", "received_on", "department", "compilation", "leader_instructions"
            ),
        )
        with unit_of_work() as s:
            case = npc.register_case(s, office(s), data, today())
    except YishiError as err:
        return _list_page(err, request.form)
    return done(_("已登记“%(title)s”。", title=case.title), url_for(".npc_case", case_id=case.id))


def _case_page(case_id: int, error: YishiError | None = None, form=None, error_for: str = ""):
    day = today()
    with read_only() as s:
        office(s)
        case = npc.get_case(s, case_id)
        dept = s.get(Unit, case.department_unit_id) if case.department_unit_id else None
        dates = npc.case_deadlines(s, case)
        warning = npc.reply_warning(s, case, day)
        assignments = npc.assignments_of(s, case.id)
        rows = {r.assignment.id: r for r in ledger.rows(s, day, only_ids=[a.id for a in assignments])}
    form = form or {"title": case.title, "lead_unit": dept.name if dept else ""}
    return page(
        "execution/npc_case.html",
        error,
        case=case,
        dept=dept,
        dates=dates,
        reply_warning=warning,
        assignments=assignments,
        rows=rows,
        kinds=npc.KIND_LABELS,
        states=npc.STATE_LABELS,
        categories=ITEM_CATEGORY_LABELS,
        form=form,
        error_for=error_for,
    )


@bp.get("/supervision/npc/<int:case_id>")
@signed_in
def npc_case(case_id: int):
    return _case_page(case_id)


@bp.post("/supervision/npc/<int:case_id>/classify")
@signed_in
def npc_classify(case_id: int):
    check_csrf()
    try:
        data = parse_in(npc.ClassifyIn, form_data("department", "compilation", "leader_instructions"))
        with unit_of_work() as s:
            npc.classify(s, office(s), case_id, data)
    except YishiError as err:
        return _case_page(case_id, err, request.form, "classify")
    return done(_("已保存归口分类、汇编批次和领导批示。"), url_for(".npc_case", case_id=case_id))


@bp.post("/supervision/npc/<int:case_id>/assignments")
@signed_in
def npc_assign(case_id: int):
    check_csrf()
    try:
        form = form_data(
            "title",
            "lead_unit",
            "responsible_leader",
            "person_responsible",
            "category",
            "deadline",
            bools=("public",),
            lists=("supporting_units",),
        )
        data = parse_in(npc.CaseAssignmentIn, form)
        with unit_of_work() as s:
            a = npc.create_assignment_from_case(s, office(s), case_id, data)
    except YishiError as err:
        return _case_page(case_id, err, request.form, "assign")
    return done(_("已立项督办%(number)s。", number=a.number), url_for(".npc_case", case_id=case_id))


@bp.post("/supervision/npc/<int:case_id>/reply")
@signed_in
def npc_reply(case_id: int):
    check_csrf()
    try:
        data = parse_in(npc.ReplyIn, form_data("reply_draft", "reply_reviewer", "reply_signed_on", "reply_sent_on"))
        with unit_of_work() as s:
            npc.record_reply(s, office(s), case_id, data, today())
    except YishiError as err:
        return _case_page(case_id, err, request.form, "reply")
    return done(_("已保存答复记录。"), url_for(".npc_case", case_id=case_id))


@bp.get("/supervision/npc/compilation")
@signed_in
def npc_compilation():
    """汇编: one batch's cases grouped by department, printable, for the leaders' instructions (seed 004 §二1)."""
    name = request.args.get("name", "").strip()
    with read_only() as s:
        office(s)
        groups = npc.compilation_groups(s, name) if name else []
        batches = npc.compilations(s)
    return page("execution/npc_compilation.html", name=name, groups=groups, batches=batches, kinds=npc.KIND_LABELS)
