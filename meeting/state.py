"""The room state each screen is sent: ``full`` (secretary, chair), ``member`` (tablets) and ``public``
(projector, observers). The server is the authority: screens render this, they never compute a rule.

Confidentiality (seed 003 §四(二)5): individual opinions go only to the full view; members and the public see
progress counts, and after an item closes its tally and result — never who said what.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from voting import conclusion, speaking
from voting import opinions as opinion_rules
from voting.profiles import load_profile
from voting.sources import office_form, restated
from voting.vocabulary import (
    ATTENDANCE_LABELS,
    DECISION_MODE_LABELS,
    ITEM_CATEGORY_LABELS,
    ITEM_RESULT_LABELS,
    MEETING_KIND_LABELS,
    PREPARATION_STEP_LABELS,
    PRESENT_STATES,
    SET_ASIDE_LABELS,
    STANCE_LABELS,
    STEP_STATE_LABELS,
    ItemResult,
    Stance,
)

from .clock import as_utc, cn_date, cn_datetime, cn_time, iso_utc, utcnow
from .errors import NotFound
from .models import (
    AgendaItem,
    Body,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Observer,
    Opinion,
    Person,
    Recusal,
    Round,
    Seat,
    WrittenOpinion,
)
from .room import (
    LIVE,
    Room,
    current_round,
    item_facts,
    live_item,
    load_room,
    meeting_quorum,
    presiding_of,
    recused_ids,
)
from .room.floor import requests_of
from .setup import item_history, missing_steps

VIEWS = ("full", "member", "public")


def title_of(meeting: Meeting, body: Body) -> str:
    """E.g. 某某区人民政府第12次常务会议."""
    return f"{body.name}第{meeting.session_number}次{MEETING_KIND_LABELS.get(meeting.kind, '')}"


def meeting_title(room: Room) -> str:
    return title_of(room.meeting, room.body)


def _people(s: Session, ids) -> dict[int, Person]:
    ids = set(ids)
    if not ids:
        return {}
    return {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(ids)))}


def _result_label(result: str | None) -> str:
    return ITEM_RESULT_LABELS.get(ItemResult(result), result) if result else ""


def _round_label(r: Round | None) -> str:
    """The result's label; an item deferred before it was opened reads 暂缓审议 (voting/conclusion.py)."""
    if r is None or not r.result:
        return ""
    if r.result == ItemResult.DEFERRED and r.tally_json and json.loads(r.tally_json).get("before_opening"):
        return SET_ASIDE_LABELS[ItemResult.DEFERRED]
    return _result_label(r.result)


def build(s: Session, meeting_id: int, view: str, zone: str = "Asia/Shanghai") -> dict:
    if view not in VIEWS:
        raise ValueError(view)
    room = load_room(s, meeting_id)
    m = room.meeting
    full = view == "full"
    people = _people(s, ([seat.person_id for seat in room.seats] if full else []) + [m.chair_person_id])
    q = meeting_quorum(room)
    pass_needed = room.profile.passing.needed(room.n)
    present = len(room.present_ids)
    counts = {a: 0 for a in ATTENDANCE_LABELS}
    for seat in room.seats:
        counts[seat.attendance] = counts.get(seat.attendance, 0) + 1

    roster = []
    if full:  # tablets and the projector get the counts only: a 3,000-seat roster per change would swamp them
        for seat in room.seats:
            p = people[seat.person_id]
            roster.append(
                {
                    "person_id": seat.person_id,
                    "name": p.name,
                    "title": p.title,
                    "attendance": seat.attendance,
                    "attendance_label": ATTENDANCE_LABELS.get(seat.attendance, ""),
                    "is_chair": seat.person_id == m.chair_person_id,
                    "arrived_at": cn_time(seat.arrived_at, zone),
                    "left_at": cn_time(seat.left_at, zone),
                    "absence_reason": seat.absence_reason,
                    "connected": seat.connections > 0,
                }
            )

    items = list(s.exec(select(AgendaItem).where(AgendaItem.meeting_id == m.id).order_by(col(AgendaItem.position))))
    rounds = {}
    for r in s.exec(
        select(Round).join(AgendaItem, col(AgendaItem.id) == Round.item_id).where(AgendaItem.meeting_id == m.id)
    ):
        rounds[(r.item_id, r.number)] = r

    agenda = []
    for it in items:
        if it.confidential and view == "public":
            title = "（保密议题）"
        else:
            title = it.title
        r = rounds.get((it.id, it.round))
        hidden = it.confidential and view == "public"  # the projector and observers: not who brings it, nor whence
        entry = {
            "id": it.id,
            "position": it.position,
            "title": title,
            "category": it.category,
            "category_label": ITEM_CATEGORY_LABELS.get(it.category, ""),
            "status": it.status,
            "round": it.round,
            "presenter": "" if hidden else it.presenter,
            "submitting_unit": "" if hidden else it.submitting_unit,
            "result": r.result if r else None,
            "result_label": _round_label(r),
            "confidential": it.confidential,
        }
        if full:
            entry["missing_steps"] = [PREPARATION_STEP_LABELS[x] for x in missing_steps(s, it, room.body.profile)]
            entry["carried_from_item_id"] = it.carried_from_item_id
        agenda.append(entry)

    state = {
        "view": view,
        "server_time": iso_utc(utcnow()),
        "meeting": {
            "id": m.id,
            "title": meeting_title(room),
            "body": room.body.name,
            "kind": m.kind,
            "kind_label": MEETING_KIND_LABELS.get(m.kind, ""),
            "session_number": m.session_number,
            "date": cn_date(m.starts_at, zone),
            "starts_at": cn_datetime(m.starts_at, zone),
            "place": m.place,
            "status": m.status,
            "decision_mode": room.body.decision_mode,
            "decision_mode_label": DECISION_MODE_LABELS.get(room.body.decision_mode, ""),
            "chair": {
                "person_id": m.chair_person_id,
                "name": people[m.chair_person_id].name,
                "delegated": m.delegated_by_person_id is not None,
            },
            "recorder": m.recorder_name,
            "presenter_person_id": m.presenter_person_id,
        },
        "attendance": {
            "n": room.n,
            "present": present,
            "counts": counts,
            "quorum": q.as_dict(),
            "pass_needed": pass_needed,
            # quorate, yet fewer present than the yes votes an item needs: nothing can pass (domain.md, N=8/4)
            "cannot_pass": q.ok and present < pass_needed,
            "pass_rule": room.profile.passing.label,
            "pass_source": room.profile.passing.source,
        },
        "roster": roster,
        "agenda": agenda,
        "current": None,
        "last_closed": None,
    }
    if full:
        state["observers"] = [
            {"id": o.id, "name": o.name, "unit": o.unit, "role": o.role}
            for o in s.exec(select(Observer).where(Observer.meeting_id == m.id).order_by(col(Observer.id)))
        ]

    live = live_item(s, m.id)
    if live is not None:
        state["current"] = _current(s, room, live, view, people, zone)
    state["floor"] = _floor(s, room, live, zone)
    closed = [it for it in items if conclusion.concluded(it.status)]
    if closed:
        last = max(closed, key=lambda it: rounds[(it.id, it.round)].closed_at or m.created_at)
        state["last_closed"] = _closed_summary(s, room, last, rounds[(last.id, last.round)], view, people, zone)
    return state


def _floor(s: Session, room: Room, live: AgendaItem | None, zone: str) -> dict | None:
    """发言申请 and the speaker's time on the item under way, where the body uses them (meeting/room/floor.py): who
    speaks since when, and who waits, in order. Not secret — every view shows the queue as a raised hand would; a
    member's own place is read from it by his tablet. None where the body uses neither."""
    body = room.body
    if not body.floor_requests and not body.speaking_limit_minutes:
        return None
    out = {
        "requests": body.floor_requests,
        "limit_seconds": body.speaking_limit_minutes * 60,
        "item_id": live.id if live is not None else None,
        "speaker": None,
        "queue": [],
    }
    if live is None:
        return out
    rows = [r for r in requests_of(s, live.id) if r.ended_at is None]
    people = _people(s, [r.person_id for r in rows])
    for r in rows:
        entry = {"request_id": r.id, "person_id": r.person_id, "name": people[r.person_id].name}
        if r.granted_at is not None:
            out["speaker"] = {**entry, "since": iso_utc(r.granted_at), "since_label": cn_time(r.granted_at, zone)}
        else:
            out["queue"].append({**entry, "requested_at": cn_time(r.requested_at, zone)})
    return out


def _current(s: Session, room: Room, item: AgendaItem, view: str, people: dict, zone: str) -> dict:
    full = view == "full"
    facts = item_facts(s, room, item)
    hidden = item.confidential and view == "public"  # a confidential item: no title, presenter or unit
    cur = {
        "id": item.id,
        "title": item.title if not hidden else "（保密议题）",
        "category": item.category,
        "category_label": ITEM_CATEGORY_LABELS.get(item.category, ""),
        "status": item.status,
        "round": item.round,
        "presenter": "" if hidden else item.presenter,
        "submitting_unit": "" if hidden else item.submitting_unit,
        "phase": "opinions" if item.status == "voting" else "discussion",
        # the chair-last rule applies to whoever presides over the item; only the full view foretells the result
        "progress": facts.as_progress(full=full),
        "quorum": facts.quorum.as_dict(),
        "recused_person_ids": sorted(facts.recused),
        "written_count": len(facts.written),
        "pass_needed": facts.tally.needed,
        "n": facts.n_item,
    }
    if view != "public":  # who presides over the item: his tablet shows him the chair's card (not the projector)
        cur["presiding_person_id"] = facts.presiding
    if full:
        cur |= item_detail(s, item, zone)
    elif view == "member":
        # a recused member must see nothing of the item (seed 003 §四(二)5): the summary, materials and history go
        # only to those who ask for them and are not recused (events.item_detail); this tells tablets to re-ask
        cur["detail_version"] = _materials_version(s, item)
    if full:
        subj = s.exec(
            select(ItemSubject, Person)
            .join(Person, col(Person.id) == ItemSubject.person_id)
            .where(ItemSubject.item_id == item.id)
        ).all()
        cur["subjects"] = [{"person_id": p.id, "name": p.name, "action": x.action} for x, p in subj]
        recs = s.exec(select(Recusal).where(Recusal.item_id == item.id).order_by(col(Recusal.id))).all()
        rec_people = _people(
            s, [r.person_id for r in recs] + [r.subject_person_id for r in recs if r.subject_person_id]
        )
        cur["recusals"] = [
            {
                "person_id": r.person_id,
                "name": rec_people[r.person_id].name,
                "relation_type": r.relation_type,
                "subject": rec_people[r.subject_person_id].name if r.subject_person_id else "",
                "reason": r.reason,
                "source": r.source,
                "basis": office_form(r.basis),
            }
            for r in recs
        ]
        cur["opinions"] = [_opinion(o, people, zone) for o in facts.opinions]
        written_people = _people(s, [w.person_id for w in facts.written])
        cur["written"] = [_written(w, written_people, zone) for w in facts.written]
        cur["tally"] = facts.tally.as_dict()
        spoken = set(facts.spoken)
        cur["not_spoken"] = [
            {"person_id": pid, "name": people[pid].name, "is_chair": pid == facts.presiding}
            for pid in [seat.person_id for seat in room.seats]
            if pid in facts.eligible and pid not in spoken
        ]
        cur["steps"] = [
            {
                "step": st.step,
                "label": PREPARATION_STEP_LABELS.get(st.step, st.step),
                "state": st.state,
                "state_label": STEP_STATE_LABELS.get(st.state, st.state),
                "note": st.note,
            }
            for st in s.exec(select(ItemStep).where(ItemStep.item_id == item.id).order_by(col(ItemStep.id)))
        ]
        cur["notes"] = item.notes
        cur["head_decides"] = room.head_decides
    return cur


def item_detail(s: Session, item: AgendaItem, zone: str = "Asia/Shanghai") -> dict:
    """What a participant reads about an item: its summary, amount, materials and earlier appearances."""
    return {
        "summary": item.summary,
        "amount_yuan": item.amount_yuan,
        "materials": [
            {"id": mt.id, "filename": mt.filename, "content_type": mt.content_type, "size": mt.size}
            for mt in s.exec(
                select(Material)
                .where(Material.item_id == item.id, Material.kind == "material")
                .order_by(col(Material.id))
            )
        ],
        "history": [
            h | {"date": cn_date(h["starts_at"], zone), "starts_at": None, "result_label": _result_label(h["result"])}
            for h in item_history(s, item)
        ],
    }


def _materials_version(s: Session, item: AgendaItem) -> str:
    ids = s.exec(select(Material.id).where(Material.item_id == item.id, Material.kind == "material")).all()
    return f"{item.id}:{item.round}:{len(ids)}:{max(ids, default=0)}"


def participant_item_detail(s: Session, actor, item_id: int, zone: str = "Asia/Shanghai") -> dict:
    """The detail of an item for a tablet: members who are not recused, and the chair (seed 003 §四(二)5)."""
    from .errors import NotFound, PermissionDenied, Recused

    item = s.get(AgendaItem, item_id)
    if item is None or item.meeting_id != actor.meeting_id:
        raise NotFound(what="议题")
    if not (actor.is_seat or actor.is_staff):
        raise PermissionDenied()
    if (
        actor.is_seat
        and s.exec(select(Recusal.id).where(Recusal.item_id == item.id, Recusal.person_id == actor.person_id)).first()
    ):
        raise Recused()
    return {"item_id": item.id, "round": item.round} | item_detail(s, item, zone)


def chair_view(s: Session, meeting_id: int) -> str:
    """The chair presides and sees the full view — except while recused from the item under way."""
    chair_id = s.exec(select(Meeting.chair_person_id).where(Meeting.id == meeting_id)).first()
    if chair_id is None:
        return "full"
    recused = s.exec(
        select(Recusal.id)
        .join(AgendaItem, col(AgendaItem.id) == Recusal.item_id)
        .where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).in_(LIVE), Recusal.person_id == chair_id)
    ).first()
    return "member" if recused is not None else "full"


def _opinion(o: Opinion, people: dict, zone: str) -> dict:
    return {
        "person_id": o.person_id,
        "name": people[o.person_id].name if o.person_id in people else "",
        "stance": o.stance,
        "stance_label": STANCE_LABELS[Stance(o.stance)],
        "reason": o.reason,
        "is_chair": o.is_chair,
        "version": o.version,
        "at": cn_time(o.updated_at, zone, seconds=True),
        "proxy_by": o.proxy_by,  # 代录 (deadends): who recorded it on the member's behalf, "" if he gave it himself
        "proxy_at": cn_time(o.proxy_at, zone, seconds=True),
    }


def _written(w: WrittenOpinion, people: dict, zone: str) -> dict:
    return {
        "id": w.id,
        "person_id": w.person_id,
        "name": people[w.person_id].name,
        "stance": w.stance,
        "stance_label": STANCE_LABELS[Stance(w.stance)],
        "reason": w.reason,
        "submitted_by": w.submitted_by,
        "at": cn_time(w.at, zone, seconds=True),
        "has_scan": w.material_id is not None,
        "scan_material_id": w.material_id,
    }


def _closed_summary(
    s: Session, room: Room, item: AgendaItem, rnd: Round, view: str, people: dict, zone: str = "Asia/Shanghai"
) -> dict:
    tally = restated(json.loads(rnd.tally_json)) if rnd.tally_json else {}  # (an earlier release's sources)
    out = {
        "id": item.id,
        "title": item.title if not (item.confidential and view == "public") else "（保密议题）",
        "round": rnd.number,
        "result": rnd.result,
        "result_label": _round_label(rnd),
        "tally": {
            k: tally.get(k)
            for k in (
                "agree",
                "disagree",
                "defer",
                "yes",
                "n",
                "needed",
                "written_agree",
                "written_disagree",
                "written_defer",
                "written_counted",
                "rule",
            )
        },
        "defer_reason": rnd.defer_reason if view != "public" else "",
    }
    if rnd.head_adopt is not None:
        out["head_reason"] = rnd.head_reason if view != "public" else ""
        out["majority_passes"] = tally.get("passes")
    if view == "full":
        ops = s.exec(
            select(Opinion)
            .where(Opinion.item_id == item.id, Opinion.round_number == rnd.number)
            .order_by(col(Opinion.id))
        ).all()
        out["opinions"] = [_opinion(o, people, zone) for o in ops]
    return out


# what a closed item's summary says about its deliberation: withheld from those recused from it
_DELIBERATION = ("tally", "opinions", "majority_passes", "head_reason", "defer_reason")


def withhold(state: dict, item_ids) -> dict:
    """``state`` as it may be sent to someone recused from ``item_ids``: the last closed item, if one of them, keeps
    its title and result but not its tally, opinions or reasons (四（二）5: a recused member leaves the item — no vote,
    no view of its deliberation, during or after). ``state`` is left as it was (a shared copy); a new dict, or
    ``state`` itself when there is nothing to withhold."""
    last = state.get("last_closed")
    if not last or last.get("id") not in set(item_ids):
        return state
    stripped = {k: v for k, v in last.items() if k not in _DELIBERATION} | {"withheld": True}
    return state | {"last_closed": stripped}


def recused_from_last_closed(s: Session, state: dict) -> set[int]:
    """Who was recused from the item the state shows as last closed (they are sent :func:`withhold`'s copy)."""
    last = state.get("last_closed")
    return recused_ids(s, last["id"]) if last else set()


def me(s: Session, meeting_id: int, person_id: int, zone: str = "Asia/Shanghai") -> dict:
    """A member's personal block: their attendance, recusals and opinions (sent only to them)."""
    meeting = s.get(Meeting, meeting_id)  # this member's rows only: a reconnect storm stays linear
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting_id, Seat.person_id == person_id)).first()
    if meeting is None or seat is None:
        raise NotFound(what="会议" if meeting is None else "该成员")
    person = s.get(Person, person_id)
    items = {it.id: it for it in s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    ops = s.exec(select(Opinion).where(col(Opinion.item_id).in_(items), Opinion.person_id == person_id)).all()
    opinions = {}
    for o in ops:
        if o.round_number == items[o.item_id].round:
            opinions[str(o.item_id)] = {
                "round": o.round_number,
                "stance": o.stance,
                "stance_label": STANCE_LABELS[Stance(o.stance)],
                "reason": o.reason,
                "version": o.version,
                "at": cn_time(o.updated_at, zone, seconds=True),
                # 代录 (deadends): recorded by the secretary for him; he may confirm or correct it until the chair
                # speaks, then it is final
                "proxy_by": o.proxy_by,
                "proxy_at": cn_time(o.proxy_at, zone, seconds=True),
            }
    written = {}
    for w in s.exec(
        select(WrittenOpinion).where(col(WrittenOpinion.item_id).in_(items), WrittenOpinion.person_id == person_id)
    ):
        if w.round_number == items[w.item_id].round:
            written[str(w.item_id)] = {
                "stance": w.stance,
                "stance_label": STANCE_LABELS[Stance(w.stance)],
                "reason": w.reason,
                "at": cn_time(w.at, zone, seconds=True),
            }
    recused = sorted(
        s.exec(select(Recusal.item_id).where(col(Recusal.item_id).in_(items), Recusal.person_id == person_id)).all()
    )
    return {
        "person_id": person_id,
        "name": person.name,
        "title": person.title,
        "is_chair": person_id == meeting.chair_person_id,
        "attendance": seat.attendance,
        "attendance_label": ATTENDANCE_LABELS.get(seat.attendance, ""),
        "present": seat.attendance in PRESENT_STATES,
        "recused_item_ids": recused,
        "opinions": opinions,
        "written": written,
    }


# what every screen may be sent while opinions come in: counts, nothing that foretells the result
# (``can_still_pass`` and the tally go with the full view's detail only)
PROGRESS_KEYS = ("item_id", "round", "spoken", "eligible", "waiting", "chair_may_speak", "chair_has_spoken")


def progress(
    s: Session, meeting_id: int, *, detail: bool | Callable[[int], bool] = False, zone: str = "Asia/Shanghai"
) -> dict | None:
    """The small, frequent update while opinions come in: counts only, safe for every view. With ``detail`` (the
    full view: secretary and chair) also who said what, the tally, whether the item can still pass, and who has
    not spoken; ``detail`` may be a
    function of the number of eligible members that says, once the counts are read, whether to add the list.

    Sent every broadcast interval while a burst comes in, so the counts are the database's aggregates over the
    room's seats and the round's opinions (a few rows, however big the room) and the detail reads plain columns,
    not objects: the same facts as :func:`meeting.room.item_facts` and :meth:`ItemFacts.as_progress`, through
    the same rules (``voting.opinions``), at a fraction of the cost for a 3,000-seat plenary.
    """
    item = live_item(s, meeting_id)
    if item is None:
        return None
    meeting = s.get(Meeting, meeting_id)
    profile = load_profile(s.get(Body, meeting.body_id).profile)
    rnd = current_round(s, item)
    chair_id = meeting.chair_person_id
    conn = s.connection()
    recused = recused_ids(s, item.id)
    if chair_id in recused:  # the acting chair presides over this item and speaks last (voting/presiding.py)
        chair_id = presiding_of(load_room(s, meeting_id), recused)
    given = _given(item.id, rnd.number)
    eligible = _eligible(item.id)
    spoke = given.c.person_id.is_not(None)
    is_chair = Seat.person_id == chair_id
    seats, n_eligible, n_spoken, chair_eligible, chair_spoken = conn.execute(
        select(
            func.count(),
            _how_many(eligible),
            _how_many(and_(eligible, spoke)),
            _how_many(and_(eligible, is_chair)),
            _how_many(and_(eligible, is_chair, spoke)),
        )
        .select_from(Seat)
        .outerjoin(given, given.c.person_id == Seat.person_id)
        .where(Seat.meeting_id == meeting_id)
    ).one()
    stances = dict(
        conn.execute(
            select(Opinion.stance, func.count())
            .where(Opinion.item_id == item.id, Opinion.round_number == rnd.number)
            .group_by(Opinion.stance)
        ).all()
    )
    written = conn.execute(
        select(WrittenOpinion.person_id, WrittenOpinion.stance).where(
            WrittenOpinion.item_id == item.id, WrittenOpinion.round_number == rnd.number
        )
    ).all()
    spoke_too = (
        set(
            conn.execute(
                select(Opinion.person_id).where(  # absentees who came and spoke after all
                    Opinion.item_id == item.id,
                    Opinion.round_number == rnd.number,
                    col(Opinion.person_id).in_([w.person_id for w in written]),
                )
            ).scalars()
        )
        if written
        else set()
    )
    tally = opinion_rules.round_tally(
        members=seats,
        recused=recused,
        given=stances,
        written=[(w.person_id, w.stance) for w in written],
        spoke_in_room=spoke_too,
        profile=profile,
    )
    counts = speaking.round_counts(
        eligible=n_eligible,
        spoken=n_spoken,
        presiding_eligible=bool(chair_eligible),
        presiding_spoken=bool(chair_spoken),
    )
    out = {
        "item_id": item.id,
        "round": rnd.number,
        "spoken": counts.spoken,
        "eligible": counts.eligible,
        "waiting": counts.waiting,
        "chair_may_speak": counts.presiding_may_speak,
        "chair_has_spoken": rnd.chair_spoke_at is not None,
    }
    if detail if isinstance(detail, bool) else detail(n_eligible):
        out["can_still_pass"] = opinion_rules.can_still_pass(tally, counts.outstanding)
        opinions = conn.execute(
            select(
                Opinion.person_id,
                Person.name,
                Opinion.stance,
                Opinion.reason,
                Opinion.is_chair,
                Opinion.version,
                Opinion.updated_at,
                Opinion.proxy_by,
                Opinion.proxy_at,
            )
            .outerjoin(Person, col(Person.id) == Opinion.person_id)
            .where(Opinion.item_id == item.id, Opinion.round_number == rnd.number)
            .order_by(col(Opinion.id))
        ).all()
        at = _clock(zone)
        out["opinions"] = [
            {
                "person_id": o.person_id,
                "name": o.name or "",
                "stance": o.stance,
                "stance_label": _STANCE_LABELS[o.stance],
                "reason": o.reason,
                "is_chair": o.is_chair,
                "version": o.version,
                "at": at(o.updated_at),
                "proxy_by": o.proxy_by,
                "proxy_at": at(o.proxy_at),
            }
            for o in opinions
        ]
        out["tally"] = tally.as_dict()
        out["not_spoken"] = [
            {"person_id": p, "name": name, "is_chair": p == chair_id}
            for p, name in conn.execute(
                select(Seat.person_id, Person.name)
                .join(Person, col(Person.id) == Seat.person_id)
                .outerjoin(given, given.c.person_id == Seat.person_id)
                .where(Seat.meeting_id == meeting_id, eligible, given.c.person_id.is_(None))
                .order_by(col(Seat.seniority), col(Seat.id))
            ).all()
        ]
    return out


_STANCE_LABELS = {str(stance): label for stance, label in STANCE_LABELS.items()}  # by the stored value


def _given(item_id: int, round_number: int):
    """Who has spoken in this round (one row per member: the opinion's key is unique), to join seats to."""
    return (
        select(Opinion.person_id)
        .where(Opinion.item_id == item_id, Opinion.round_number == round_number)
        .subquery("given")
    )


def _eligible(item_id: int):
    """A seat whose member is present (or late) and not recused from the item (seed 003 §四(二)2, §四(二)5)."""
    return and_(
        col(Seat.attendance).in_([str(a) for a in PRESENT_STATES]),
        col(Seat.person_id).not_in(select(Recusal.person_id).where(Recusal.item_id == item_id)),
    )


def _how_many(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _clock(zone: str) -> Callable[[datetime | None], str]:
    """``cn_time(…, seconds=True)`` for many moments: a burst's opinions share their seconds, each formatted once."""
    memo: dict[int, str] = {}

    def at(moment: datetime | None) -> str:
        if moment is None:
            return ""
        second = int(as_utc(moment).timestamp())
        text = memo.get(second)
        if text is None:
            text = memo[second] = cn_time(moment, zone, seconds=True)
        return text

    return at


def full_progress(s: Session, meeting_id: int, zone: str = "Asia/Shanghai") -> dict | None:
    """Progress plus the opinions and tally, for the secretary and the chair."""
    return progress(s, meeting_id, detail=True, zone=zone)


def reading_ahead(s: Session, actor, zone: str = "Asia/Shanghai") -> dict:
    """会前阅读: the agenda with every item's materials, for a member (or the chair) from his link before the
    meeting opens — and after, and when he is absent (请假: he reads them to write his written opinion).
    《延寿县人民政府关于进一步提升政府执行力的意见》三: “提前将有关材料送达参会人员，让参会人员充分了解内容”.
    An item he is recused from is listed by its title only, without its summary, materials or history
    (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）5); its materials are
    refused to him by ``views.material`` too. Observers and the projector have no materials to read ahead."""
    from .errors import PermissionDenied

    if not actor.is_seat:
        raise PermissionDenied()
    items = s.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == actor.meeting_id).order_by(col(AgendaItem.position))
    ).all()
    recused = set(
        s.exec(
            select(Recusal.item_id).where(
                col(Recusal.item_id).in_([it.id for it in items]), Recusal.person_id == actor.person_id
            )
        ).all()
    )
    seat = s.exec(select(Seat).where(Seat.meeting_id == actor.meeting_id, Seat.person_id == actor.person_id)).first()
    return {
        "absent": seat is not None and seat.attendance == "absent",
        "items": [
            {
                "id": it.id,
                "number": n,
                "title": it.title,
                "category_label": ITEM_CATEGORY_LABELS.get(it.category, ""),
                "presenter": it.presenter,
                "submitting_unit": it.submitting_unit,
                "status": it.status,
                "recused": it.id in recused,
            }
            | ({} if it.id in recused else item_detail(s, it, zone))
            for n, it in enumerate(items, 1)
        ],
    }
