"""A meeting's setup page (the roster, observers, the agenda with its preparation and materials, deferred items
of earlier meetings) and the changes to the meeting itself: its details and its observers.

Thin: read the form → ``schemas.parse`` → the service in :mod:`meeting.setup` → tell the room → redirect with a
message; a refusal is shown on the setup page with what was typed.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlmodel import col, select

from voting.profiles import relation_types
from voting.vocabulary import PreparationStep

from . import room as room_mod
from . import setup
from .auth import check_csrf, login_required, require_staff
from .clock import to_local
from .db import read_only, unit_of_work
from .errors import NotFound, YishiError
from .http import tell_room
from .models import AgendaItem, ItemStep, ItemSubject, Material, Meeting, Observer, Person, Round, Seat
from .schemas import MeetingIn, ObserverIn, parse
from .setup_pages import bp, done, meeting_form, people_map, setup_url, zone
from .state import meeting_title

# ---------------------------------------------------------------- the meeting's setup page


def _item_rows(s, room, items: list[AgendaItem]) -> list[dict]:
    ids = [i.id for i in items]
    if not ids:
        return []
    subjects = s.exec(select(ItemSubject).where(col(ItemSubject.item_id).in_(ids)).order_by(col(ItemSubject.id))).all()
    steps = s.exec(select(ItemStep).where(col(ItemStep.item_id).in_(ids))).all()
    materials = s.exec(
        select(Material).where(col(Material.item_id).in_(ids), Material.kind == "material").order_by(col(Material.id))
    ).all()
    rounds = s.exec(select(Round).where(col(Round.item_id).in_(ids)).order_by(col(Round.number))).all()
    recusals = {i.id: room_mod.compute_recusals(s, room, i) for i in items}
    names = people_map(
        s,
        [x.person_id for x in subjects]
        + [g.person_id for gs in recusals.values() for g in gs]
        + [g.subject_id for gs in recusals.values() for g in gs],
    )
    rows = []
    for item in items:
        last_round = [r for r in rounds if r.item_id == item.id][-1:] or [None]
        rows.append(
            {
                "item": item,
                "subjects": [(x, names.get(x.person_id)) for x in subjects if x.item_id == item.id],
                "steps": {st.step: st for st in steps if st.item_id == item.id},
                "required": room.profile.required_steps(item.category),
                "missing": setup.missing_steps(s, item, room.body.profile),
                "materials": [m for m in materials if m.item_id == item.id],
                "round": last_round[0],
                "history": setup.item_history(s, item),
                "recusals": [(g, names.get(g.person_id), names.get(g.subject_id)) for g in recusals[item.id]],
            }
        )
    return rows


def _deferred_rows(s, body_id: int, meeting_id: int) -> list[dict]:
    rows = []
    for d in setup.deferred_items(s, body_id, exclude_meeting_id=meeting_id):
        m = s.get(Meeting, d.meeting_id)
        rnd = s.exec(select(Round).where(Round.item_id == d.id).order_by(col(Round.number).desc())).first()
        rows.append(
            {
                "item": d,
                "meeting": m,
                "defer_reason": rnd.defer_reason if rnd else "",
                "history": setup.item_history(s, d),
            }
        )
    return rows


def setup_page(meeting_id: int, error: YishiError | None = None, form=None, error_for: str = ""):
    with read_only() as s:
        room = room_mod.load_room(s, meeting_id)
        meeting, body = room.meeting, room.body
        seats = s.exec(
            select(Seat, Person)
            .join(Person, col(Person.id) == Seat.person_id)
            .where(Seat.meeting_id == meeting_id)
            .order_by(col(Seat.seniority), col(Seat.id))
        ).all()
        observers = s.exec(select(Observer).where(Observer.meeting_id == meeting_id).order_by(col(Observer.id))).all()
        items = list(
            s.exec(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(col(AgendaItem.position), col(AgendaItem.id))
            ).all()
        )
        rows = _item_rows(s, room, items)
        deferred = _deferred_rows(s, body.id, meeting_id) if meeting.status != "closed" else []
        people = people_map(s, [meeting.chair_person_id, meeting.delegated_by_person_id])
        history_meetings = {m.id: m for m in s.exec(select(Meeting).where(Meeting.body_id == body.id))}
    editable = meeting.status != "closed"
    shown = {"observers", "agenda"} | {f"item-{i.id}" for i in items}
    shown |= {"meeting"} if meeting.status == "scheduled" else set()
    shown |= {"deferred"} if editable else set()
    if error_for not in shown:  # the reason is said in the banner when its section is not on the page
        error_for = ""
    return render_template(
        "meeting_setup.html",
        meeting=meeting,
        body=body,
        profile=room.profile,
        title=meeting_title(room),
        seats=seats,
        observers=observers,
        rows=rows,
        deferred=deferred,
        meeting_form=_meeting_values(meeting),
        chair=people.get(meeting.chair_person_id),
        delegated_by=people.get(meeting.delegated_by_person_id),
        history_meetings=history_meetings,
        editable=editable,
        steps=list(PreparationStep),
        relation_types=relation_types(),
        error=error,
        error_for=error_for,
        form=form or {},
    ), (error.http_status if error else 200)


def _meeting_values(meeting: Meeting) -> dict:
    """The edit form's initial values, as the form sends them (starts_at as datetime-local in the zone)."""
    return {
        "kind": meeting.kind,
        "session_number": str(meeting.session_number),
        "starts_at": to_local(meeting.starts_at, zone()).strftime("%Y-%m-%dT%H:%M"),
        "place": meeting.place,
        "chair_person_id": str(meeting.chair_person_id),
        "recorder_name": meeting.recorder_name,
    }


@bp.get("/meetings/<int:meeting_id>/setup")
@login_required
def meeting_setup(meeting_id: int):
    return setup_page(meeting_id)


@bp.post("/meetings/<int:meeting_id>/edit")
@login_required
def meeting_update(meeting_id: int):
    """Correct the meeting's details before it opens (same fields as the new-meeting form; the roster stays)."""
    check_csrf()
    form = request.form
    try:
        with read_only() as s:
            body_id = setup.get(s, Meeting, meeting_id, pgettext("what", "会议")).body_id
        data = parse(MeetingIn, meeting_form(form, body_id) | {"copy_observers_from_meeting_id": None})
        with unit_of_work() as s:
            setup.update_meeting(s, require_staff(s), meeting_id, data, zone())
    except NotFound:
        raise
    except YishiError as err:
        return setup_page(meeting_id, err, form, "meeting")
    tell_room(meeting_id)  # the screens already open (members checking in, the console) show the new details
    return done(_("已保存会议信息。"), setup_url(meeting_id, "meeting"))


@bp.post("/meetings/<int:meeting_id>/observers")
@login_required
def observer_add(meeting_id: int):
    check_csrf()
    form = request.form
    try:
        data = parse(
            ObserverIn, {"name": form.get("name", ""), "unit": form.get("unit", ""), "role": form.get("role", "")}
        )
        with unit_of_work() as s:
            setup.add_observer(s, require_staff(s), meeting_id, data)
    except YishiError as err:
        return setup_page(meeting_id, err, form, "observers")
    tell_room(meeting_id)
    return done(_("已添加列席人员“%(name)s”。", name=data.name), setup_url(meeting_id, "observers"))


@bp.post("/meetings/<int:meeting_id>/observers/<int:observer_id>/delete")
@login_required
def observer_remove(meeting_id: int, observer_id: int):
    check_csrf()
    try:
        with unit_of_work() as s:
            setup.get(s, Meeting, meeting_id, pgettext("what", "会议"))  # a meeting that is not there: 404
            setup.remove_observer(s, require_staff(s), observer_id, meeting_id)
    except YishiError as err:
        return setup_page(meeting_id, err, None, "observers")
    tell_room(meeting_id)
    return done(_("已移除列席人员。"), setup_url(meeting_id, "observers"))
