"""Thin views of the paper for the meeting room (minutes.paper): the 会议通知, the 签到表 and the 表决结果单, each a
print page (no navigation; its buttons hidden when printed) and a docx, for the secretary only. On the minutes
blueprint (as minutes.tablet's are)."""

from __future__ import annotations

import io

from flask import current_app, render_template, request, send_file
from flask_babel import pgettext

from meeting.api import _zone
from meeting.auth import login_required, staff_actor
from meeting.clock import to_local, utcnow
from meeting.db import read_only
from meeting.errors import NotFound, PermissionDenied

from . import paper as papers
from . import service
from .views import DOCX, bp, offload


def _record(meeting_id: int):
    """The structured record of the meeting, for the secretary (everyone else is refused)."""
    with read_only() as s:
        if staff_actor(s) is None:
            raise PermissionDenied()
        m = service.structured(s, meeting_id, _zone())  # NotFound when there is no such meeting
        today = to_local(utcnow(), _zone()).date()
        p = papers.paper(s, m, issued_on=today, phone=current_app.config.get("YISHI_OFFICE_PHONE", ""))
        p.came = papers.present_ids(s, meeting_id)
    return m, p


def _docx(data: bytes, name: str):
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=f"{name}.docx")


def _page(template: str, **kw):
    resp = current_app.make_response(render_template(template, **kw))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/meetings/<int:meeting_id>/paper/notice")
@login_required
def paper_notice(meeting_id: int):
    """会议通知 to print."""
    _m, p = _record(meeting_id)
    return _page("paper_notice.html", p=p, paras=p.notice_paragraphs())


@bp.get("/meetings/<int:meeting_id>/paper/notice.docx")
@login_required
def paper_notice_docx(meeting_id: int):
    _m, p = _record(meeting_id)
    return _docx(offload(papers.notice_docx, p), p.notice_title)


@bp.get("/meetings/<int:meeting_id>/paper/sign-in")
@login_required
def paper_sign_in(meeting_id: int):
    """签到表 to print."""
    _m, p = _record(meeting_id)
    return _page("paper_sign_in.html", p=p, groups=papers.sign_in_rows(p), columns=papers.SIGN_IN_COLUMNS)


@bp.get("/meetings/<int:meeting_id>/paper/sign-in.docx")
@login_required
def paper_sign_in_docx(meeting_id: int):
    _m, p = _record(meeting_id)
    return _docx(offload(papers.sign_in_docx, p), p.sign_in_title)


@bp.get("/meetings/<int:meeting_id>/paper/results")
@login_required
def paper_results(meeting_id: int):
    """The 表决结果单 of every decided item, one to a printed page (``?item=`` for one of them)."""
    m, p = _record(meeting_id)
    sheets = papers.result_sheets(m, p.came)
    one = request.args.get("item", type=int)
    if one is not None:
        sheets = [r for r in sheets if r.item_id == one]
        if not sheets:
            raise NotFound(what=pgettext("what", "已表决的议题"))
    return _page("paper_results.html", p=p, sheets=sheets, columns=papers.TALLY_COLUMNS)


@bp.get("/meetings/<int:meeting_id>/paper/results/<int:item_id>.docx")
@login_required
def paper_result_docx(meeting_id: int, item_id: int):
    m, p = _record(meeting_id)
    sheet = next((r for r in papers.result_sheets(m, p.came) if r.item_id == item_id), None)
    if sheet is None:
        raise NotFound(what=pgettext("what", "已表决的议题"))
    number = sheet.heading.split("、", 1)[0]
    return _docx(offload(papers.result_docx, sheet), f"{m.title}表决结果单（议题{number}）")
