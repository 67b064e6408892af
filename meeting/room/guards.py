"""The room's guards: each raises its typed :mod:`meeting.errors` refusal before a service changes anything —
the meeting in session, the quorums, who may act, and an opinion's refusal (voting/speaking.py) as its error."""

from __future__ import annotations

import functools

from sqlmodel import Session

from voting import speaking
from voting.vocabulary import (
    ATTENDANCE_LABELS,
    ITEM_CATEGORY_LABELS,
    ITEM_RESULT_LABELS,
    MEETING_KIND_LABELS,
    STANCE_LABELS,
    ItemResult,
)

from ..actors import Actor
from ..errors import (
    AbsentCannotVote,
    ChairHasSpoken,
    ChairNotLast,
    ItemClosed,
    ItemNotDecidable,
    ItemNotOpen,
    MeetingClosed,
    MeetingNotInSession,
    NotFound,
    NotQuorate,
    ObserverCannotVote,
    PermissionDenied,
    ReasonRequired,
    Recused,
)
from ..models import (
    AgendaItem,
    Meeting,
)
from .facts import (
    ItemFacts,
    Room,
    current_round,
    meeting_quorum,
    presiding_of,
)


def _require_meeting_in_session(meeting: Meeting) -> None:
    if meeting.status == "closed":
        raise MeetingClosed()
    if meeting.status != "in_session":
        raise MeetingNotInSession()


def _require_in_session(room: Room) -> None:
    _require_meeting_in_session(room.meeting)


def _require_meeting_quorum(room: Room) -> None:
    q = meeting_quorum(room)
    if not q.ok:
        raise NotQuorate(
            source=q.source,
            n=q.n,
            present=q.present,
            needed=q.needed,
            fraction=q.fraction.label,
            kind=MEETING_KIND_LABELS.get(room.meeting.kind, room.meeting.kind),
        )


def _require_item_quorum(facts: ItemFacts) -> None:
    q = facts.quorum
    if not q.ok:
        raise ItemNotDecidable(
            source=q.source,
            n=q.n,
            present=q.present,
            needed=q.needed,
            fraction=q.fraction.label,
            category=ITEM_CATEGORY_LABELS.get(facts.item.category, facts.item.category),
        )


def _item_of(s: Session, room: Room, item_id: int) -> AgendaItem:
    item = s.get(AgendaItem, item_id)
    if item is None or item.meeting_id != room.meeting.id:
        raise NotFound(what="议题")
    return item


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied()


def _require_presiding(actor: Actor, room: Room, recused: set[int]) -> int | None:
    """The secretary (on the presiding person's word), or whoever presides over this item from their tablet: the
    chair — unless recused from it, when the acting chair the profile names does (voting/presiding.py). A recused
    chair may not defer, decide or announce the item he left (四（二）5). Returns who presides."""
    presiding = presiding_of(room, recused)
    if actor.is_staff:
        return presiding
    if actor.is_seat and actor.meeting_id in (None, room.meeting.id):
        if actor.person_id in recused:
            raise Recused()
        if actor.person_id == presiding:
            return presiding
    raise PermissionDenied()


def refuse_opinion(
    s: Session,
    refusal: speaking.OpinionRefusal | None,
    facts: speaking.OpinionFacts | speaking.WrittenFacts,
    item: AgendaItem | None,
) -> None:
    """Raise the typed error of an opinion's refusal (voting/speaking.py), if any: one mapping for the single
    and the batch path, and for written opinions."""
    if refusal is None:
        return
    R = speaking.OpinionRefusal
    if refusal == R.ITEM_CONCLUDED:
        raise ItemClosed(result=ITEM_RESULT_LABELS.get(ItemResult(current_round(s, item).result or "deferred")))
    if refusal == R.ABSENT:
        raise AbsentCannotVote(attendance=ATTENDANCE_LABELS.get(facts.attendance, facts.attendance))
    if refusal == R.REASON_REQUIRED:
        raise ReasonRequired(stance=STANCE_LABELS[facts.stance])
    if refusal == R.PRESIDING_NOT_LAST:
        raise ChairNotLast(waiting=facts.waiting)
    raise _PLAIN_REFUSALS[refusal]()


_PLAIN_REFUSALS = {
    speaking.OpinionRefusal.OBSERVER: ObserverCannotVote,
    speaking.OpinionRefusal.NOT_A_MEMBER: PermissionDenied,
    speaking.OpinionRefusal.NO_SUCH_ITEM: functools.partial(NotFound, what="议题"),
    speaking.OpinionRefusal.MEETING_CLOSED: MeetingClosed,
    speaking.OpinionRefusal.MEETING_NOT_IN_SESSION: MeetingNotInSession,
    speaking.OpinionRefusal.ITEM_NOT_OPEN: ItemNotOpen,
    speaking.OpinionRefusal.NO_SEAT: PermissionDenied,
    speaking.OpinionRefusal.RECUSED: Recused,
    speaking.OpinionRefusal.PRESIDING_HAS_SPOKEN: ChairHasSpoken,
}
