"""Public pages (no sign-in): decisions marked public with their execution status, and complaints.

Only :class:`execution.disclosure.PublicRow` values reach these templates — never an assignment, a unit's
contacts, a complaint's contact or any internal note. The complaint form carries a CSRF token kept in the
visitor's session (rendered with ``csrf_token()``)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from meeting.auth import check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import YishiError
from meeting.http import form_data

from . import calendar, disclosure
from .calendar import cn
from .supervision import parse_in

bp = Blueprint("disclosure", __name__)


def _page(template: str, status: int = 200, **ctx):
    resp = render_template(template, cn=cn, **ctx), status
    return resp


@bp.get("/public/")
def index():
    """决策公开: decisions marked public and how far their execution has come (seed 000 第24条; seed 003 §五(二))."""
    keyword = request.args.get("q", "").strip()[:50]
    with read_only() as s:
        rows = disclosure.public_rows(s, calendar.today(), keyword)
    return _page("execution/public_index.html", rows=rows, q=keyword)


def _complaint_page(error: YishiError | None = None, form=None):
    with read_only() as s:
        decisions = disclosure.public_rows(s, calendar.today())
    form = form or {"assignment_id": request.args.get("decision", "")}
    return _page(
        "execution/public_complaint.html",
        error.http_status if error else 200,
        decisions=decisions,
        error=error,
        form=form,
    )


@bp.get("/public/complaints")
def complaint_form():
    return _complaint_page()


@bp.post("/public/complaints")
def complaint_submit():
    """A complaint about execution (seed 000 第26条) → a tracking code."""
    check_csrf()
    try:
        data = parse_in(
            disclosure.ComplaintIn,
            form_data("content", "name", "contact", "assignment_id"),
            disclosure.COMPLAINT_LABELS,
            disclosure.COMPLAINT_ERRORS,
        )
        with unit_of_work() as s:
            code = disclosure.submit_complaint(s, data, calendar.today()).code
    except YishiError as err:
        return _complaint_page(err, request.form)
    return redirect(url_for(".complaint_lookup", code=code, new=1), code=303)


@bp.get("/public/complaints/lookup")
def complaint_lookup():
    """The citizen looks up the answer by the tracking code (never anyone's contact)."""
    code = request.args.get("code", "").strip()
    found = None
    if code:
        with read_only() as s:
            c = disclosure.lookup(s, code)
            if c is not None:
                found = {
                    "code": c.code,
                    "content": c.content,
                    "received_at": c.received_at,
                    "answer": c.answer,
                    "answered_at": c.answered_at,
                    "channel": disclosure.CHANNEL_LABELS.get(c.channel, ""),
                }
    status = 404 if code and found is None else 200
    return _page(
        "execution/public_lookup.html",
        status,
        code=code,
        found=found,
        new=request.args.get("new") == "1",
        not_found=_("未找到该查询码，请核对后重试。") if status == 404 else "",
    )
