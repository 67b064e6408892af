"""Reads the record of one meeting from the database into the plain rows :mod:`minutes.record` works on.

A handful of queries per meeting (not per item), so a 40-item meeting loads in milliseconds.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlmodel import Session, col, select

from meeting.clock import to_local
from meeting.models import (
    AgendaItem,
    Event,
    ItemSubject,
    Material,
    Observer,
    Opinion,
    Person,
    Recusal,
    Round,
    WrittenOpinion,
)
from meeting.room import load_room
from meeting.state import meeting_title
from voting.profiles import relation_types
from voting.sources import office_form, restated
from voting.vocabulary import MEETING_KIND_LABELS

from . import record
from .models import Minutes, MinutesAmendment, MinutesItem


def amendment_row(a: MinutesAmendment, zone: str) -> dict:
    """One amendment as the record lists it (also for one not stored yet: minutes.service.amend renders first)."""
    return {
        "item_id": a.item_id,
        "field": a.field,
        "old": a.old_value,
        "new": a.new_value,
        "reason": a.reason,
        "author": a.author,
        "at": to_local(a.at, zone).strftime("%Y-%m-%d %H:%M"),
    }


def recused_item_ids(s: Session, meeting_id: int, person_id: int | None) -> set[int]:
    """The items of this meeting the person was recused from (回避), whatever their status now."""
    if person_id is None:
        return set()
    return set(
        s.exec(
            select(Recusal.item_id)
            .join(AgendaItem, col(AgendaItem.id) == Recusal.item_id)
            .where(AgendaItem.meeting_id == meeting_id, Recusal.person_id == person_id)
        ).all()
    )


ATTENDANCE_EVENTS = ("attendance.set", "attendance.check_in")
PRESENT = ("present", "late")


def movements(events: list[Event], opened_at, zone: str) -> list[record.MovementRow]:
    """Arrivals and departures after the opening, from the attendance events in order: a member marked present
    after the opening arrived (late) — or returned, if they had left; a member marked left departed (with the
    reason given). The roll call before the opening is the initial attendance, not a movement."""
    out: list[record.MovementRow] = []
    state: dict[int, str] = {}
    for ev in events:
        data = json.loads(ev.payload or "{}")
        pid, att = data.get("person_id"), data.get("attendance")
        if pid is None or att is None:
            continue
        before = state.get(pid)
        state[pid] = att
        if opened_at is None or ev.at < opened_at:
            continue
        at = to_local(ev.at, zone)
        if att == "left" and before != "left":
            out.append(record.MovementRow(pid, at, "left", data.get("reason") or ""))
        elif att in PRESENT and before == "left":
            out.append(record.MovementRow(pid, at, "returned"))
        elif att in PRESENT and before not in PRESENT:
            out.append(record.MovementRow(pid, at, "arrived"))
    return out


def item_times(events: list[Event], rounds: list[Round]) -> dict[int, tuple]:
    """Each item's start (its item.opened event; a deferred item never opened: none) and end (its last round's
    close), UTC."""
    started: dict[int, object] = {}
    for ev in events:
        if ev.kind == "item.opened":
            item_id = json.loads(ev.payload or "{}").get("item_id")
            if item_id is not None:
                started.setdefault(item_id, ev.at)
    ended: dict[int, object] = {}
    for r in rounds:  # ordered by number: the last round's close wins
        if r.closed_at is not None:
            ended[r.item_id] = r.closed_at
    return {i: (started.get(i), ended.get(i)) for i in set(started) | set(ended)}


def load(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> record.Source:
    room = load_room(s, meeting_id)
    m = room.meeting
    items = list(
        s.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == m.id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )
    ids = [it.id for it in items]
    rounds = list(s.exec(select(Round).where(col(Round.item_id).in_(ids)).order_by(col(Round.number)))) if ids else []
    opinions = (
        list(s.exec(select(Opinion).where(col(Opinion.item_id).in_(ids)).order_by(col(Opinion.id)))) if ids else []
    )
    written = (
        list(
            s.exec(select(WrittenOpinion).where(col(WrittenOpinion.item_id).in_(ids)).order_by(col(WrittenOpinion.id)))
        )
        if ids
        else []
    )
    recusals = (
        list(s.exec(select(Recusal).where(col(Recusal.item_id).in_(ids)).order_by(col(Recusal.id)))) if ids else []
    )
    subjects = (
        list(s.exec(select(ItemSubject).where(col(ItemSubject.item_id).in_(ids)).order_by(col(ItemSubject.id))))
        if ids
        else []
    )
    materials = (
        list(
            s.exec(
                select(Material)
                .where(col(Material.item_id).in_(ids), Material.kind == "material")
                .order_by(col(Material.id))
            )
        )
        if ids
        else []
    )
    person_ids = (
        {seat.person_id for seat in room.seats}
        | {m.chair_person_id}
        | {x.person_id for x in opinions}
        | {x.person_id for x in written}
        | {x.person_id for x in recusals}
        | {x.subject_person_id for x in recusals if x.subject_person_id}
        | {x.person_id for x in subjects}
    )
    if m.delegated_by_person_id:
        person_ids.add(m.delegated_by_person_id)
    people = {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(person_ids)))}
    for r in rounds:
        if r.reconsider_agreeing_json:
            missing = set(json.loads(r.reconsider_agreeing_json)) - set(people)
            if missing:
                people |= {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(missing)))}

    minutes = s.exec(select(Minutes).where(Minutes.meeting_id == m.id)).first()
    texts: dict[int, MinutesItem] = {}
    amendments: list[dict] = []
    if minutes is not None:
        texts = {t.item_id: t for t in s.exec(select(MinutesItem).where(MinutesItem.minutes_id == minutes.id))}
        amendments = [
            amendment_row(a, zone)
            for a in s.exec(
                select(MinutesAmendment)
                .where(MinutesAmendment.minutes_id == minutes.id)
                .order_by(col(MinutesAmendment.id))
            )
        ]

    by_item_round_op, by_item_round_w = defaultdict(list), defaultdict(list)
    for o in opinions:
        by_item_round_op[(o.item_id, o.round_number)].append(
            record.OpinionRow(
                o.person_id, people[o.person_id].name, o.stance, o.reason, o.is_chair, o.version, o.proxy_by
            )
        )
    for w in written:
        by_item_round_w[(w.item_id, w.round_number)].append(
            record.WrittenRow(w.person_id, people[w.person_id].name, w.stance, w.reason, w.submitted_by)
        )
    rounds_of = defaultdict(list)
    for r in rounds:
        tally = restated(json.loads(r.tally_json)) if r.tally_json else {}  # (an earlier release's sources)
        agreeing = (
            [people[p].name for p in json.loads(r.reconsider_agreeing_json)] if r.reconsider_agreeing_json else []
        )
        rounds_of[r.item_id].append(
            record.RoundRow(
                r.number,
                r.result,
                tally,
                r.head_adopt,
                r.head_reason,
                r.defer_reason,
                r.reconsider_reason,
                agreeing,
                by_item_round_op[(r.item_id, r.number)],
                by_item_round_w[(r.item_id, r.number)],
            )
        )
    events = list(
        s.exec(
            select(Event)
            .where(Event.meeting_id == m.id, col(Event.kind).in_((*ATTENDANCE_EVENTS, "item.opened")))
            .order_by(col(Event.id))
        )
    )
    times = item_times(events, rounds)
    types = relation_types()
    rec_of, subj_of, mat_of = defaultdict(list), defaultdict(list), defaultdict(list)
    for x in recusals:
        rt = types.get(x.relation_type)
        rec_of[x.item_id].append(
            record.RecusalRow(
                x.person_id,
                people[x.person_id].name,
                x.relation_type,
                rt.label if rt else "",
                people[x.subject_person_id].name if x.subject_person_id else "",
                x.reason,
                office_form(x.basis),
                x.source,
                rt.kinship if rt else (),
            )
        )
    for x in subjects:
        subj_of[x.item_id].append(people[x.person_id].name + (f"（{x.action}）" if x.action else ""))
    for x in materials:
        mat_of[x.item_id].append(x.filename)

    def _texts(item_id: int) -> record.Texts:
        t = texts.get(item_id)
        if t is None:
            return record.Texts()
        return record.Texts(t.discussion, t.considered, t.decided, t.lead_unit, t.supporting_units, t.deadline)

    chair = people[m.chair_person_id]
    return record.Source(
        meeting_id=m.id,
        title=meeting_title(room),
        body_name=room.body.name,
        kind=m.kind,
        kind_label=MEETING_KIND_LABELS.get(m.kind, ""),
        session_number=m.session_number,
        starts_at=to_local(m.starts_at, zone),
        place=m.place,
        chair_name=chair.name,
        chair_title=chair.title,
        delegated_by=people[m.delegated_by_person_id].name if m.delegated_by_person_id else "",
        recorder=m.recorder_name,
        status=m.status,
        seats=[
            record.SeatRow(
                seat.person_id,
                people[seat.person_id].name,
                people[seat.person_id].title,
                seat.attendance,
                seat.absence_reason,
                to_local(seat.arrived_at, zone),
                to_local(seat.left_at, zone),
            )
            for seat in room.seats
        ],
        observers=[
            (o.name, o.unit, o.role)
            for o in s.exec(select(Observer).where(Observer.meeting_id == m.id).order_by(col(Observer.id)))
        ],
        items=[
            record.ItemRow(
                it.id,
                it.position,
                it.title,
                it.category,
                it.presenter,
                it.submitting_unit,
                it.summary,
                it.confidential,
                it.status,
                it.amount_yuan,
                mat_of[it.id],
                subj_of[it.id],
                rec_of[it.id],
                rounds_of[it.id],
                _texts(it.id),
                to_local(times.get(it.id, (None, None))[0], zone),
                to_local(times.get(it.id, (None, None))[1], zone),
            )
            for it in items
        ],
        minutes_status=minutes.status if minutes else "draft",
        issue_number=minutes.issue_number if minutes else None,
        issue_label=(minutes.issue_label or "") if minutes else "",
        issuing_office=(minutes.issuing_office or "") if minutes else "",
        distribution=(minutes.distribution or "") if minutes else "",
        copy_to=(minutes.copy_to or "") if minutes else "",
        amendments=amendments,
        chair_person_id=m.chair_person_id,
        delegated_by_title=people[m.delegated_by_person_id].title if m.delegated_by_person_id else "",
        opened_at=to_local(m.opened_at, zone),
        closed_at=to_local(m.closed_at, zone),
        movements=movements([e for e in events if e.kind in ATTENDANCE_EVENTS], m.opened_at, zone),
        requirements=minutes.requirements if minutes else "",
        classification=minutes.classification if minutes else "",
    )
