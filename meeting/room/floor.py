"""发言申请 and the speaker's time, where the body uses them (``Body.floor_requests``, ``speaking_limit_minutes``).

Not a rule of the sources — the order of opinions (chair last) is :mod:`voting.speaking`'s and is untouched: this is
the discussion before and between them. A member present and not recused asks for the floor on the item under way
(``request_floor``) and may withdraw (``withdraw_floor``); the secretary gives it in the order asked, or to a member
who did not ask (``give_floor``), which ends the last speaker's time; ``end_floor`` ends it. Each is an event of the
record; a request on an item that is no longer under way simply lapses (the room shows only the live item's).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from voting.vocabulary import ATTENDANCE_LABELS

from .. import audit
from ..actors import Actor
from ..clock import utcnow
from ..errors import FloorNoItem, FloorNotFound, FloorNotPresent, FloorNotUsed, Recused
from ..models import AgendaItem, FloorRequest
from ..schemas import GiveFloorIn, ItemRef
from .facts import Outcome, Room, live_item, load_room, recused_ids
from .guards import _require_in_session, _require_staff


def _live(s: Session, room: Room, item_id: int) -> AgendaItem:
    item = live_item(s, room.meeting.id)
    if item is None or item.id != item_id:
        raise FloorNoItem()
    return item


def _may_have_the_floor(s: Session, room: Room, person_id: int, item: AgendaItem) -> None:
    """Who asks for the floor, or is given it: a member in the room and not recused from the item (checked before
    whether the body uses requests at all: who may is told first)."""
    if person_id in recused_ids(s, item.id):
        raise Recused()
    seat = room.seat_of(person_id)
    if seat is None or person_id not in room.present_ids:
        raise FloorNotPresent(attendance=ATTENDANCE_LABELS.get(seat.attendance if seat else "", "未到会"))


def _uses_floor(room: Room) -> None:
    if not room.body.floor_requests:
        raise FloorNotUsed()


def requests_of(s: Session, item_id: int) -> list[FloorRequest]:
    """The live item's requests not withdrawn, in the order asked (the speaker and those still waiting)."""
    return list(
        s.exec(
            select(FloorRequest)
            .where(FloorRequest.item_id == item_id, col(FloorRequest.withdrawn_at).is_(None))
            .order_by(col(FloorRequest.requested_at), col(FloorRequest.id))
        )
    )


def _open_request(s: Session, item_id: int, person_id: int) -> FloorRequest | None:
    """A member's request still waiting or speaking on the item."""
    return next(
        (r for r in requests_of(s, item_id) if r.person_id == person_id and r.ended_at is None),
        None,
    )


def request_floor(s: Session, actor: Actor, meeting_id: int, data: ItemRef) -> Outcome:
    """A member asks for the floor; asking twice is the same request (its place in the queue kept)."""
    room = load_room(s, meeting_id)
    _require_in_session(room)
    item = _live(s, room, data.item_id)
    _may_have_the_floor(s, room, actor.person_id, item)
    _uses_floor(room)
    mine = _open_request(s, item.id, actor.person_id)
    if mine is None:
        mine = FloorRequest(meeting_id=meeting_id, item_id=item.id, person_id=actor.person_id)
        s.add(mine)
        s.flush()
        audit.record(s, actor, "floor.requested", meeting_id, item_id=item.id, request_id=mine.id)
    waiting = [r for r in requests_of(s, item.id) if r.granted_at is None]
    place = next((i + 1 for i, r in enumerate(waiting) if r.id == mine.id), 0)
    return Outcome(meeting_id, ack={"ok": True, "request_id": mine.id, "place": place})


def withdraw_floor(s: Session, actor: Actor, meeting_id: int, data: ItemRef) -> Outcome:
    """A member withdraws a request not yet given the floor."""
    room = load_room(s, meeting_id)
    _require_in_session(room)
    item = _live(s, room, data.item_id)
    _may_have_the_floor(s, room, actor.person_id, item)
    _uses_floor(room)
    mine = _open_request(s, item.id, actor.person_id)
    if mine is None or mine.granted_at is not None:
        raise FloorNotFound()
    mine.withdrawn_at = utcnow()
    s.add(mine)
    audit.record(s, actor, "floor.withdrawn", meeting_id, item_id=item.id, request_id=mine.id)
    return Outcome(meeting_id, ack={"ok": True})


def _end_speaker(s: Session, actor: Actor, meeting_id: int, item_id: int) -> FloorRequest | None:
    speaker = next((r for r in requests_of(s, item_id) if r.granted_at and r.ended_at is None), None)
    if speaker is not None:
        speaker.ended_at = utcnow()
        s.add(speaker)
        seconds = int((speaker.ended_at - speaker.granted_at).total_seconds())
        audit.record(s, actor, "floor.ended", meeting_id, item_id=item_id, request_id=speaker.id, seconds=seconds)
    return speaker


def give_floor(s: Session, actor: Actor, meeting_id: int, data: GiveFloorIn) -> Outcome:
    """The secretary gives the floor: to a request (waiting), or to a present member not recused who did not ask.
    The last speaker's time ends."""
    _require_staff(actor)
    room = load_room(s, meeting_id)
    _require_in_session(room)
    item = _live(s, room, data.item_id)
    if data.request_id is not None:
        req = s.get(FloorRequest, data.request_id)
        if req is None or req.item_id != item.id or req.withdrawn_at or req.granted_at:
            raise FloorNotFound()
    else:
        _may_have_the_floor(s, room, data.person_id, item)
        req = _open_request(s, item.id, data.person_id)
        if req is None or req.granted_at is not None:
            req = FloorRequest(meeting_id=meeting_id, item_id=item.id, person_id=data.person_id)
    _end_speaker(s, actor, meeting_id, item.id)
    req.granted_at = utcnow()
    s.add(req)
    s.flush()
    audit.record(s, actor, "floor.given", meeting_id, item_id=item.id, request_id=req.id, person_id=req.person_id)
    return Outcome(meeting_id, ack={"ok": True, "request_id": req.id})


def end_floor(s: Session, actor: Actor, meeting_id: int, data: ItemRef) -> Outcome:
    """The speaker's time ends (the secretary's 结束发言)."""
    _require_staff(actor)
    room = load_room(s, meeting_id)
    _require_in_session(room)
    item = _live(s, room, data.item_id)
    if _end_speaker(s, actor, meeting_id, item.id) is None:
        raise FloorNotFound()
    return Outcome(meeting_id, ack={"ok": True})
