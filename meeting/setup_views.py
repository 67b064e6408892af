"""Setting-up pages for the secretary: bodies, people, relations, meetings, observers, the agenda.

Thin request handling only: read the form → ``schemas.parse`` → the service in :mod:`meeting.setup` inside one
unit of work → redirect with a message. A refusal (a typed :class:`YishiError`, nothing changed) is shown on
the same page with what was typed; a missing CSRF token is refused by :func:`check_csrf` (error page).

This module has bodies, people and a new meeting; a meeting's setup page is in meeting_setup_views.py, its agenda
in agenda_views.py, and what they share (the blueprint, form numbers) in setup_pages.py. All are on the
``setup_views`` blueprint, registered by importing this module.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlmodel import col, func, or_, select

from voting.profiles import available_profiles, load_profile, relation_types
from voting.vocabulary import BodyKind, MeetingKind

from . import agenda_views, meeting_setup_views, people_import, setup  # noqa: F401  (their routes on bp)
from . import room as room_mod
from .auth import check_csrf, login_required, require_staff, staff_actor
from .clock import to_local, utcnow
from .db import read_only, unit_of_work
from .errors import InvalidPayload, NotFound, YishiError
from .models import AgendaItem, Body, Membership, Observer, Person, Relation
from .schemas import BodyIn, CopyItemsIn, MeetingIn, MembersIn, PersonIn, RelationIn, parse
from .setup_pages import all_people, bp, done, form_int, meeting_form, people_map, zone
from .state import meeting_title

# ---------------------------------------------------------------- bodies


def _bodies_page(error: YishiError | None = None, form=None):
    with read_only() as s:
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        counts = dict(s.exec(select(Membership.body_id, func.count()).group_by(Membership.body_id)).all())
    return render_template(
        "bodies.html", bodies=bodies, counts=counts, profiles=available_profiles(), error=error, form=form or {}
    ), (error.http_status if error else 200)


def _body_form(form) -> dict:
    return {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "decision_mode": form.get("decision_mode", ""),
        "profile": form.get("profile", ""),
        "floor_requests": form.get("floor_requests") == "on",
        "speaking_limit_minutes": form.get("speaking_limit_minutes", "").strip() or "0",
    }


@bp.get("/bodies")
@login_required
def bodies():
    return _bodies_page()


@bp.post("/bodies")
@login_required
def body_create():
    check_csrf()
    try:
        data = parse(BodyIn, _body_form(request.form))
        with unit_of_work() as s:
            body = setup.create_body(s, require_staff(s), data)
    except YishiError as err:
        return _bodies_page(err, request.form)
    return done(_("已创建领导班子“%(name)s”，请设置成员名单。", name=body.name), url_for(".body", body_id=body.id))


def _body_page(body_id: int, error: YishiError | None = None, form=None, error_for: str = ""):
    with read_only() as s:
        body = s.get(Body, body_id)
        if body is None:
            raise NotFound(what=pgettext("what", "领导班子"))
        members = setup.members_of(s, body_id)
        member_ids = [p.id for _, p in members]
        people = all_people(s)
        rels = (
            s.exec(
                select(Relation)
                .where(or_(col(Relation.person_a_id).in_(member_ids), col(Relation.person_b_id).in_(member_ids)))
                .order_by(col(Relation.id))
            ).all()
            if member_ids
            else []
        )
        names = people_map(s, [r.person_a_id for r in rels] + [r.person_b_id for r in rels])
        last = setup.previous_meeting(s, body_id)
    return render_template(
        "body.html",
        body=body,
        members=members,
        member_ids=set(member_ids),
        people=people,
        relations=[(r, names.get(r.person_a_id), names.get(r.person_b_id)) for r in rels],
        relation_types=relation_types(),
        profiles=available_profiles(),
        last_meeting=last,
        error=error,
        error_for=error_for,
        form=form or {},
    ), (error.http_status if error else 200)


@bp.get("/bodies/<int:body_id>")
@login_required
def body(body_id: int):
    return _body_page(body_id)


@bp.post("/bodies/<int:body_id>")
@login_required
def body_update(body_id: int):
    check_csrf()
    try:
        data = parse(BodyIn, _body_form(request.form))
        with unit_of_work() as s:
            setup.update_body(s, require_staff(s), body_id, data)
    except YishiError as err:
        return _body_page(body_id, err, request.form, "body")
    return done(_("已保存领导班子信息。"), url_for(".body", body_id=body_id))


@bp.post("/bodies/<int:body_id>/members")
@login_required
def body_members(body_id: int):
    """The full ordered list (drag, up/down, add, remove) → set_members; the first is the head."""
    check_csrf()
    form = request.form
    ids = [form_int(x) for x in form.getlist("person_ids")]
    try:
        for op, shift in (("up", -1), ("down", 1)):
            if form.get(op):
                pid = form_int(form.get(op))
                if pid in ids:
                    i = ids.index(pid)
                    j = i + shift
                    if 0 <= j < len(ids):
                        ids[i], ids[j] = ids[j], ids[i]
        if form.get("remove"):
            pid = form_int(form.get("remove"))
            ids = [x for x in ids if x != pid]
        if form.get("op") == "add":
            if not form.get("add"):
                raise InvalidPayload(detail=_("请选择要添加的人员"))
            ids.append(form_int(form.get("add")))
        data = parse(MembersIn, {"person_ids": ids})
        with unit_of_work() as s:
            setup.set_members(s, require_staff(s), body_id, data)
    except YishiError as err:
        return _body_page(body_id, err, form, "members")
    return done(
        _("已保存成员名单（%(n)d人）。", n=len(data.person_ids)), url_for(".body", body_id=body_id) + "#members"
    )


@bp.post("/bodies/<int:body_id>/relations")
@login_required
def relation_add(body_id: int):
    check_csrf()
    form = request.form
    try:
        data = parse(
            RelationIn,
            {
                "person_a_id": form_int(form.get("person_a_id")),
                "person_b_id": form_int(form.get("person_b_id")),
                "type": form.get("type", ""),
                "reason": form.get("reason", ""),
            },
        )
        with unit_of_work() as s:
            setup.add_relation(s, require_staff(s), data)
    except YishiError as err:
        return _body_page(body_id, err, form, "relations")
    return done(_("已登记关系。"), url_for(".body", body_id=body_id) + "#relations")


@bp.post("/bodies/<int:body_id>/relations/<int:relation_id>/delete")
@login_required
def relation_delete(body_id: int, relation_id: int):
    check_csrf()
    try:
        with unit_of_work() as s:
            setup.delete_relation(s, require_staff(s), relation_id)
    except YishiError as err:
        return _body_page(body_id, err, None, "relations")
    return done(_("已删除关系。"), url_for(".body", body_id=body_id) + "#relations")


# ---------------------------------------------------------------- people


def _people_page(editing: Person | None = None, error: YishiError | None = None, form=None, error_for: str = ""):
    with read_only() as s:
        people = all_people(s)
        rows = s.exec(select(Membership.person_id, Body.name).join(Body, col(Body.id) == Membership.body_id)).all()
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        with_records = people_import.people_with_records(s)
        duplicates = people_import.duplicates(s)
    bodies_of: dict[int, list[str]] = {}
    for pid, name in rows:
        bodies_of.setdefault(pid, []).append(name)
    return render_template(
        "people.html",
        people=people,
        bodies_of=bodies_of,
        bodies=bodies,
        with_records=with_records,
        duplicates=duplicates,
        editing=editing,
        error=error,
        error_for=error_for,
        problems=getattr(error, "problems", []),
        form=form or {},
    ), (error.http_status if error else 200)


def _person_form(form) -> dict:
    return {"name": form.get("name", ""), "title": form.get("title", ""), "unit": form.get("unit", "")}


@bp.get("/people")
@login_required
def people():
    return _people_page()


@bp.post("/people")
@login_required
def person_create():
    check_csrf()
    try:
        data = parse(PersonIn, _person_form(request.form))
        with unit_of_work() as s:
            person = setup.create_person(s, require_staff(s), data)
    except YishiError as err:
        return _people_page(None, err, request.form)
    return done(_("已添加人员“%(name)s”。", name=person.name), url_for(".people"))


@bp.get("/people/<int:person_id>/edit")
@login_required
def person_edit(person_id: int):
    with read_only() as s:
        person = s.get(Person, person_id)
    if person is None:
        raise NotFound(what=pgettext("what", "人员"))
    return _people_page(person)


@bp.post("/people/<int:person_id>")
@login_required
def person_update(person_id: int):
    check_csrf()
    try:
        data = parse(PersonIn, _person_form(request.form))
        with unit_of_work() as s:
            setup.update_person(s, require_staff(s), person_id, data)
    except YishiError as err:
        with read_only() as s:
            person = s.get(Person, person_id)
        if person is None:
            raise
        return _people_page(person, err, request.form)
    return done(_("已保存人员信息。"), url_for(".people"))


@bp.get("/people/template.xlsx")
@login_required
def people_template():
    """The sheet to fill in for an import (姓名、单位、职务、角色)."""
    return Response(
        people_import.template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95.xlsx"},
    )


@bp.post("/people/import")
@login_required
def people_import_submit():
    """A file (xlsx/CSV) or a pasted list → every row's problem listed, or all stored at once (one transaction)."""
    check_csrf()
    form = request.form
    upload = request.files.get("file")
    try:
        body_id = form_int(form.get("body_id"))
        if body_id is not None and not isinstance(body_id, int):
            raise InvalidPayload(detail=_("请从列表中选择领导班子"))
        if upload is not None and upload.filename:
            rows = people_import.rows_from_file(upload.filename, upload.read())
        elif (form.get("pasted") or "").strip():
            rows = people_import.rows_from_paste(form.get("pasted", ""))
        else:
            raise InvalidPayload(detail=_("请选择要导入的文件，或粘贴人员名单"))
        with unit_of_work() as s:
            result = people_import.import_people(s, require_staff(s), rows, body_id)
    except YishiError as err:
        return _people_page(None, err, form, "import")
    n, new, old = len(result.created) + len(result.existing), len(result.created), len(result.existing)
    if old:
        message = _("已导入%(n)d人（新增%(new)d人，%(old)d人已在人员名录中）。", n=n, new=new, old=old)
    else:
        message = _("已导入%(n)d人。", n=n)
    if body_id:
        message += _("已列入成员名单%(m)d人。", m=result.members)
        return done(message, url_for(".body", body_id=body_id) + "#members")
    return done(message, url_for(".people"))


@bp.post("/people/<int:person_id>/delete")
@login_required
def person_delete(person_id: int):
    check_csrf()
    try:
        with unit_of_work() as s:
            with_name = s.get(Person, person_id)
            name = with_name.name if with_name else ""
            people_import.delete_person(s, require_staff(s), person_id)
    except YishiError as err:
        return _people_page(None, err, None, "people")
    return done(_("已删除人员“%(name)s”。", name=name), url_for(".people"))


@bp.post("/people/merge")
@login_required
def people_merge():
    """Two entries with the same name and title become one (the one with a record is kept)."""
    check_csrf()
    form = request.form
    try:
        a, b = form_int(form.get("person_id")), form_int(form.get("other_id"))
        if not isinstance(a, int) or not isinstance(b, int):
            raise InvalidPayload(detail=_("请选择要合并的两位人员"))
        with unit_of_work() as s:
            kept = people_import.merge_people(s, require_staff(s), a, b)
            name = kept.name
    except YishiError as err:
        return _people_page(None, err, None, "duplicates")
    return done(_("已合并重复的人员“%(name)s”。", name=name), url_for(".people"))


# ---------------------------------------------------------------- a new meeting


def _meeting_new_page(body_id, error: YishiError | None = None, form=None):
    if not isinstance(body_id, int):
        raise NotFound(what=pgettext("what", "领导班子"))
    with read_only() as s:
        body = s.get(Body, body_id)
        if body is None:
            raise NotFound(what=pgettext("what", "领导班子"))
        members = setup.members_of(s, body_id)
        prev = setup.previous_meeting(s, body_id)
        prev_observers = (
            s.exec(select(Observer).where(Observer.meeting_id == prev.id).order_by(col(Observer.id))).all()
            if prev
            else []
        )
        prev_title = meeting_title(room_mod.load_room(s, prev.id)) if prev else ""
        prev_items = (
            s.exec(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == prev.id, AgendaItem.status != "deferred")
                .order_by(col(AgendaItem.position), col(AgendaItem.id))
            ).all()
            if prev
            else []
        )
        recurring = setup.recurring_item_ids(s, prev) if prev else set()
        next_sessions = setup.next_session_numbers(s, body_id)
        actor = staff_actor(s)
    default_kind = MeetingKind.PARTY_GROUP if body.kind == BodyKind.PARTY_GROUP else MeetingKind.EXECUTIVE
    tomorrow = to_local(utcnow(), zone()) + timedelta(days=1)
    start = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    defaults = {
        "kind": default_kind.value,
        "session_number": str(next_sessions[default_kind.value]),
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "place": prev.place if prev else "",
        "chair_person_id": str(members[0][1].id) if members else "",
        "recorder_name": actor.name if actor else "",
    }
    return render_template(
        "meeting_new.html",
        body=body,
        members=members,
        prev=prev,
        prev_title=prev_title,
        prev_observers=prev_observers,
        prev_items=prev_items,
        recurring=recurring,
        next_sessions=next_sessions,
        defaults=defaults,
        error=error,
        form=form,
        profile=load_profile(body.profile),
    ), (error.http_status if error else 200)


@bp.get("/meetings/new")
@login_required
def meeting_new():
    return _meeting_new_page(form_int(request.args.get("body_id")))


@bp.post("/meetings")
@login_required
def meeting_create():
    check_csrf()
    form = request.form
    body_id = form_int(form.get("body_id"))
    try:
        data = parse(MeetingIn, meeting_form(form, body_id))
        copies = parse(
            CopyItemsIn, {"item_ids": [form_int(x) for x in form.getlist("copy_item_ids")]}, {"item_ids": "沿用的议题"}
        )
        with unit_of_work() as s:
            actor = require_staff(s)
            meeting = setup.create_meeting(s, actor, data, zone())
            copied = setup.copy_items(s, actor, meeting.id, copies)
            title = meeting_title(room_mod.load_room(s, meeting.id))
    except YishiError as err:
        return _meeting_new_page(body_id, err, form)
    if copied:
        message = _(
            "已创建“%(title)s”，成员名单已按领导班子成员生成，已沿用%(n)d个议题；请登记各议题的决策准备情况并上传材料。",
            title=title,
            n=len(copied),
        )
    else:
        message = _("已创建“%(title)s”，成员名单已按领导班子成员生成。请添加议题。", title=title)
    return done(message, url_for(".meeting_setup", meeting_id=meeting.id))


__all__ = ["bp"]
