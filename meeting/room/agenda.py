"""The meeting and its agenda: opening and closing the meeting, one item at a time (一事一议) — opened, opinions
called on it — and the secretary's notes on it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from voting import conclusion
from voting.vocabulary import (
    PREPARATION_STEP_LABELS,
)

from .. import audit
from ..actors import Actor
from ..clock import utcnow
from ..connections import end_after_commit
from ..errors import (
    AnotherItemOpen,
    InvalidState,
    ItemNotOpen,
    ItemsNotConcluded,
    MeetingClosed,
    PreparationIncomplete,
)
from ..models import (
    AgendaItem,
    Recusal,
)
from ..schemas import (
    NotesIn,
)
from ..setup import missing_steps
from .facts import (
    Outcome,
    current_round,
    item_facts,
    live_item,
    load_room,
    meeting_quorum,
    recused_ids,
)
from .guards import (
    _item_of,
    _require_in_session,
    _require_item_quorum,
    _require_meeting_quorum,
    _require_staff,
)
from .recusals import (
    compute_recusals,
)


def open_meeting(s: Session, actor: Actor, meeting_id: int) -> Outcome:
    """Declare the meeting open: only with enough members present (seed 003 §四(二)1)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    if room.meeting.status == "in_session":
        raise InvalidState(detail="会议已经开始。")
    _require_meeting_quorum(room)
    room.meeting.status, room.meeting.opened_at = "in_session", utcnow()
    s.add(room.meeting)
    q = meeting_quorum(room)
    audit.record(s, actor, "meeting.opened", meeting_id, quorum=q.as_dict(), present=sorted(room.present_ids))
    return Outcome(meeting_id, ack={"ok": True})


def close_meeting(s: Session, actor: Actor, meeting_id: int) -> Outcome:
    """Close the meeting. Personal links stop working. Refused while an item is still open, or while one was never
    reached: every item ends decided or deferred (一事一议, seed 003 §四(二)3、4), else minutes cannot be approved."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    live = live_item(s, meeting_id)
    if live:
        raise AnotherItemOpen(title=live.title)
    pending = s.exec(
        select(AgendaItem.title)
        .where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).not_in(conclusion.CONCLUDED))
        .order_by(col(AgendaItem.position))
    ).all()
    if pending:
        raise ItemsNotConcluded(titles="、".join(f"“{t}”" for t in pending))
    room.meeting.status, room.meeting.closed_at = "closed", utcnow()
    s.add(room.meeting)
    audit.record(s, actor, "meeting.closed", meeting_id)
    end_after_commit(s, "meeting", meeting_id)  # tablets, observers and the projector are disconnected at once
    return Outcome(meeting_id, ack={"ok": True})


def open_item(s: Session, actor: Actor, meeting_id: int, item_id: int) -> Outcome:
    """Open an item for presentation and discussion; tablets show it. One item at a time (一事一议)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    _require_in_session(room)
    item = _item_of(s, room, item_id)
    live = live_item(s, meeting_id)
    if live and live.id != item.id:
        raise AnotherItemOpen(title=live.title)
    if item.status != "pending":
        raise InvalidState(detail="该议题不在待审议状态。")
    missing = missing_steps(s, item, room.body.profile)
    if missing:
        raise PreparationIncomplete(
            source=room.profile.preparation_source, steps="、".join(PREPARATION_STEP_LABELS[m] for m in missing)
        )
    _require_meeting_quorum(room)
    existing = recused_ids(s, item.id)
    for g in compute_recusals(s, room, item):
        if g.person_id not in existing:
            s.add(
                Recusal(
                    item_id=item.id,
                    person_id=g.person_id,
                    relation_type=g.relation_type,
                    subject_person_id=g.subject_id,
                    reason=g.reason,
                    source="auto",
                    basis=g.source,
                )
            )
            audit.record(
                s,
                actor,
                "recusal.added",
                meeting_id,
                item_id=item.id,
                person_id=g.person_id,
                relation_type=g.relation_type,
                subject_person_id=g.subject_id,
                reason=g.reason,
                basis=g.source,
                auto=True,
            )
    s.flush()
    facts = item_facts(s, room, item)
    _require_item_quorum(facts)
    item.status = "open"
    s.add(item)
    audit.record(
        s,
        actor,
        "item.opened",
        meeting_id,
        item_id=item.id,
        round=item.round,
        quorum=facts.quorum.as_dict(),
        recused=sorted(facts.recused),
        presided_by=facts.presiding,
    )
    # the recused members' personal blocks name the item they left: their tablets must know at once
    return Outcome(meeting_id, ack={"ok": True}, notify_people=sorted(facts.recused))


def call_opinions(s: Session, actor: Actor, meeting_id: int, item_id: int) -> Outcome:
    """Call for opinions on the open item (逐个发表意见)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    _require_in_session(room)
    item = _item_of(s, room, item_id)
    if item.status != "open":
        raise ItemNotOpen()
    _require_meeting_quorum(room)
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    _require_item_quorum(facts)
    item.status = "voting"
    rnd.called_at = utcnow()
    s.add_all([item, rnd])
    audit.record(
        s, actor, "item.opinions_called", meeting_id, item_id=item.id, round=rnd.number, eligible=sorted(facts.eligible)
    )
    return Outcome(meeting_id, ack={"ok": True})


def set_notes(s: Session, actor: Actor, meeting_id: int, data: NotesIn) -> Outcome:
    """The secretary's working notes on an item (not a structured fact; the minutes' draft starts from them)."""
    _require_staff(actor)
    room = load_room(s, meeting_id)
    item = _item_of(s, room, data.item_id)
    item.notes = data.notes
    s.add(item)
    audit.record(s, actor, "item.notes_set", meeting_id, item_id=item.id, length=len(data.notes))
    return Outcome(meeting_id, ack={"ok": True}, broadcast=None)
