"""跟随翻页: the presenter turns a page of a material, and the tablets that follow turn with it.

A page turn changes no record: nothing is persisted or logged, the room is told the page (material and number) as
a passing event, to the screens that read materials (members, the chair, the secretary; not observers or the
projector). Whoever receives it still fetches the material through ``views.material``, which refuses it to a
member recused from its item (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）5)."""

from __future__ import annotations

from sqlmodel import Session

from ..actors import Actor
from ..errors import InvalidState, NotFound
from ..models import AgendaItem, Material, Meeting
from ..schemas import PageTurnIn
from .facts import Outcome
from .guards import _require_staff


def turn_page(s: Session, actor: Actor, meeting_id: int, data: PageTurnIn) -> Outcome:
    """The secretary (the presenter, on the console) shows page ``data.page`` of material ``data.material_id``."""
    _require_staff(actor)
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="会议")
    if meeting.status == "closed":
        raise InvalidState(detail="会议已结束。")
    mat = s.get(Material, data.material_id)
    item = s.get(AgendaItem, mat.item_id) if mat is not None else None
    if mat is None or item is None or item.meeting_id != meeting_id or mat.kind != "material":
        raise NotFound(what="材料")
    turn = {"material_id": mat.id, "item_id": item.id, "page": data.page}
    return Outcome(meeting_id, ack={"ok": True, **turn}, broadcast=None, emit=("page_turned", turn))
