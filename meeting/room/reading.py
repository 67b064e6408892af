"""跟随翻页: the presenter turns a page of a material, and the tablets that follow turn with it.

A page turn changes no record: nothing is persisted or logged, the room is told the page (material and number) as
a passing event, to the screens that read materials (members, the chair, the secretary; not observers or the
projector). Whoever receives it still fetches the material through ``views.material``, which refuses it to a
member recused from its item (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）5)."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit
from ..actors import Actor
from ..errors import InvalidState, NotFound, PermissionDenied
from ..models import AgendaItem, Material, Meeting, Seat
from ..schemas import PageTurnIn, PresenterIn
from .facts import Outcome
from .guards import _require_staff


def set_presenter(s: Session, actor: Actor, meeting_id: int, data: PresenterIn) -> Outcome:
    """The secretary lets a member of the meeting present the materials from his tablet (his page turns are told to
    the room as the console's are), or takes it back (``person_id`` None). Recorded; every screen is told."""
    _require_staff(actor)
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    if meeting.status == "closed":
        raise InvalidState(detail="会议已结束。")
    if data.person_id is not None and (
        s.exec(select(Seat.id).where(Seat.meeting_id == meeting_id, Seat.person_id == data.person_id)).first() is None
    ):
        raise NotFound(what="该成员")
    meeting.presenter_person_id = data.person_id
    s.add(meeting)
    audit.record(s, actor, "meeting.presenter_set", meeting_id, person_id=data.person_id)
    return Outcome(meeting_id, ack={"ok": True, "presenter_person_id": data.person_id})


def turn_page(s: Session, actor: Actor, meeting_id: int, data: PageTurnIn) -> Outcome:
    """The presenter — the secretary on the console, or the member he named (:func:`set_presenter`) on his tablet —
    shows page ``data.page`` of material ``data.material_id``."""
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    if not actor.is_staff and not (actor.is_seat and actor.person_id == meeting.presenter_person_id):
        raise PermissionDenied()
    if meeting.status == "closed":
        raise InvalidState(detail="会议已结束。")
    mat = s.get(Material, data.material_id)
    item = s.get(AgendaItem, mat.item_id) if mat is not None else None
    if mat is None or item is None or item.meeting_id != meeting_id or mat.kind != "material":
        raise NotFound(what="材料")
    turn = {"material_id": mat.id, "item_id": item.id, "page": data.page}
    return Outcome(meeting_id, ack={"ok": True, **turn}, broadcast=None, emit=("page_turned", turn))
