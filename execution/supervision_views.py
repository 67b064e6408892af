"""The supervision office's pages (督查室): the dashboard, notifications, reminder notices (催办单),
accountability, ledger exports, complaints and the holiday calendar. People's-congress cases: npc_views.py (same
blueprint).

Thin: read the form → validate → call the service in execution/ inside one unit of work → redirect with a message.
A refusal (typed YishiError, nothing changed) is shown on the same page with what was typed. Office pages are for
accounts of role supervisor/admin (execution.access.OFFICE_ROLES); the exports also for the secretary, who reads
the ledger; a unit account gets 403 everywhere here except its own notifications.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlmodel import col, select

from meeting import schemas as meeting_schemas
from meeting.auth import check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import NotFound, PermissionDenied, YishiError
from meeting.http import form_data, signed_in
from meeting.i18n import cite
from minutes.views import offload
from voting.accountability import ACTION_LABELS
from voting.vocabulary import ITEM_CATEGORY_LABELS

from . import access, calendar, disclosure, export, ledger, npc_views, supervision  # noqa: F401  (npc_views: its pages)
from .calendar import cn
from .models import Assignment, AssignmentUnit, Unit
from .office_pages import assignment_url, bp, done, download, maybe_url, office, page, today

DOCX, XLSX = export.DOCX, export.XLSX

__all__ = ["assignment_url", "bp", "done", "form_data", "maybe_url", "office", "page", "signed_in", "today"]


# ---------------------------------------------------------------- dashboard


@bp.get("/supervision/")
@signed_in
def dashboard():
    """What is due (by warning level) and overdue, plans overdue, pending extensions, unanswered complaints."""
    day = today()
    with unit_of_work() as s:
        office(s)
        supervision.sweep(s, day)
    with read_only() as s:
        d = supervision.dashboard(s, day)
    return page("execution/supervision_dashboard.html", d=d)


# ---------------------------------------------------------------- notifications (a unit's own)


def _notification_unit(s, actor) -> Unit:
    unit = access.unit_of(s, actor)
    if unit is not None:
        return unit
    if not access.is_office(actor):
        raise PermissionDenied()
    unit_id = request.values.get("unit_id", "")
    unit_id = meeting_schemas.query_int({"unit_id": unit_id}, "unit_id")
    unit = s.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise NotFound(what=_("单位"))
    return unit


@bp.get("/supervision/notifications")
@signed_in
def notifications():
    """A unit's in-app notifications (the office may open any unit's with ?unit_id=)."""
    with unit_of_work() as s:
        actor = access.require_account(s)
        unit = _notification_unit(s, actor)
        supervision.sweep(s, today())
        notes = supervision.notifications_for(s, unit.id)
        unread = supervision.unread_count(s, unit.id)
    return page(
        "execution/supervision_notifications.html",
        unit=unit,
        notes=notes,
        unread=unread,
        is_office=access.is_office(actor),
    )


@bp.post("/supervision/notifications/read")
@signed_in
def notifications_read():
    check_csrf()
    ids = [int(x) for x in request.form.getlist("id") if x.isdigit() and int(x) <= meeting_schemas.DB_INT_MAX]
    with unit_of_work() as s:
        actor = access.require_account(s)
        unit = _notification_unit(s, actor)
        n = supervision.mark_read(s, unit.id, ids or None)
    target = url_for(".notifications", unit_id=unit.id if access.is_office(actor) else None)
    return done(_("已将%(n)d条通知标为已读。", n=n), target)


# ---------------------------------------------------------------- reminder notices (催办单)


@bp.get("/supervision/reminders")
@signed_in
def reminders():
    with read_only() as s:
        office(s)
        rows = supervision.reminders(s)
    return page("execution/reminder_list.html", rows=rows)


def _reminder_form_page(assignment_id: int, error: YishiError | None = None, form=None):
    day = today()
    with read_only() as s:
        office(s)
        a = s.get(Assignment, assignment_id)
        if a is None:
            raise NotFound(what=_("督办事项"))
        units = s.exec(
            select(AssignmentUnit, Unit)
            .join(Unit, col(Unit.id) == AssignmentUnit.unit_id)
            .where(AssignmentUnit.assignment_id == a.id)
            .order_by(col(AssignmentUnit.id))
        ).all()
        row = next(iter(ledger.rows(s, day, only_ids=[a.id])), None)
        lead = s.get(Unit, a.lead_unit_id)
        previous = supervision.reminders(s, a.id)
        form = form or {
            "content": supervision.default_reminder_text(a, lead, day),
            "reply_by": (day + timedelta(days=5)).isoformat(),
        }
    return page("execution/reminder_form.html", error, a=a, units=units, row=row, form=form, previous=previous)


@bp.get("/supervision/assignments/<int:assignment_id>/reminder")
@signed_in
def reminder_form(assignment_id: int):
    return _reminder_form_page(assignment_id)


@bp.post("/supervision/assignments/<int:assignment_id>/reminder")
@signed_in
def reminder_issue(assignment_id: int):
    check_csrf()
    try:
        data = supervision.parse_in(supervision.ReminderIn, form_data("unit_id", "content", "reply_by"))
        with unit_of_work() as s:
            r = supervision.issue_reminder(s, office(s), assignment_id, data, today())
    except YishiError as err:
        return _reminder_form_page(assignment_id, err, request.form)
    return done(
        _("已发出%(number)s，并已通知承办单位。", number=r.number), url_for(".reminder_print", reminder_id=r.id)
    )


def _office_name() -> str:
    return current_app.config.get("YISHI_OFFICE_NAME") or _("督查室")


@bp.get("/supervision/reminders/<int:reminder_id>")
@signed_in
def reminder_print(reminder_id: int):
    """The printable notice (A4)."""
    with read_only() as s:
        office(s)
        r, a, unit = supervision.reminder(s, reminder_id)
    return page("execution/reminder_print.html", r=r, a=a, unit=unit, office_name=_office_name())


@bp.get("/supervision/reminders/<int:reminder_id>.docx")
@signed_in
def reminder_docx(reminder_id: int):
    from meeting.clock import to_local

    with read_only() as s:
        office(s)
        r, a, unit = supervision.reminder(s, reminder_id)
    issued = to_local(r.issued_at, current_app.config["YISHI_TIMEZONE"]).date()
    data = export.reminder_docx(r, a, unit, office=_office_name(), issued_on=issued)
    return download(data, DOCX, f"{r.number}.docx")


# ---------------------------------------------------------------- accountability (问责)


def _accountability_page(error: YishiError | None = None, form=None, flagged=None):
    year = meeting_schemas.year_arg(request.args) or today().year  # year=-5 or 99999: this year
    with read_only() as s:
        office(s)
        log = supervision.accountability_log(s, year)
        units = s.exec(select(Unit).where(Unit.active == True).order_by(col(Unit.name))).all()  # noqa: E712
        assignments = s.exec(select(Assignment).order_by(col(Assignment.number).desc()).limit(500)).all()
    return page(
        "execution/supervision_accountability.html",
        error,
        log=log,
        units=units,
        assignments=assignments,
        labels=ACTION_LABELS,
        form=form or {"on": today().isoformat()},
        flagged=flagged,
    )


@bp.get("/supervision/accountability")
@signed_in
def accountability():
    return _accountability_page()


@bp.post("/supervision/accountability")
@signed_in
def accountability_record():
    check_csrf()
    try:
        data = supervision.parse_in(
            supervision.AccountabilityIn, form_data("unit_id", "assignment_id", "kind", "on", "reason")
        )
        with unit_of_work() as s:
            rec = supervision.record_action(s, office(s), data, today())
    except YishiError as err:
        return _accountability_page(err, request.form)
    msg = _("已记录。%(unit)s%(year)d年已被约谈%(n)d次。", unit=rec.unit.name, year=data.on.year, n=rec.interviews)
    if rec.criticism_due:
        msg += _("一年内被约谈两次以上，应给予通报批评（%(src)s）。", src=cite("rugao", "二3"))
    return done(msg, url_for(".accountability", year=data.on.year))


# ---------------------------------------------------------------- exports


def filter_text(f: ledger.LedgerFilter) -> str:
    """How the ledger's filters read in Chinese (printed on the export; the unit and meeting are added there)."""
    parts = []
    if f.leader:
        parts.append(_("分管领导：%(v)s", v=f.leader))
    if f.category:
        parts.append(_("类别：%(v)s", v=ITEM_CATEGORY_LABELS.get(f.category, f.category)))
    if f.status:
        parts.append(_("状态：%(v)s", v=ledger.STATUS_LABELS.get(f.status, f.status)))
    if f.warning:
        parts.append(_("预警：%(v)s", v=ledger.WARNING_LABELS.get(f.warning, f.warning) or f.warning))
    if f.due_after:
        parts.append(_("完成时限不早于%(v)s", v=cn(f.due_after)))
    if f.due_before:
        parts.append(_("完成时限不晚于%(v)s", v=cn(f.due_before)))
    if f.source:
        parts.append(_("来源：%(v)s", v=_("人大决议决定、审议意见") if f.source == "npc" else _("会议决策")))
    if f.keyword:
        parts.append(_("关键词：%(v)s", v=f.keyword))
    return "；".join(parts)


def _export(kind: str):
    f = ledger.filter_from(request.args)
    text = filter_text(f)
    day = today()
    with read_only() as s:
        actor = access.require_account(s)
        access.require_creator(actor)
        if f.unit_id:
            unit = s.get(Unit, f.unit_id)
            text = "；".join(x for x in (_("单位：%(v)s", v=unit.name if unit else "—"), text) if x)
        if f.meeting_id:
            text = "；".join(x for x in (_("会议编号：%(v)s", v=f.meeting_id), text) if x)
        rows = export.export_rows(s, day, f, zone=current_app.config["YISHI_TIMEZONE"])
    title = _("重大决策执行督查台账")
    render = export.ledger_docx if kind == "docx" else export.ledger_xlsx
    # CPU-bound (≈1 s for 300 rows as docx): off the event loop, so live rooms are not held up
    data = offload(partial(render, rows, title=title, today=day, filters_text=text, office=_office_name()))
    return download(data, DOCX if kind == "docx" else XLSX, f"督查台账-{day.isoformat()}.{kind}")


@bp.get("/supervision/ledger.docx")
@signed_in
def export_docx():
    return _export("docx")


@bp.get("/supervision/ledger.xlsx")
@signed_in
def export_xlsx():
    return _export("xlsx")


# ---------------------------------------------------------------- complaints (office side)


def _complaints_page(error: YishiError | None = None, form=None, answer_for: int | None = None):
    state = request.args.get("state", "open")
    state = state if state in ("open", "answered", "all") else "open"
    day = today()
    with read_only() as s:
        office(s)
        rows = disclosure.complaints(s, state)
        public = disclosure.public_rows(s, day)
    return page(
        "execution/supervision_complaints.html",
        error,
        rows=rows,
        state=state,
        public=public,
        channels=disclosure.CHANNEL_LABELS,
        form=form or {},
        answer_for=answer_for,
    )


@bp.get("/supervision/complaints")
@signed_in
def complaints():
    return _complaints_page()


@bp.post("/supervision/complaints")
@signed_in
def complaint_register():
    """A complaint received by letter, phone or e-mail (seed 000 第26条), registered by the office."""
    check_csrf()
    try:
        data = supervision.parse_in(
            disclosure.RegisterComplaintIn,
            form_data("channel", "content", "name", "contact", "assignment_id"),
            disclosure.COMPLAINT_LABELS,
            disclosure.COMPLAINT_ERRORS,
        )
        with unit_of_work() as s:
            c = disclosure.submit_complaint(s, data, today(), channel=data.channel, actor=office(s))
    except YishiError as err:
        return _complaints_page(err, request.form)
    return done(_("已登记投诉，查询码%(code)s（请告知投诉人）。", code=c.code), url_for(".complaints"))


@bp.post("/supervision/complaints/<int:complaint_id>/answer")
@signed_in
def complaint_answer(complaint_id: int):
    check_csrf()
    try:
        data = supervision.parse_in(
            disclosure.AnswerIn, form_data("answer"), disclosure.COMPLAINT_LABELS, disclosure.COMPLAINT_ERRORS
        )
        with unit_of_work() as s:
            c = disclosure.answer_complaint(s, office(s), complaint_id, data)
    except YishiError as err:
        return _complaints_page(err, request.form, answer_for=complaint_id)
    return done(_("已答复投诉%(code)s。", code=c.code), url_for(".complaints"))


# ---------------------------------------------------------------- holiday calendar


def _holidays_page(error: YishiError | None = None, form=None):
    with read_only() as s:
        office(s)
        rows = calendar.listing(s)
    years = calendar.coverage()
    return page(
        "execution/supervision_holidays.html",
        error,
        rows=rows,
        years=years,
        form=form or {},
        next_uncovered=(years[1] + 1) if years else None,
    )


@bp.get("/supervision/holidays")
@signed_in
def holidays():
    return _holidays_page()


@bp.post("/supervision/holidays")
@signed_in
def holiday_add():
    check_csrf()
    try:
        form = form_data("day", "name", bools=("working",))
        data = supervision.parse_in(calendar.HolidayIn, form)
        with unit_of_work() as s:
            calendar.add_override(s, office(s), data)
    except YishiError as err:
        return _holidays_page(err, request.form)
    return done(_("已登记%(day)s。", day=cn(data.day)), url_for(".holidays"))


@bp.post("/supervision/holidays/<int:override_id>/delete")
@signed_in
def holiday_delete(override_id: int):
    check_csrf()
    with unit_of_work() as s:
        calendar.remove_override(s, office(s), override_id)
    return done(_("已删除。"), url_for(".holidays"))
