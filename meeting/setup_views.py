"""Setting-up pages for the secretary: bodies, people, relations, meetings, observers, the agenda.

Thin request handling only: read the form → ``schemas.parse`` → the service in :mod:`meeting.setup` inside one
unit of work → redirect with a message. A refusal (a typed :class:`YishiError`, nothing changed) is shown on
the same page with what was typed; a missing CSRF token is refused by :func:`check_csrf` (error page).
"""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlmodel import col, func, or_, select

from voting.profiles import available_profiles, load_profile, relation_types
from voting.vocabulary import BodyKind, MeetingKind, PreparationStep

from . import room as room_mod
from . import setup
from .auth import check_csrf, login_required, require_staff, staff_actor
from .clock import to_local, utcnow
from .db import read_only, unit_of_work
from .errors import InvalidPayload, InvalidState, NotFound, YishiError
from .models import (
    AgendaItem,
    Body,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Membership,
    Observer,
    Person,
    Relation,
    Round,
    Seat,
)
from .schemas import (
    BodyIn,
    CarryOverIn,
    ItemIn,
    MeetingIn,
    MembersIn,
    ObserverIn,
    PersonIn,
    RelationIn,
    ReorderIn,
    StepIn,
    parse,
)
from .state import meeting_title

bp = Blueprint("setup_views", __name__)


# ---------------------------------------------------------------- small request helpers

def _int(value: str | None):
    """A form number: '' → None; digits → int; anything else is passed on for the schema to refuse."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def _amount(value: str | None) -> int | None:
    value = (value or "").replace(",", "").replace("，", "").replace(" ", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidPayload(detail=_("金额须为以元为单位的整数"))
    return int(value)


def _zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def _tell_room(meeting_id: int, status: str) -> None:
    """An agenda change during the meeting reaches every screen (persist, then broadcast)."""
    if status == "in_session":
        current_app.extensions["yishi.broadcaster"].state_changed(meeting_id)


def _done(message: str, target: str):
    flash(message, "ok")
    return redirect(target, code=303)


@bp.app_template_filter("yuan")
def _yuan(amount: int | None) -> str:
    """18500000 → 18,500,000元（1850万元）."""
    if amount is None:
        return ""
    wan = amount / 10000
    wan_text = f"{wan:,.0f}" if wan == int(wan) else f"{wan:,.2f}".rstrip("0").rstrip(".")
    return _("%(amount)s元（%(wan)s万元）", amount=f"{amount:,}", wan=wan_text)


def _people_map(s, ids) -> dict[int, Person]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(ids)))}


def _all_people(s) -> list[Person]:
    return list(s.exec(select(Person).order_by(col(Person.name), col(Person.id))).all())


# ---------------------------------------------------------------- bodies


def _bodies_page(error: YishiError | None = None, form=None):
    with read_only() as s:
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        counts = dict(s.exec(select(Membership.body_id, func.count()).group_by(Membership.body_id)).all())
    return render_template("bodies.html", bodies=bodies, counts=counts, profiles=available_profiles(),
                           error=error, form=form or {}), (error.http_status if error else 200)


def _body_form(form) -> dict:
    return {"name": form.get("name", ""), "kind": form.get("kind", ""),
            "decision_mode": form.get("decision_mode", ""), "profile": form.get("profile", "")}


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
    return _done(_("已创建领导班子“%(name)s”，请设置成员名单。", name=body.name), url_for(".body", body_id=body.id))


def _body_page(body_id: int, error: YishiError | None = None, form=None, error_for: str = ""):
    with read_only() as s:
        body = s.get(Body, body_id)
        if body is None:
            raise NotFound(what=pgettext("what", "领导班子"))
        members = setup.members_of(s, body_id)
        member_ids = [p.id for _, p in members]
        people = _all_people(s)
        rels = s.exec(select(Relation).where(or_(col(Relation.person_a_id).in_(member_ids),
                                                 col(Relation.person_b_id).in_(member_ids)))
                      .order_by(col(Relation.id))).all() if member_ids else []
        names = _people_map(s, [r.person_a_id for r in rels] + [r.person_b_id for r in rels])
        last = setup.previous_meeting(s, body_id)
    return render_template(
        "body.html", body=body, members=members, member_ids=set(member_ids), people=people,
        relations=[(r, names.get(r.person_a_id), names.get(r.person_b_id)) for r in rels],
        relation_types=relation_types(), profiles=available_profiles(), last_meeting=last,
        error=error, error_for=error_for, form=form or {},
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
    return _done(_("已保存领导班子信息。"), url_for(".body", body_id=body_id))


@bp.post("/bodies/<int:body_id>/members")
@login_required
def body_members(body_id: int):
    """The full ordered list (drag, up/down, add, remove) → set_members; the first is the head."""
    check_csrf()
    form = request.form
    ids = [_int(x) for x in form.getlist("person_ids")]
    try:
        for op, shift in (("up", -1), ("down", 1)):
            if form.get(op):
                pid = _int(form.get(op))
                if pid in ids:
                    i = ids.index(pid)
                    j = i + shift
                    if 0 <= j < len(ids):
                        ids[i], ids[j] = ids[j], ids[i]
        if form.get("remove"):
            pid = _int(form.get("remove"))
            ids = [x for x in ids if x != pid]
        if form.get("op") == "add":
            if not form.get("add"):
                raise InvalidPayload(detail=_("请选择要添加的人员"))
            ids.append(_int(form.get("add")))
        data = parse(MembersIn, {"person_ids": ids})
        with unit_of_work() as s:
            setup.set_members(s, require_staff(s), body_id, data)
    except YishiError as err:
        return _body_page(body_id, err, form, "members")
    return _done(_("已保存成员名单（%(n)d人）。", n=len(data.person_ids)), url_for(".body", body_id=body_id) + "#members")


@bp.post("/bodies/<int:body_id>/relations")
@login_required
def relation_add(body_id: int):
    check_csrf()
    form = request.form
    try:
        data = parse(RelationIn, {"person_a_id": _int(form.get("person_a_id")),
                                   "person_b_id": _int(form.get("person_b_id")),
                                   "type": form.get("type", ""), "reason": form.get("reason", "")})
        with unit_of_work() as s:
            setup.add_relation(s, require_staff(s), data)
    except YishiError as err:
        return _body_page(body_id, err, form, "relations")
    return _done(_("已登记关系。"), url_for(".body", body_id=body_id) + "#relations")


@bp.post("/bodies/<int:body_id>/relations/<int:relation_id>/delete")
@login_required
def relation_delete(body_id: int, relation_id: int):
    check_csrf()
    try:
        with unit_of_work() as s:
            setup.delete_relation(s, require_staff(s), relation_id)
    except YishiError as err:
        return _body_page(body_id, err, None, "relations")
    return _done(_("已删除关系。"), url_for(".body", body_id=body_id) + "#relations")


# ---------------------------------------------------------------- people


def _people_page(editing: Person | None = None, error: YishiError | None = None, form=None):
    with read_only() as s:
        people = _all_people(s)
        rows = s.exec(select(Membership.person_id, Body.name)
                      .join(Body, col(Body.id) == Membership.body_id)).all()
    bodies_of: dict[int, list[str]] = {}
    for pid, name in rows:
        bodies_of.setdefault(pid, []).append(name)
    return render_template("people.html", people=people, bodies_of=bodies_of, editing=editing, error=error,
                           form=form or {}), (error.http_status if error else 200)


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
    return _done(_("已添加人员“%(name)s”。", name=person.name), url_for(".people"))


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
    return _done(_("已保存人员信息。"), url_for(".people"))


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
        prev_observers = (s.exec(select(Observer).where(Observer.meeting_id == prev.id)
                                 .order_by(col(Observer.id))).all() if prev else [])
        prev_title = meeting_title(room_mod.load_room(s, prev.id)) if prev else ""
        next_sessions = setup.next_session_numbers(s, body_id)
        actor = staff_actor(s)
    default_kind = MeetingKind.PARTY_GROUP if body.kind == BodyKind.PARTY_GROUP else MeetingKind.EXECUTIVE
    tomorrow = to_local(utcnow(), _zone()) + timedelta(days=1)
    start = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    defaults = {
        "kind": default_kind.value, "session_number": str(next_sessions[default_kind.value]),
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "place": prev.place if prev else "",
        "chair_person_id": str(members[0][1].id) if members else "",
        "recorder_name": actor.name if actor else "",
    }
    return render_template(
        "meeting_new.html", body=body, members=members, prev=prev, prev_title=prev_title,
        prev_observers=prev_observers, next_sessions=next_sessions, defaults=defaults, error=error,
        form=form, profile=load_profile(body.profile),
    ), (error.http_status if error else 200)


@bp.get("/meetings/new")
@login_required
def meeting_new():
    return _meeting_new_page(_int(request.args.get("body_id")))


def _meeting_form(form, body_id) -> dict:
    """The fields of a meeting (new-meeting form and edit form); ``starts_at`` is datetime-local wall-clock time
    in the configured zone (Asia/Shanghai)."""
    return {
        "body_id": body_id, "kind": form.get("kind", ""),
        "session_number": _int(form.get("session_number")),
        "starts_at": form.get("starts_at", ""), "place": form.get("place", ""),
        "chair_person_id": _int(form.get("chair_person_id")),
        "recorder_name": form.get("recorder_name", ""),
        "copy_observers_from_meeting_id": _int(form.get("copy_observers_from_meeting_id")),
    }


@bp.post("/meetings")
@login_required
def meeting_create():
    check_csrf()
    form = request.form
    body_id = _int(form.get("body_id"))
    try:
        data = parse(MeetingIn, _meeting_form(form, body_id))
        with unit_of_work() as s:
            meeting = setup.create_meeting(s, require_staff(s), data, _zone())
            title = meeting_title(room_mod.load_room(s, meeting.id))
    except YishiError as err:
        return _meeting_new_page(body_id, err, form)
    return _done(_("已创建“%(title)s”，成员名单已按领导班子成员生成。请添加议题。", title=title),
                 url_for(".meeting_setup", meeting_id=meeting.id))


# ---------------------------------------------------------------- the meeting's setup page


def _item_rows(s, room, items: list[AgendaItem]) -> list[dict]:
    ids = [i.id for i in items]
    if not ids:
        return []
    subjects = s.exec(select(ItemSubject).where(col(ItemSubject.item_id).in_(ids))
                      .order_by(col(ItemSubject.id))).all()
    steps = s.exec(select(ItemStep).where(col(ItemStep.item_id).in_(ids))).all()
    materials = s.exec(select(Material).where(col(Material.item_id).in_(ids), Material.kind == "material")
                       .order_by(col(Material.id))).all()
    rounds = s.exec(select(Round).where(col(Round.item_id).in_(ids)).order_by(col(Round.number))).all()
    recusals = {i.id: room_mod.compute_recusals(s, room, i) for i in items}
    names = _people_map(s, [x.person_id for x in subjects]
                        + [g.person_id for gs in recusals.values() for g in gs]
                        + [g.subject_id for gs in recusals.values() for g in gs])
    rows = []
    for item in items:
        last_round = [r for r in rounds if r.item_id == item.id][-1:] or [None]
        rows.append({
            "item": item,
            "subjects": [(x, names.get(x.person_id)) for x in subjects if x.item_id == item.id],
            "steps": {st.step: st for st in steps if st.item_id == item.id},
            "required": room.profile.required_steps(item.category),
            "missing": setup.missing_steps(s, item, room.body.profile),
            "materials": [m for m in materials if m.item_id == item.id],
            "round": last_round[0],
            "history": setup.item_history(s, item),
            "recusals": [(g, names.get(g.person_id), names.get(g.subject_id)) for g in recusals[item.id]],
        })
    return rows


def _deferred_rows(s, body_id: int, meeting_id: int) -> list[dict]:
    rows = []
    for d in setup.deferred_items(s, body_id, exclude_meeting_id=meeting_id):
        m = s.get(Meeting, d.meeting_id)
        rnd = s.exec(select(Round).where(Round.item_id == d.id).order_by(col(Round.number).desc())).first()
        rows.append({"item": d, "meeting": m, "defer_reason": rnd.defer_reason if rnd else "",
                     "history": setup.item_history(s, d)})
    return rows


def _setup_page(meeting_id: int, error: YishiError | None = None, form=None, error_for: str = ""):
    with read_only() as s:
        room = room_mod.load_room(s, meeting_id)
        meeting, body = room.meeting, room.body
        seats = s.exec(select(Seat, Person).join(Person, col(Person.id) == Seat.person_id)
                       .where(Seat.meeting_id == meeting_id)
                       .order_by(col(Seat.seniority), col(Seat.id))).all()
        observers = s.exec(select(Observer).where(Observer.meeting_id == meeting_id)
                           .order_by(col(Observer.id))).all()
        items = list(s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
                            .order_by(col(AgendaItem.position), col(AgendaItem.id))).all())
        rows = _item_rows(s, room, items)
        deferred = _deferred_rows(s, body.id, meeting_id) if meeting.status != "closed" else []
        people = _people_map(s, [meeting.chair_person_id, meeting.delegated_by_person_id])
        history_meetings = {m.id: m for m in s.exec(select(Meeting).where(Meeting.body_id == body.id))}
    return render_template(
        "meeting_setup.html", meeting=meeting, body=body, profile=room.profile, title=meeting_title(room),
        seats=seats, observers=observers, rows=rows, deferred=deferred, meeting_form=_meeting_values(meeting),
        chair=people.get(meeting.chair_person_id), delegated_by=people.get(meeting.delegated_by_person_id),
        history_meetings=history_meetings, editable=meeting.status != "closed", steps=list(PreparationStep),
        relation_types=relation_types(),
        error=error, error_for=error_for, form=form or {},
    ), (error.http_status if error else 200)


def _meeting_values(meeting: Meeting) -> dict:
    """The edit form's initial values, as the form sends them (starts_at as datetime-local in the zone)."""
    return {
        "kind": meeting.kind, "session_number": str(meeting.session_number),
        "starts_at": to_local(meeting.starts_at, _zone()).strftime("%Y-%m-%dT%H:%M"), "place": meeting.place,
        "chair_person_id": str(meeting.chair_person_id), "recorder_name": meeting.recorder_name,
    }


@bp.get("/meetings/<int:meeting_id>/setup")
@login_required
def meeting_setup(meeting_id: int):
    return _setup_page(meeting_id)


def _setup_url(meeting_id: int, anchor: str = "") -> str:
    return url_for(".meeting_setup", meeting_id=meeting_id) + (f"#{anchor}" if anchor else "")


@bp.post("/meetings/<int:meeting_id>/edit")
@login_required
def meeting_update(meeting_id: int):
    """Correct the meeting's details before it opens (same fields as the new-meeting form; the roster stays)."""
    check_csrf()
    form = request.form
    try:
        with read_only() as s:
            body_id = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).body_id
        data = parse(MeetingIn, _meeting_form(form, body_id) | {"copy_observers_from_meeting_id": None})
        with unit_of_work() as s:
            setup.update_meeting(s, require_staff(s), meeting_id, data, _zone())
    except NotFound:
        raise
    except YishiError as err:
        return _setup_page(meeting_id, err, form, "meeting")
    # the screens already open (members checking in, the console) show the title, time, place and chair
    current_app.extensions["yishi.broadcaster"].state_changed(meeting_id)
    return _done(_("已保存会议信息。"), _setup_url(meeting_id, "meeting"))


@bp.post("/meetings/<int:meeting_id>/observers")
@login_required
def observer_add(meeting_id: int):
    check_csrf()
    form = request.form
    try:
        data = parse(ObserverIn, {"name": form.get("name", ""), "unit": form.get("unit", ""),
                                   "role": form.get("role", "")})
        with unit_of_work() as s:
            setup.add_observer(s, require_staff(s), meeting_id, data)
            status = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(meeting_id, err, form, "observers")
    _tell_room(meeting_id, status)
    return _done(_("已添加列席人员“%(name)s”。", name=data.name), _setup_url(meeting_id, "observers"))


@bp.post("/meetings/<int:meeting_id>/observers/<int:observer_id>/delete")
@login_required
def observer_remove(meeting_id: int, observer_id: int):
    check_csrf()
    try:
        with unit_of_work() as s:
            meeting = setup.get(s, Meeting, meeting_id, pgettext("what", "会议"))
            setup.remove_observer(s, require_staff(s), observer_id, meeting_id)
            status = meeting.status
    except YishiError as err:
        return _setup_page(meeting_id, err, None, "observers")
    _tell_room(meeting_id, status)
    return _done(_("已移除列席人员。"), _setup_url(meeting_id, "observers"))


# ---------------------------------------------------------------- agenda items


def _item_form(form) -> dict:
    subjects = [
        {"person_id": _int(pid), "action": action}
        for pid, action in zip(form.getlist("subject_person_id"), form.getlist("subject_action"),
                               strict=False)
        if pid.strip()
    ]
    return {
        "title": form.get("title", ""), "category": form.get("category", ""),
        "presenter": form.get("presenter", ""), "submitting_unit": form.get("submitting_unit", ""),
        "summary": form.get("summary", ""), "amount_yuan": _amount(form.get("amount_yuan")),
        "confidential": form.get("confidential") == "1", "subjects": subjects,
    }


def _item_page(meeting_id: int, item: AgendaItem | None = None, error: YishiError | None = None, form=None):
    with read_only() as s:
        room = room_mod.load_room(s, meeting_id)
        people = _all_people(s)
        subjects = (s.exec(select(ItemSubject).where(ItemSubject.item_id == item.id)
                           .order_by(col(ItemSubject.id))).all() if item else [])
    if form is not None:
        subject_rows = [(_int(p), a) for p, a in zip(form.getlist("subject_person_id"),
                                                     form.getlist("subject_action"), strict=False)]
        subject_rows = [r for r in subject_rows if r[0]]
    else:
        subject_rows = [(x.person_id, x.action) for x in subjects]
    return render_template(
        "item_form.html", meeting=room.meeting, title=meeting_title(room), profile=room.profile, item=item,
        people=people, member_ids=room.member_ids, subject_rows=subject_rows + [(None, "")] * 2,
        error=error, form=form,
    ), (error.http_status if error else 200)


@bp.get("/meetings/<int:meeting_id>/items/new")
@login_required
def item_new(meeting_id: int):
    return _item_page(meeting_id)


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def item_create(meeting_id: int):
    check_csrf()
    try:
        data = parse(ItemIn, _item_form(request.form))
        with unit_of_work() as s:
            item = setup.add_item(s, require_staff(s), meeting_id, data)
            status = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _item_page(meeting_id, None, err, request.form)
    _tell_room(meeting_id, status)
    return _done(_("已添加议题“%(title)s”。请登记决策准备情况并上传材料。", title=item.title),
                 _setup_url(meeting_id, f"item-{item.id}"))


def _item_or_404(item_id: int) -> AgendaItem:
    with read_only() as s:
        item = s.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(what=pgettext("what", "议题"))
    return item


@bp.get("/items/<int:item_id>/edit")
@login_required
def item_edit(item_id: int):
    item = _item_or_404(item_id)
    return _item_page(item.meeting_id, item)


@bp.post("/items/<int:item_id>")
@login_required
def item_update(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    try:
        data = parse(ItemIn, _item_form(request.form))
        with unit_of_work() as s:
            setup.update_item(s, require_staff(s), item_id, data)
            status = setup.get(s, Meeting, item.meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _item_page(item.meeting_id, item, err, request.form)
    _tell_room(item.meeting_id, status)
    return _done(_("已保存议题。"), _setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/items/<int:item_id>/delete")
@login_required
def item_delete(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    try:
        with unit_of_work() as s:
            setup.delete_item(s, require_staff(s), item_id)
            status = setup.get(s, Meeting, item.meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(item.meeting_id, err, None, f"item-{item_id}")
    _tell_room(item.meeting_id, status)
    return _done(_("已删除议题“%(title)s”。", title=item.title), _setup_url(item.meeting_id, "agenda"))


@bp.post("/meetings/<int:meeting_id>/agenda/order")
@login_required
def agenda_order(meeting_id: int):
    """The new order from drag and drop (JSON ``{"item_ids": […]}`` and X-CSRF-Token) or a form."""
    as_json = request.is_json
    try:
        check_csrf()
        raw = (request.get_json(silent=True) or {}) if as_json else {
            "item_ids": [_int(x) for x in request.form.getlist("item_ids")]}
        data = parse(ReorderIn, raw)
        with unit_of_work() as s:
            setup.reorder_items(s, require_staff(s), meeting_id, data.item_ids)
            status = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        if as_json:
            return jsonify(err.to_dict()), err.http_status
        return _setup_page(meeting_id, err, None, "agenda")
    _tell_room(meeting_id, status)
    if as_json:
        return jsonify({"ok": True, "item_ids": data.item_ids, "message": _("已保存议题顺序。")})
    return _done(_("已保存议题顺序。"), _setup_url(meeting_id, "agenda"))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/move")
@login_required
def item_move(meeting_id: int, item_id: int):
    """Up/down buttons: the keyboard-accessible way to reorder (same service as drag and drop)."""
    check_csrf()
    shift = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    try:
        if shift is None:
            raise InvalidPayload(detail=_("移动方向须为上移或下移"))
        with unit_of_work() as s:
            order = list(s.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
                                .order_by(col(AgendaItem.position), col(AgendaItem.id))).all())
            if item_id not in order:
                raise NotFound(what=pgettext("what", "议题"))
            i = order.index(item_id)
            j = i + shift
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
                setup.reorder_items(s, require_staff(s), meeting_id, order)
            status = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(meeting_id, err, None, "agenda")
    _tell_room(meeting_id, status)
    return _done(_("已调整议题顺序。"), _setup_url(meeting_id, "agenda"))


@bp.post("/items/<int:item_id>/steps")
@login_required
def item_steps(item_id: int):
    """The five preparation steps of one item; only the changed ones are recorded."""
    check_csrf()
    item = _item_or_404(item_id)
    form = request.form
    try:
        wanted = [parse(StepIn, {"step": step.value, "state": form.get(f"state_{step.value}"),
                                  "note": form.get(f"note_{step.value}", "")})
                  for step in PreparationStep if form.get(f"state_{step.value}") is not None]
        with unit_of_work() as s:
            actor = require_staff(s)
            current = {st.step: st for st in s.exec(select(ItemStep).where(ItemStep.item_id == item_id))}
            changed = 0
            for data in wanted:
                st = current.get(data.step)
                if st is None or st.state != data.state or st.note != data.note:
                    setup.set_step(s, actor, item_id, data)
                    changed += 1
            status = setup.get(s, Meeting, item.meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(item.meeting_id, err, form, f"item-{item_id}")
    if changed:
        _tell_room(item.meeting_id, status)
    message = _("已保存决策准备情况（%(n)d项变更）。", n=changed) if changed else _("决策准备情况没有变化。")
    return _done(message, _setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/items/<int:item_id>/materials")
@login_required
def item_material(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidPayload(detail=_("请选择要上传的文件"))
        content_type = upload.mimetype or ""
        if content_type in ("", "application/octet-stream"):
            content_type = mimetypes.guess_type(upload.filename)[0] or content_type
        data = upload.read()
        with unit_of_work() as s:
            mat = setup.store_material(s, require_staff(s), item_id, upload.filename, content_type, data,
                                       Path(current_app.config["MATERIALS_DIR"]))
            status = setup.get(s, Meeting, item.meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(item.meeting_id, err, None, f"item-{item_id}")
    _tell_room(item.meeting_id, status)
    return _done(_("已上传材料“%(name)s”。", name=mat.filename), _setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/materials/<int:material_id>/delete")
@login_required
def material_delete(material_id: int):
    """Withdraw a material from an item not yet discussed (the service refuses once the item has opened)."""
    check_csrf()
    with read_only() as s:
        mat = s.get(Material, material_id)
        item = s.get(AgendaItem, mat.item_id) if mat is not None else None
    if mat is None or item is None:
        raise NotFound(what=pgettext("what", "材料"))
    here = f"item-{item.id}"
    try:
        if mat.kind != "material":  # the scan of a signed written opinion is part of the record
            raise InvalidState(detail=_("书面意见原件扫描件是会议记录的一部分，不能删除。"))
        with unit_of_work() as s:
            setup.delete_material(s, require_staff(s), material_id)
            status = setup.get(s, Meeting, item.meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(item.meeting_id, err, None, here)
    _tell_room(item.meeting_id, status)
    return _done(_("已删除材料“%(name)s”。", name=mat.filename), _setup_url(item.meeting_id, here))


@bp.post("/meetings/<int:meeting_id>/carry-over")
@login_required
def item_carry_over(meeting_id: int):
    """One click: a deferred item of an earlier meeting joins this agenda with its history."""
    check_csrf()
    try:
        data = parse(CarryOverIn, {"item_id": _int(request.form.get("item_id"))})
        with unit_of_work() as s:
            item = setup.carry_over(s, require_staff(s), meeting_id, data.item_id)
            status = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).status
    except YishiError as err:
        return _setup_page(meeting_id, err, None, "deferred")
    _tell_room(meeting_id, status)
    return _done(_("已将暂缓议题“%(title)s”列入本次议程。", title=item.title), _setup_url(meeting_id, f"item-{item.id}"))


__all__ = ["bp"]
