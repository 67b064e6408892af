"""Thin views: the secretary's minutes page, approval (laptop or the chair's tablet link), the archive, downloads,
and the JSON routes under /api/v1 (declared with :func:`meeting.api.endpoint`, so the OpenAPI document lists them).
"""

from __future__ import annotations

import hashlib
import io
import os
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import pgettext
from pydantic import BaseModel
from pydantic import Field as PField
from sqlmodel import col, or_, select

from meeting.api import _json_body, _ok, _staff, _zone, endpoint
from meeting.auth import check_csrf, link_authenticated, login_required, staff_actor
from meeting.clock import from_local
from meeting.db import read_only, unit_of_work
from meeting.errors import NotFound, PermissionDenied, YishiError
from meeting.http import date_arg
from meeting.models import AgendaItem, Body, Meeting
from meeting.room import load_room
from meeting.schemas import parse, query_int, year_arg
from meeting.state import meeting_title
from voting.vocabulary import ITEM_CATEGORY_LABELS, MEETING_KIND_LABELS

from . import load as record_load
from . import pdf, service, verify
from . import record as record_rules
from . import summary as summary_text
from .docx import KIND_NAMES
from .errors import ArchiveTampered, PublicVersionNotYet, RecordRestricted, RecordWithheld
from .models import DRAFT, ArchivedDocument, Minutes

bp = Blueprint("minutes", __name__, url_prefix="/minutes")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def folder() -> Path:
    return service.archive_dir(current_app.instance_path)


def pdf_copy():
    """:func:`minutes.pdf.convert` when this server makes PDF copies of archived documents (LibreOffice installed,
    and ``YISHI_PDF_COPY`` not switched off in the configuration or the environment), else None."""
    on = current_app.config.get("YISHI_PDF_COPY", os.environ.get("YISHI_PDF_COPY", "1") != "0")
    return pdf.convert if on and pdf.available() else None


def offload(fn, *args):
    """Run CPU-bound rendering off the event loop: eventlet's / gevent's thread pool; plain call when threading.
    ``YISHI_RENDER_INLINE=1`` in the environment renders on the event loop instead (only to measure what the thread
    pool buys: bench/minutes_blocking.py)."""
    mode = current_app.config.get("YISHI_ASYNC_MODE")
    if os.environ.get("YISHI_RENDER_INLINE") == "1":
        return fn(*args)
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(fn, args)
    return fn(*args)


def _viewer(s, meeting_id: int):
    actor = staff_actor(s) if session.get("user_id") or request.headers.get("Authorization") else None
    if actor is None:
        actor = service.token_viewer(s, meeting_id, request.values.get("token", ""))
    return actor


def withheld_items(s, actor, meeting_id: int) -> set[int]:
    """The items whose opinions and tally this reader may not read: a member's (or the chair's) link, for the items
    he was recused from — unless the body's rule profile says a recused member may (``[presiding]
    recused_reads_item``, with its source). The secretary reads everything."""
    if actor is None or actor.is_staff or not actor.is_seat:
        return set()
    if load_room(s, meeting_id).profile.recused_reads_item:
        return set()
    return record_load.recused_item_ids(s, meeting_id, actor.person_id)


def structured_for(s, actor, meeting_id: int):
    """The structured minutes as this reader may read them (:func:`minutes.record.withhold`)."""
    return record_rules.withhold(service.structured(s, meeting_id, _zone()), withheld_items(s, actor, meeting_id))


# ---------------------------------------------------------------- HTML


@bp.get("/meetings/<int:meeting_id>")
def page(meeting_id: int):
    """The secretary edits the texts; the chair (tablet link ?token=…) reads the record and approves."""
    with read_only() as s:
        actor = _viewer(s, meeting_id)
        if actor is None and not session.get("user_id") and not request.values.get("token"):
            return redirect(url_for("views.login", next=request.full_path))
        if not service.may_see_record(actor):
            raise RecordRestricted()
    minutes = service.ensured(meeting_id)  # created in a transaction of its own the first time
    with read_only() as s:  # loading the record holds no write lock
        m = structured_for(s, actor, meeting_id)
        docs = service.documents(s, meeting_id)
        if withheld_items(s, actor, meeting_id):  # the archived record names who said what on every item
            docs = [d for d in docs if d.document != "record"]
        editor = editor_state(s, actor, meeting_id, m)
    checks = {d.id: service.verify(d, folder()) for d in docs}  # reading the files: no transaction open
    return render_template(
        "minutes_edit.html",
        m=m,
        minutes=minutes,
        docs=docs,
        checks=checks,
        actor=actor,
        kinds=KIND_NAMES,
        token=request.values.get("token", ""),
        editor=editor,
        fields=EDITOR_FIELDS,
    )


# the editor's boxes per item, in order: (field, label, kind, max length). A field added to MinutesItemIn (and
# service.TEXT_FIELDS) is one row here; the template and static/js/minutes-editor.js follow it.
EDITOR_FIELDS = (
    ("discussion", "讨论情况", "textarea", 20000),
    ("considered", "会议认为", "textarea", 20000),
    ("decided", "会议议定", "textarea", 20000),
    ("lead_unit", "牵头单位", "input", 100),
    ("supporting_units", "配合单位", "input", 500),
    ("deadline", "完成时限", "date", 10),
)


def editor_state(s, actor, meeting_id: int, m=None) -> dict:
    """What the editor shows besides the boxes, after every save: the 纪要's paragraphs as minutes.summary makes
    them (the preview: the composition rules stay there), each item's version, the items still without 会议议定,
    and the warnings of :func:`minutes.service.item_warnings`."""
    m = m or structured_for(s, actor, meeting_id)
    return {
        "preview": [{"role": p.role, "text": p.text, "label": p.label} for p in summary_text.paragraphs(m)],
        "saved": {
            str(k): {"version": v["version"], "saved_at": v["saved_at"], "saved_by": v["saved_by"]}
            for k, v in service.saved_texts(s, meeting_id, _zone()).items()
        },
        "missing": [service.missing_text(e) for e in service.missing_decisions(s, meeting_id)],
        "warnings": {str(k): v for k, v in service.item_warnings(s, meeting_id).items()},
    }


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>")
@login_required
def save_texts(meeting_id: int, item_id: int):
    check_csrf()
    form = {k: request.form.get(k, "") for k in service.TEXT_FIELDS}
    form["deadline"] = form["deadline"] or None
    if "base_version" in request.form:
        form["base_version"] = request.form["base_version"]
    data = parse(service.MinutesItemIn, form, service.FIELD_LABELS)
    with unit_of_work() as s:
        service.edit_texts(s, staff_actor(s), meeting_id, item_id, data)
    return redirect(url_for("minutes.page", meeting_id=meeting_id) + f"#item-{item_id}")


@bp.post("/meetings/<int:meeting_id>/meeting-texts")
@login_required
def save_meeting_texts(meeting_id: int):
    """会议要求/会议强调 and the 密级, for the whole meeting (minutes.service.set_meeting_texts)."""
    check_csrf()
    data = parse(service.MeetingTextsIn, {k: request.form.get(k, "") for k in ("requirements", "classification")})
    with unit_of_work() as s:
        service.set_meeting_texts(s, staff_actor(s), meeting_id, data)
    return redirect(url_for("minutes.page", meeting_id=meeting_id) + "#meeting-texts")


@bp.post("/meetings/<int:meeting_id>/header")
@login_required
def save_header(meeting_id: int):
    """期号, 编发单位, 分送, 抄送 of the 纪要 (the form under the editor's heading)."""
    check_csrf()
    form = {k: request.form.get(k, "") for k in service.HEADER_FIELDS}
    data = parse(service.MinutesHeaderIn, form, labels=service.HEADER_LABELS)
    with unit_of_work() as s:
        service.set_header(s, staff_actor(s), meeting_id, data)
    return redirect(url_for("minutes.page", meeting_id=meeting_id) + "#header")


@bp.post("/meetings/<int:meeting_id>/approve")
@link_authenticated  # the chair by his link's token; the secretary's cookie path checks CSRF below
def approve(meeting_id: int):
    token = request.form.get("token", "")
    with unit_of_work() as s:
        if token:
            actor = service.token_viewer(s, meeting_id, token)
            if actor is None:
                raise PermissionDenied()
        else:
            check_csrf()
            actor = staff_actor(s)
            if actor is None:
                raise PermissionDenied()
        service.approve(s, actor, meeting_id)
    return redirect(url_for("minutes.page", meeting_id=meeting_id, token=token or None))


@bp.post("/meetings/<int:meeting_id>/archive")
@login_required
def archive(meeting_id: int):
    check_csrf()
    with read_only() as s:
        actor = staff_actor(s)
    service.archive(
        actor, meeting_id, folder(), offload=offload, zone=_zone(), pdf_copy=pdf_copy()
    )  # its own transactions
    return redirect(url_for("minutes.page", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/amend")
@login_required
def amend(meeting_id: int):
    check_csrf()
    data = parse(
        service.AmendmentIn,
        {
            "item_id": request.form.get("item_id", type=int),
            "field": request.form.get("field", ""),
            "value": request.form.get("value", ""),
            "reason": request.form.get("reason", ""),
        },
    )
    with read_only() as s:
        actor = staff_actor(s)
    service.amend(
        actor, meeting_id, data, folder(), offload=offload, zone=_zone(), pdf_copy=pdf_copy()
    )  # its own transactions
    return redirect(url_for("minutes.page", meeting_id=meeting_id))


@bp.get("/meetings/<int:meeting_id>/draft/<kind>.docx")
def draft(meeting_id: int, kind: str):
    """The current draft as docx (not archived): the record only for those who may see it."""
    if kind not in KIND_NAMES:
        abort(404)
    with read_only() as s:
        actor = _viewer(s, meeting_id)
        _may_read(s, actor, meeting_id, kind)
        m = structured_for(s, actor, meeting_id)
    from . import docx as render_docx

    data = offload(render_docx.render, m, kind)
    return send_file(
        io.BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=f"{m.title}{KIND_NAMES[kind]}（草稿）.docx"
    )


def _may_read(s, actor, meeting_id: int, kind: str) -> None:
    """The record and the full 纪要: the secretary, the chair and members (by their link). The 公开版: the same, and
    anyone once the chair has approved the minutes."""
    if service.may_see_record(actor):
        return
    if kind != "public":
        raise RecordRestricted()
    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
    if minutes is None or minutes.status == DRAFT:
        raise PublicVersionNotYet()


@bp.get("/meetings/<int:meeting_id>/read/<kind>")
def read(meeting_id: int, kind: str):
    """The current text of the 会议纪要 or its 公开版 as a page, to read on a tablet before approving (the same
    paragraphs as the docx); the record has its own page (:func:`page`)."""
    if kind not in ("summary", "public"):
        abort(404)
    token = request.values.get("token", "")
    with read_only() as s:
        actor = _viewer(s, meeting_id)
        _may_read(s, actor, meeting_id, kind)
        minutes = s.exec(select(Minutes).where(Minutes.meeting_id == meeting_id)).first()
        m = structured_for(s, actor, meeting_id)
    paras = summary_text.paragraphs(m, public=kind == "public")
    resp = current_app.make_response(
        render_template(
            "minutes_read.html",
            m=m,
            paras=paras,
            kind=kind,
            kind_name=KIND_NAMES[kind],
            token=token,
            actor=actor,
            status=minutes.status if minutes else DRAFT,
        )
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/documents/<int:doc_id>")
def download(doc_id: int):
    """An archived document. The record and the full 纪要 need the secretary, the chair or a member's link;
    the 公开版 is public. A file whose SHA-256 no longer matches is refused."""
    with read_only() as s:
        doc = s.get(ArchivedDocument, doc_id)
        if doc is None:
            raise NotFound(what=pgettext("what", "归档文件"))
        actor = _viewer(s, doc.meeting_id)
        if doc.document != "public" and not service.may_see_record(actor):
            raise RecordRestricted()
        if doc.document == "record" and withheld_items(s, actor, doc.meeting_id):
            raise RecordWithheld()
        room = load_room(s, doc.meeting_id)
        title = meeting_title(room)
    path = folder() / doc.stored_name
    data = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != doc.sha256:  # check the very bytes that are served
        raise ArchiveTampered()
    return send_file(
        io.BytesIO(data),
        mimetype=PDF if doc.is_pdf else DOCX,
        as_attachment=True,
        download_name=f"{title}{KIND_NAMES[doc.document]}（第{doc.version}版）.{'pdf' if doc.is_pdf else 'docx'}",
    )


def local_date_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """A calendar day in the configured zone → [start, end) in UTC, as meetings' times are stored."""
    start = from_local(datetime(day.year, day.month, day.day), zone)
    return start, from_local(datetime(day.year, day.month, day.day) + timedelta(days=1), zone)


def _archive_dates(args) -> tuple[dict[str, date | None], list[YishiError]]:
    """The archive's ``from`` and ``to`` dates. A malformed one is no filter, and the page says so (naming the
    parameter) instead of answering as if it had been applied."""
    days: dict[str, date | None] = {}
    refused: list[YishiError] = []
    for name in ("from", "to"):
        try:
            days[name] = date_arg(name, args)
        except YishiError as err:
            days[name] = None
            refused.append(err)
    return days, refused


@bp.get("/archive")
def archive_page():
    """Archived minutes by date, body, type, category and keyword; each document's versions."""
    q = request.args
    with read_only() as s:
        staff = staff_actor(s) if session.get("user_id") else None
        stmt = (
            select(Meeting, Minutes, Body)
            .join(Minutes, col(Minutes.meeting_id) == Meeting.id)
            .join(Body, col(Body.id) == Meeting.body_id)
            .where(Minutes.status == "archived")
            .order_by(col(Meeting.starts_at).desc())
        )
        if query_int(q, "body_id"):
            stmt = stmt.where(Meeting.body_id == query_int(q, "body_id"))
        if q.get("kind"):
            stmt = stmt.where(Meeting.kind == q["kind"])
        zone = _zone()
        if year_arg(q):  # year=-5 or 99999 is no year: ignored like any filter the page cannot use
            y = year_arg(q)
            start, _ = local_date_bounds(date(y, 1, 1), zone)
            _, end = local_date_bounds(date(y, 12, 31), zone)
            stmt = stmt.where(col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end)
        days, refused = _archive_dates(q)
        if days["from"]:
            stmt = stmt.where(col(Meeting.starts_at) >= local_date_bounds(days["from"], zone)[0])
        if days["to"]:
            stmt = stmt.where(col(Meeting.starts_at) < local_date_bounds(days["to"], zone)[1])
        if q.get("category") or q.get("q"):
            sub = select(AgendaItem.meeting_id)
            if staff is None:  # the public searches what the 公开版 shows: no confidential or personnel items
                sub = sub.where(
                    AgendaItem.confidential == False,  # noqa: E712
                    AgendaItem.category != "personnel",
                )
            if q.get("category"):
                sub = sub.where(AgendaItem.category == q["category"])
            if q.get("q"):
                like = f"%{q['q'].strip()}%"
                sub = sub.where(or_(col(AgendaItem.title).like(like), col(AgendaItem.submitting_unit).like(like)))
            keyword = q.get("q", "").strip()
            if keyword and not q.get("category"):  # a keyword also finds the body's name
                stmt = stmt.where(or_(col(Meeting.id).in_(sub), col(Body.name).like(f"%{keyword}%")))
            else:
                stmt = stmt.where(col(Meeting.id).in_(sub))
        rows = []
        for meeting, minutes, body in s.exec(stmt).all():
            docs = [d for d in service.documents(s, meeting.id) if staff is not None or d.document == "public"]
            rows.append(
                {"meeting": meeting, "minutes": minutes, "title": meeting_title(load_room(s, meeting.id)), "docs": docs}
            )
        bodies = list(s.exec(select(Body).order_by(col(Body.id))))
    return render_template(
        "minutes_archive.html",
        rows=rows,
        bodies=bodies,
        kinds=KIND_NAMES,
        staff=staff,
        pdf_copies=pdf_copy() is not None,
        meeting_kinds=MEETING_KIND_LABELS,
        categories=ITEM_CATEGORY_LABELS,
        q=q,
        refused=refused,
    )


@bp.get("/meetings/<int:meeting_id>/verify")
@login_required
def verify_page(meeting_id: int):
    """核验: the chain of the meeting's events, its rows against the events, every archived file (secretary)."""
    with read_only() as s:
        if staff_actor(s) is None:
            raise PermissionDenied()
        title = meeting_title(load_room(s, meeting_id))  # NotFound when there is no such meeting
        report = verify.verify(s, meeting_id, folder())
    return render_template("minutes_verify.html", report=report, meeting_id=meeting_id, title=title)


# ---------------------------------------------------------------- JSON under /api/v1


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>/minutes",
    "getMinutes",
    "结构化会议记录（出席、议题、按发表顺序的意见、书面意见、回避、计票、规则及依据、结果、复议；秘书撰写的纪要文字）",
    "会议纪要",
    response_key="minutes",
)
def api_get(meeting_id: int):
    _staff()
    minutes = service.ensured(meeting_id)
    with read_only() as s:
        m = service.structured(s, meeting_id, _zone())
    return _ok(minutes=m.as_dict() | {"status": minutes.status})


@endpoint(
    "PUT",
    "/meetings/<int:meeting_id>/minutes/items/<int:item_id>",
    "updateMinutesItem",
    "填写议题的纪要文字（讨论情况、会议认为、会议议定、牵头单位、配合单位、完成时限），仅限草稿；"
    "带 base_version 时，文字在此期间已被他人保存则拒绝（minutes_item_stale，附当前文字）。"
    "答复附保存后的文字及版本、纪要预览段落、尚无会议议定的议题和提示",
    "会议纪要",
    request=service.MinutesItemIn,
    response_extra={
        "item": {"type": "object", "description": "保存后的文字、version、saved_at（时:分）、saved_by"},
        "editor": {"type": "object", "description": "preview（纪要段落）、saved（各议题版本）、missing、warnings"},
    },
)
def api_texts(meeting_id: int, item_id: int):
    actor = _staff()
    data = parse(service.MinutesItemIn, _json_body(), service.FIELD_LABELS)
    with unit_of_work() as s:
        t = service.edit_texts(s, actor, meeting_id, item_id, data, _zone())
        item = service.texts_out(t, _zone())
    with read_only() as s:
        editor = editor_state(s, actor, meeting_id)
    return _ok(item=item, editor=editor)


@endpoint(
    "PUT",
    "/meetings/<int:meeting_id>/minutes",
    "updateMinutesHeader",
    "设置纪要的版头、版记：期号、编发单位、分送、抄送（空文字恢复默认），仅限草稿",
    "会议纪要",
    request=service.MinutesHeaderIn,
)
def api_header(meeting_id: int):
    actor = _staff()
    data = parse(service.MinutesHeaderIn, _json_body(), labels=service.HEADER_LABELS)
    with unit_of_work() as s:
        service.set_header(s, actor, meeting_id, data)
    return _ok()


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/minutes/approve",
    "approveMinutes",
    "审定纪要（须所有议题已作出决定或暂缓）",
    "会议纪要",
)
def api_approve(meeting_id: int):
    actor = _staff()
    with unit_of_work() as s:
        service.approve(s, actor, meeting_id)
    # not _ok(status=…): _ok's ``status`` is the HTTP status (the answer was "HTTP/1.1 0 approved")
    return jsonify({"ok": True, "status": "approved"})


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/minutes/archive",
    "archiveMinutes",
    "归档：生成会议记录、会议纪要、公开版 docx（服务器装有 LibreOffice 时另附 PDF/A 副本），记录 SHA-256，只读保存",
    "会议纪要",
)
def api_archive(meeting_id: int):
    actor = _staff()
    docs = service.archive(
        actor, meeting_id, folder(), offload=offload, zone=_zone(), pdf_copy=pdf_copy()
    )  # its own transactions
    return _ok(documents=[_doc(d) for d in docs])


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/minutes/amendments",
    "amendMinutes",
    "更正已审定的纪要（注明理由）；已归档的生成新版本，旧版本保留",
    "会议纪要",
    request=service.AmendmentIn,
)
def api_amend(meeting_id: int):
    actor = _staff()
    data = parse(service.AmendmentIn, _json_body())
    a = service.amend(
        actor, meeting_id, data, folder(), offload=offload, zone=_zone(), pdf_copy=pdf_copy()
    )  # its own transactions
    return _ok(amendment_id=a.id)


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>/minutes/documents",
    "listMinutesDocuments",
    "已归档文件的各版本及完整性校验结果",
    "会议纪要",
)
def api_documents(meeting_id: int):
    _staff()
    with read_only() as s:
        docs = service.documents(s, meeting_id)
    return _ok(documents=[_doc(d) | {"intact": service.verify(d, folder())} for d in docs])  # no transaction open


class VerifyProblemOut(BaseModel):
    what: str = PField(description="event | opinion | revision | attendance | round | file | head")
    message: str = PField(description="说明（中文），指明哪条事件、哪条记录、哪个文件")
    seq: int | None = PField(default=None, description="事件在本会议事件链中的序号（第N条）")
    row: str | None = PField(default=None, description="被改动的记录，如 opinion#12")
    file: str | None = PField(default=None, description="归档文件的存储名")


class VerifyHeadOut(BaseModel):
    seq: int
    hash: str


class VerifyReportOut(BaseModel):
    meeting_id: int | None
    scope: str = PField(description="核验范围（非会议记录时）")
    ok: bool
    summary: str = PField(description="核验通过：事件 N 条，链完整…… / 核验未通过：发现 N 处问题。")
    events: int
    head: VerifyHeadOut
    checked: dict[str, int] = PField(description="核对的记录数：opinions, revisions, seats, rounds, files")
    problems: list[VerifyProblemOut]


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>/verify",
    "verifyMeeting",
    "核验：重算事件链（每条事件的哈希、前后衔接、序号无缺），按事件核对意见、出席、表决结果记录，"
    "核对每个归档文件的 SHA-256 及其所依据的链头",
    "会议纪要",
    response_key="report",
    response=VerifyReportOut,
)
def api_verify(meeting_id: int):
    _staff()
    with read_only() as s:
        if s.get(Meeting, meeting_id) is None:
            raise NotFound(what="会议")
        report = verify.verify(s, meeting_id, folder())
    return _ok(report=report.as_dict())


def _doc(d: ArchivedDocument) -> dict:
    return {
        "id": d.id,
        "kind": d.kind,
        "format": "pdf" if d.is_pdf else "docx",
        "version": d.version,
        "sha256": d.sha256,
        "size": d.size,
        "created_at": d.created_at.isoformat(),
        "author": d.author,
        "reason": d.reason,
        "url": url_for("minutes.download", doc_id=d.id),
    }
