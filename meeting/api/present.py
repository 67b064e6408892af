"""How the API shows a record: rows of the database joined into the ``…Out`` models of :mod:`.models`."""

from __future__ import annotations

import json

from flask import url_for
from sqlmodel import Session, col, select

from .. import setup
from ..models import (
    AgendaItem,
    Body,
    Event,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Observer,
    Person,
    Round,
)
from ..room import load_room
from ..state import meeting_title, title_of
from .models import BodyDetailOut, DeferredItemOut, EventOut, ItemOut, MeetingDetailOut, MeetingOut, dump


def _link(token: str) -> str:
    return url_for("views.tablet", token=token, _external=True)


def _body_detail(s: Session, body: Body) -> dict:
    members = [
        {"person_id": p.id, "name": p.name, "title": p.title, "unit": p.unit, "seniority": m.seniority}
        for m, p in setup.members_of(s, body.id)
    ]
    return dump(BodyDetailOut, {**body.model_dump(), "members": members})


def _meeting(s: Session, m: Meeting) -> dict:
    return dump(MeetingOut, {**m.model_dump(), "title": title_of(m, s.get(Body, m.body_id))})


def _item(s: Session, item: AgendaItem, profile: str | None = None, *, history: bool = False) -> dict:
    if profile is None:
        meeting = s.get(Meeting, item.meeting_id)
        profile = s.get(Body, meeting.body_id).profile
    subjects = s.exec(
        select(ItemSubject, Person)
        .join(Person, col(Person.id) == ItemSubject.person_id)
        .where(ItemSubject.item_id == item.id)
        .order_by(col(ItemSubject.id))
    ).all()
    steps = s.exec(select(ItemStep).where(ItemStep.item_id == item.id).order_by(col(ItemStep.id))).all()
    materials = s.exec(select(Material).where(Material.item_id == item.id).order_by(col(Material.id))).all()
    rnd = s.exec(select(Round).where(Round.item_id == item.id, Round.number == item.round)).first()
    data = {
        **item.model_dump(),
        "result": rnd.result if rnd else None,
        "subjects": [{"person_id": p.id, "name": p.name, "action": x.action} for x, p in subjects],
        "steps": [st.model_dump() for st in steps],
        "missing_steps": setup.missing_steps(s, item, profile),
        "materials": [_material(mt) for mt in materials],
    }
    if history:
        data["history"] = setup.item_history(s, item)
        return dump(DeferredItemOut, data)
    return dump(ItemOut, data)


def _material(mt: Material) -> dict:
    return {**mt.model_dump(), "url": url_for("views.material", material_id=mt.id)}


def _agenda(s: Session, meeting_id: int, profile: str) -> list[dict]:
    items = s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(col(AgendaItem.position)))
    return [_item(s, it, profile) for it in items]


def _meeting_detail(s: Session, meeting_id: int) -> dict:
    room = load_room(s, meeting_id)
    m = room.meeting
    people = {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(room.member_ids)))}
    roster = [
        {
            **seat.model_dump(),
            "name": people[seat.person_id].name,
            "title": people[seat.person_id].title,
            "is_chair": seat.person_id == m.chair_person_id,
            "connected": seat.connections > 0,
        }
        for seat in room.seats
    ]
    observers = [
        o.model_dump() for o in s.exec(select(Observer).where(Observer.meeting_id == m.id).order_by(col(Observer.id)))
    ]
    return dump(
        MeetingDetailOut,
        {
            **m.model_dump(),
            "title": meeting_title(room),
            "roster": roster,
            "observers": observers,
            "agenda": _agenda(s, m.id, room.body.profile),
        },
    )


def _event(ev: Event) -> dict:
    try:
        payload = json.loads(ev.payload or "{}")
    except ValueError:
        payload = {"raw": ev.payload}
    return dump(
        EventOut,
        {
            "id": ev.id,
            "meeting_id": ev.meeting_id,
            "at": ev.at,
            "kind": ev.kind,
            "payload": payload,
            "actor": {"kind": ev.actor_kind, "id": ev.actor_id, "name": ev.actor_name, "device": ev.device},
        },
    )
