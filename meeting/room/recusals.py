"""Recusal (回避): the grounds the relations graph gives for an item's subjects, and recusals added or withdrawn by
hand."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voting import conclusion
from voting import recusal as recusal_rules
from voting.profiles import relation_types

from .. import audit
from ..actors import Actor
from ..errors import (
    Conflict,
    InvalidState,
    MeetingClosed,
    NotFound,
)
from ..models import (
    AgendaItem,
    ItemSubject,
    Opinion,
    Recusal,
    Relation,
)
from ..schemas import (
    RecusalIn,
    RecusalRemoveIn,
)
from .facts import (
    Outcome,
    Room,
    load_room,
    recused_ids,
)
from .guards import (
    _item_of,
    _require_staff,
)


def compute_recusals(s: Session, room: Room, item: AgendaItem) -> list[recusal_rules.RecusalGround]:
    """Recusal grounds from the relations graph for the item's subjects (personnel items, seed 003 §四(二)5)."""
    if not recusal_rules.applies_to(item.category, room.profile):
        return []
    subjects = list(s.exec(select(ItemSubject.person_id).where(ItemSubject.item_id == item.id)).all())
    if not subjects:
        return []
    people = room.member_ids | set(subjects)
    rels = s.exec(
        select(Relation).where(col(Relation.person_a_id).in_(people), col(Relation.person_b_id).in_(people))
    ).all()
    return recusal_rules.required_recusals(
        [seat.person_id for seat in room.seats],
        subjects,
        [recusal_rules.Relation(r.person_a_id, r.person_b_id, r.type, r.reason) for r in rels],
        relation_types(),
    )


def _recusal_grounds_now(s: Session, room: Room, item: AgendaItem) -> set[int]:
    """Recused persons for an item: stored ones, plus computed ones for an item not yet opened."""
    ids = recused_ids(s, item.id)
    if item.status == "pending":
        ids |= {g.person_id for g in compute_recusals(s, room, item)}
    return ids


def add_recusal(s: Session, actor: Actor, meeting_id: int, data: RecusalIn) -> Outcome:
    """The secretary adds a recusal with a reason (公务员法 第76条(三): 其他可能影响公正的)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    item = _item_of(s, room, data.item_id)
    if conclusion.concluded(item.status):
        raise InvalidState(detail="议题已结束，不能再登记回避。")
    if room.seat_of(data.person_id) is None:
        raise NotFound(what="该成员")
    if data.person_id in recused_ids(s, item.id):
        raise Conflict(detail="该成员已登记回避。")
    spoke = s.exec(
        select(Opinion).where(
            Opinion.item_id == item.id, Opinion.round_number == item.round, Opinion.person_id == data.person_id
        )
    ).first()
    if spoke is not None:
        raise InvalidState(detail="该成员已在本轮发表意见；应回避的须在发表意见前登记，必要时请提请复议。")
    s.add(
        Recusal(
            item_id=item.id,
            person_id=data.person_id,
            relation_type="OTHER",
            reason=data.reason,
            source="manual",
            basis=relation_types()["OTHER"].source,
        )
    )
    audit.record(
        s,
        actor,
        "recusal.added",
        meeting_id,
        item_id=item.id,
        person_id=data.person_id,
        relation_type="OTHER",
        reason=data.reason,
        auto=False,
    )
    return Outcome(meeting_id, ack={"ok": True}, notify_people=[data.person_id])


def remove_recusal(s: Session, actor: Actor, meeting_id: int, data: RecusalRemoveIn) -> Outcome:
    """Only a recusal added by hand can be withdrawn; one the relations require cannot (公务员法 第74条)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    item = _item_of(s, room, data.item_id)
    if conclusion.concluded(item.status):
        raise InvalidState(detail="议题已结束，不能再更改回避。")
    rec = s.exec(select(Recusal).where(Recusal.item_id == item.id, Recusal.person_id == data.person_id)).first()
    if rec is None:
        raise NotFound(what="该回避记录")
    if rec.source != "manual":
        raise InvalidState(
            detail="依亲属关系须回避的不能撤销（《中华人民共和国公务员法》第七十六条）；如关系登记有误，请更正关系后重新审议。"
        )
    s.delete(rec)
    audit.record(s, actor, "recusal.removed", meeting_id, item_id=item.id, person_id=data.person_id)
    return Outcome(meeting_id, ack={"ok": True}, notify_people=[data.person_id])
