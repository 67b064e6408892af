"""The minutes on the tablet after the meeting: the personal link's token is the only credential.

A member's link stops entering the room when the meeting closes (:func:`meeting.auth.token_actor`), but it keeps
opening that meeting's minutes: the chair sees that they await approval, what is still open, reads the drafts and
approves; members read the record; observers the 公开版 once approved. These routes never read the session cookie,
so a cross-site request cannot ride on the secretary's sign-in (the token in the URL is the credential: CSRF-safe).
"""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_babel import gettext

from meeting.auth import link_authenticated
from meeting.clock import cn_datetime
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidToken, YishiError

from . import service
from .docx import KIND_NAMES
from .models import APPROVED, ARCHIVED, DRAFT
from .views import bp, withheld_items


def status_label(status: str) -> str:
    return {
        DRAFT: gettext("草稿，待主持人审定"),
        APPROVED: gettext("已审定，待归档"),
        ARCHIVED: gettext("已审定并归档"),
    }.get(status, status)


def readable_kinds(view: dict) -> list[str]:
    """What this person may read: the record and the full 纪要 for the secretary, the chair and members; the 公开版
    for everyone once the chair has approved the minutes."""
    kinds = ["summary", "record"] if view["may_see_record"] else []
    if view["status"] != DRAFT:
        kinds.append("public")
    return kinds


def _actor(s, token: str):
    meeting_id = service.meeting_of_token(s, token)
    actor = service.token_viewer(s, meeting_id, token) if meeting_id is not None else None
    if actor is None:
        raise InvalidToken()
    return actor


def _payload(view: dict, token: str) -> dict:
    mid = view["meeting_id"]
    read = []
    for kind in readable_kinds(view):
        url = (
            url_for("minutes.page", meeting_id=mid, token=token)
            if kind == "record"
            else url_for("minutes.read", meeting_id=mid, kind=kind, token=token)
        )
        read.append({"kind": kind, "label": gettext(KIND_NAMES[kind]), "url": url})
    zone = current_app.config["YISHI_TIMEZONE"]
    return {
        "meeting_id": mid,
        "meeting_status": view["meeting_status"],
        "status": view["status"],
        "status_label": status_label(view["status"]),
        "approved_at": cn_datetime(view["approved_at"], zone) if view["approved_at"] else "",
        "approved_by": view["approved_by"],
        "open_items": view["open_items"],
        "missing_decisions": view["missing_decisions"],  # 第2项《……》尚无会议议定: the chair is not asked yet
        "is_chair": view["is_chair"],
        "may_approve": view["may_approve"],
        "may_approve_now": view["may_approve_now"],
        "read": read,
        "documents": [
            {
                "kind": d.kind,
                "label": gettext(KIND_NAMES[d.document]) + (gettext("（PDF副本）") if d.is_pdf else ""),
                "version": d.version,
                "url": url_for("minutes.download", doc_id=d.id, token=token),
            }
            for d in view["documents"]
        ],
    }


def _overview(s, actor) -> dict:
    """The overview, without the archived 会议记录 for a member recused from one of its items: it names who said
    what on that item (the record page shows him the record without it)."""
    view = service.overview(s, actor, actor.meeting_id)
    if withheld_items(s, actor, actor.meeting_id):
        view = dict(view, documents=[d for d in view["documents"] if d.document != "record"])
    return view


def _refused(err: YishiError):
    return jsonify(err.to_dict()), err.http_status


@bp.get("/tablet/<token>")
def tablet_overview(token: str):
    """JSON for the tablet's 会议纪要 card: status, open items, may this person approve, what they may read."""
    try:
        with read_only() as s:
            actor = _actor(s, token)
            payload = _payload(_overview(s, actor), token)
    except YishiError as err:
        return _refused(err)
    resp = jsonify({"ok": True, "minutes": payload})
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.post("/tablet/<token>/approve")
@link_authenticated  # by the chair's link token, not a cookie
def tablet_approve(token: str):
    """The chair approves the minutes from the tablet (the confirmation is asked on the tablet first)."""
    try:
        with unit_of_work() as s:
            actor = _actor(s, token)
            service.approve(s, actor, actor.meeting_id)
        with read_only() as s:
            payload = _payload(_overview(s, actor), token)
    except YishiError as err:
        return _refused(err)
    return jsonify({"ok": True, "minutes": payload})
