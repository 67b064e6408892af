"""The live room: roll call, opening, one item at a time, opinions (chair last), recusal, written opinions,
deferral, the result, reconsideration. Load → ask voting/ → save, inside the caller's transaction.

Every function raises a typed :mod:`meeting.errors` refusal before it changes anything, and appends an event to
the log together with the change.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from voting import opinions as opinion_rules
from voting import presiding as presiding_rules
from voting import quorum as quorum_rules
from voting import recusal as recusal_rules
from voting import speaking
from voting.profiles import Profile, load_profile, relation_types
from voting.vocabulary import (
    ATTENDANCE_LABELS,
    ITEM_CATEGORY_LABELS,
    ITEM_RESULT_LABELS,
    MEETING_KIND_LABELS,
    PREPARATION_STEP_LABELS,
    PRESENT_STATES,
    STANCE_LABELS,
    Attendance,
    DecisionMode,
    ItemResult,
    Stance,
)

from . import audit
from .actors import Actor
from .clock import as_utc, iso_utc, utcnow
from .connections import end_after_commit
from .errors import (
    AbsentCannotVote,
    AnotherItemOpen,
    ItemsNotConcluded,
    ChairHasSpoken,
    ChairNotLast,
    Conflict,
    HeadReasonRequired,
    InvalidPayload,
    InvalidState,
    ItemClosed,
    ItemNotDecidable,
    ItemNotOpen,
    MeetingClosed,
    MeetingNotInSession,
    NotFound,
    NotPresentForWritten,
    NotQuorate,
    ObserverCannotVote,
    PermissionDenied,
    PreparationIncomplete,
    ReasonRequired,
    ReconsiderRefused,
    Recused,
)
from .models import (
    AgendaItem,
    Body,
    ItemSubject,
    Meeting,
    Opinion,
    OpinionRevision,
    Recusal,
    Relation,
    Round,
    Seat,
    WrittenOpinion,
)
from .schemas import (
    DeferIn,
    HeadDecisionIn,
    NotesIn,
    OpinionIn,
    ReconsiderIn,
    RecusalIn,
    RecusalRemoveIn,
    RollCallIn,
    WrittenOpinionIn,
)
from .setup import get, missing_steps

LIVE = ("open", "voting")


@dataclass
class Outcome:
    """What a service call did: the acknowledgement, and what the room must be told.

    ``broadcast`` is "state" (send every view its new state), "progress" (coalesced opinion progress) or None.
    ``notify_people`` lists members whose personal block changed because someone else acted for them.
    """

    meeting_id: int
    ack: dict = field(default_factory=dict)
    broadcast: str | None = "state"
    notify_people: list[int] = field(default_factory=list)
    opinion: dict | None = None


# ---------------------------------------------------------------- loading


@dataclass
class Room:
    """The loaded facts of one meeting that the rules need."""

    meeting: Meeting
    body: Body
    profile: Profile
    seats: list[Seat]

    @property
    def n(self) -> int:
        """应到会成员: every member of the body, including those on leave; vacant seats are not counted."""
        return len(self.seats)

    @property
    def present_ids(self) -> set[int]:
        return {seat.person_id for seat in self.seats if seat.attendance in PRESENT_STATES}

    @property
    def member_ids(self) -> set[int]:
        return {seat.person_id for seat in self.seats}

    def seat_of(self, person_id: int) -> Seat | None:
        return next((x for x in self.seats if x.person_id == person_id), None)

    @property
    def head_decides(self) -> bool:
        return self.body.decision_mode == DecisionMode.HEAD_DECIDES


def load_room(s: Session, meeting_id: int, *, lock: bool = False) -> Room:
    q = select(Meeting).where(Meeting.id == meeting_id)
    if lock:
        q = q.with_for_update()
    meeting = s.exec(q).first()
    if meeting is None:
        raise NotFound(what="会议")
    body = s.get(Body, meeting.body_id)
    seats = list(s.exec(select(Seat).where(Seat.meeting_id == meeting_id).order_by(col(Seat.seniority))).all())
    return Room(meeting, body, load_profile(body.profile), seats)


def meeting_quorum(room: Room) -> quorum_rules.QuorumCheck:
    return quorum_rules.meeting_quorum(room.meeting.kind, len(room.present_ids), room.n, room.profile)


def recused_ids(s: Session, item_id: int) -> set[int]:
    return set(s.exec(select(Recusal.person_id).where(Recusal.item_id == item_id)).all())


def presiding_of(room: Room, recused: set[int]) -> int | None:
    """Who presides over an item with these recusals: the chair, or the acting chair the profile names when the
    chair is recused from it (voting/presiding.py); None when nobody present may."""
    return presiding_rules.presiding_person(
        chair_id=room.meeting.chair_person_id, seniority_order=[seat.person_id for seat in room.seats],
        present=room.present_ids, recused=recused, rule=room.profile.presiding_rule)


def chair_recused(s: Session, meeting: Meeting, item_id: int) -> bool:
    return s.exec(select(Recusal.id).where(Recusal.item_id == item_id,
                                           Recusal.person_id == meeting.chair_person_id)).first() is not None


def current_round(s: Session, item: AgendaItem, *, lock: bool = False) -> Round:
    q = select(Round).where(Round.item_id == item.id, Round.number == item.round)
    if lock:
        q = q.with_for_update()
    return s.exec(q).one()


@dataclass
class ItemFacts:
    """Everything the rules need about one item's current round."""

    item: AgendaItem
    round: Round
    recused: set[int]
    eligible: set[int]
    spoken: list[int]  # in the order given
    opinions: list[Opinion]
    written: list[WrittenOpinion]
    n_item: int
    quorum: quorum_rules.QuorumCheck
    tally: opinion_rules.Tally
    presiding: int | None = None  # the chair, or the acting chair when the chair is recused from the item

    @property
    def outstanding(self) -> int:
        return len(self.eligible - set(self.spoken))

    def as_progress(self, chair_id: int | None = None, *, full: bool = True) -> dict:
        """The counts. The chair-last rule applies to whoever presides over the item (``chair_id`` defaults to
        :attr:`presiding`). ``can_still_pass`` foretells the result: only the full view carries it."""
        chair_id = self.presiding if chair_id is None else chair_id
        counts = speaking.round_counts_of(presiding=chair_id, eligible=self.eligible, spoken=self.spoken)
        out = {
            "item_id": self.item.id,
            "round": self.round.number,
            "spoken": counts.spoken,
            "eligible": counts.eligible,
            "waiting": counts.waiting,
            "chair_may_speak": counts.presiding_may_speak,
            "chair_has_spoken": self.round.chair_spoke_at is not None,
        }
        if full:
            out["can_still_pass"] = opinion_rules.can_still_pass(self.tally, counts.outstanding)
        return out


def item_facts(s: Session, room: Room, item: AgendaItem, rnd: Round | None = None) -> ItemFacts:
    rnd = rnd or current_round(s, item)
    recused = recused_ids(s, item.id)
    eligible = room.present_ids - recused
    opinions = list(
        s.exec(
            select(Opinion)
            .where(Opinion.item_id == item.id, Opinion.round_number == rnd.number)
            .order_by(col(Opinion.id))
        ).all()
    )
    written = list(
        s.exec(
            select(WrittenOpinion)
            .where(WrittenOpinion.item_id == item.id, WrittenOpinion.round_number == rnd.number)
            .order_by(col(WrittenOpinion.id))
        ).all()
    )
    spoken = [o.person_id for o in opinions]
    tally = opinion_rules.round_tally(
        members=room.n, recused=recused, given=Counter(o.stance for o in opinions),
        written=[(w.person_id, w.stance) for w in written], spoke_in_room=spoken, profile=room.profile)
    quorum = quorum_rules.item_quorum(room.meeting.kind, item.category, len(eligible), tally.n, room.profile)
    return ItemFacts(item, rnd, recused, eligible, spoken, opinions, written, tally.n, quorum, tally,
                     presiding_of(room, recused))


def live_item(s: Session, meeting_id: int) -> AgendaItem | None:
    return s.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).in_(LIVE))
    ).first()


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
        raise NotQuorate(source=q.source, n=q.n, present=q.present, needed=q.needed, fraction=q.fraction.label,
                         kind=MEETING_KIND_LABELS.get(room.meeting.kind, room.meeting.kind))


def _require_item_quorum(facts: ItemFacts) -> None:
    q = facts.quorum
    if not q.ok:
        raise ItemNotDecidable(source=q.source, n=q.n, present=q.present, needed=q.needed,
                               fraction=q.fraction.label,
                               category=ITEM_CATEGORY_LABELS.get(facts.item.category, facts.item.category))


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


# ---------------------------------------------------------------- attendance


def roll_call(s: Session, actor: Actor, meeting_id: int, data: RollCallIn) -> Outcome:
    """Record present / late / absent (with reason) / left early, with times."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    seat = room.seat_of(data.person_id)
    if seat is None:
        raise NotFound(what="该成员")
    if data.attendance == Attendance.ABSENT and not data.reason:
        raise InvalidPayload(detail="请假须注明事由")
    _set_attendance(room.meeting, seat, data.attendance, data.reason)
    s.add(seat)
    audit.record(s, actor, "attendance.set", meeting_id, person_id=seat.person_id,
                 attendance=seat.attendance, reason=data.reason)
    return Outcome(meeting_id, ack={"ok": True, "attendance": seat.attendance}, notify_people=[seat.person_id])


def _set_attendance(meeting: Meeting, seat: Seat, attendance: str, reason: str = "") -> None:
    now = utcnow()
    if attendance in (Attendance.PRESENT, Attendance.LATE):
        # arriving after the meeting opened is "late" whatever was asked
        if meeting.status == "in_session" and seat.attendance not in PRESENT_STATES:
            attendance = Attendance.LATE if seat.arrived_at is None else attendance
        if seat.attendance not in PRESENT_STATES:
            seat.arrived_at = seat.arrived_at or now
        seat.left_at = None
        seat.absence_reason = ""
    elif attendance == Attendance.LEFT:
        if seat.attendance not in PRESENT_STATES:
            raise InvalidState(detail="该成员未在会场，不能登记离席。")
        seat.left_at = now
        seat.absence_reason = reason
    elif attendance == Attendance.ABSENT:
        seat.absence_reason = reason
        seat.arrived_at = None
    else:  # expected
        seat.arrived_at = None
        seat.absence_reason = ""
    seat.attendance = attendance


def check_in(s: Session, actor: Actor) -> Outcome:
    """A member checks in from their own tablet (签到). Only the member's own seat is read, so 3,000 tablets
    checking in (again after every reconnect) stay linear."""
    if not actor.is_seat:
        raise PermissionDenied()
    meeting = s.exec(select(Meeting).where(Meeting.id == actor.meeting_id).with_for_update()).first()
    if meeting is None:
        raise NotFound(what="会议")
    if meeting.status == "closed":
        raise MeetingClosed()
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting.id, Seat.person_id == actor.person_id)).first()
    if seat is None:
        raise PermissionDenied()
    if seat.attendance in PRESENT_STATES:
        return Outcome(meeting.id, ack={"ok": True, "attendance": seat.attendance}, broadcast=None)
    target = Attendance.LATE if meeting.status == "in_session" else Attendance.PRESENT
    _set_attendance(meeting, seat, target)
    s.add(seat)
    audit.record(s, actor, "attendance.check_in", meeting.id, person_id=seat.person_id,
                 attendance=seat.attendance)
    return Outcome(meeting.id, ack={"ok": True, "attendance": seat.attendance}, notify_people=[seat.person_id])


# ---------------------------------------------------------------- the meeting


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
    audit.record(s, actor, "meeting.opened", meeting_id, quorum=q.as_dict(),
                 present=sorted(room.present_ids))
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
    pending = s.exec(select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id,
                                                    col(AgendaItem.status).not_in(("closed", "deferred")))
                     .order_by(col(AgendaItem.position))).all()
    if pending:
        raise ItemsNotConcluded(titles="、".join(f"“{t}”" for t in pending))
    room.meeting.status, room.meeting.closed_at = "closed", utcnow()
    s.add(room.meeting)
    audit.record(s, actor, "meeting.closed", meeting_id)
    end_after_commit(s, "meeting", meeting_id)  # tablets, observers and the projector are disconnected at once
    return Outcome(meeting_id, ack={"ok": True})


# ---------------------------------------------------------------- one item at a time


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
        raise PreparationIncomplete(source=room.profile.preparation_source,
                                    steps="、".join(PREPARATION_STEP_LABELS[m] for m in missing))
    _require_meeting_quorum(room)
    existing = recused_ids(s, item.id)
    for g in compute_recusals(s, room, item):
        if g.person_id not in existing:
            s.add(Recusal(item_id=item.id, person_id=g.person_id, relation_type=g.relation_type,
                          subject_person_id=g.subject_id, reason=g.reason, source="auto", basis=g.source))
            audit.record(s, actor, "recusal.added", meeting_id, item_id=item.id, person_id=g.person_id,
                         relation_type=g.relation_type, subject_person_id=g.subject_id, reason=g.reason,
                         basis=g.source, auto=True)
    s.flush()
    facts = item_facts(s, room, item)
    _require_item_quorum(facts)
    item.status = "open"
    s.add(item)
    audit.record(s, actor, "item.opened", meeting_id, item_id=item.id, round=item.round,
                 quorum=facts.quorum.as_dict(), recused=sorted(facts.recused), presided_by=facts.presiding)
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
    audit.record(s, actor, "item.opinions_called", meeting_id, item_id=item.id, round=rnd.number,
                 eligible=sorted(facts.eligible))
    return Outcome(meeting_id, ack={"ok": True})


def refuse_opinion(s: Session, refusal: speaking.OpinionRefusal | None, facts: speaking.OpinionFacts,
                   item: AgendaItem | None) -> None:
    """Raise the typed error of an opinion's refusal (voting/speaking.py), if any: one mapping for the single
    and the batch path."""
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


def _opinion_ack(op: Opinion, item: AgendaItem, duplicate: bool) -> dict:
    return {
        "ok": True,
        "duplicate": duplicate,
        "opinion": {
            "item_id": item.id, "round": op.round_number, "person_id": op.person_id, "stance": op.stance,
            "stance_label": STANCE_LABELS[Stance(op.stance)], "reason": op.reason, "version": op.version,
            "is_chair": op.is_chair, "at": iso_utc(op.updated_at),
        },
    }


def give_opinion(s: Session, actor: Actor, data: OpinionIn) -> Outcome:
    """A present, non-recused member states 同意 / 不同意 / 缓议 with a reason; the chair last.

    Persisted before it is acknowledged. A resend with the same ``client_id`` returns the original
    acknowledgement and counts nothing twice; a new ``client_id`` from the same member corrects the opinion
    (until the chair has spoken) and every version stays in the record.
    """
    # A resend is recognised before anything else: the first send was persisted and acknowledged.
    prior = s.exec(select(OpinionRevision).where(OpinionRevision.client_id == data.client_id)).first()
    if prior is not None:
        op = s.get(Opinion, prior.opinion_id)
        if op.person_id != actor.person_id:
            raise InvalidPayload(detail="client_id 已被使用")
        item = s.get(AgendaItem, op.item_id)
        return Outcome(item.meeting_id, ack=_opinion_ack(op, item, duplicate=True), broadcast=None)

    # One vote touches only the voter's own rows, so a 3,000-seat burst stays linear; only the presiding member's
    # statement needs the whole room (who is eligible, who has spoken). The rule itself: voting/speaking.py.
    meeting = s.get(Meeting, actor.meeting_id) if actor.is_seat else None
    item = s.get(AgendaItem, data.item_id) if meeting is not None else None
    found = item is not None and item.meeting_id == meeting.id
    facts = speaking.OpinionFacts(
        observer=actor.kind == "observer", member=actor.is_seat, item_found=found,
        meeting_status=meeting.status if found else "", item_status=item.status if found else "",
        current_round=found and data.round == item.round, stance=data.stance, reason=data.reason)
    refuse_opinion(s, speaking.item_refusal(facts), facts, item)
    rnd = current_round(s, item, lock=True)  # serialises the chair-last check across workers
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting.id, Seat.person_id == actor.person_id)).first()
    recused = s.exec(select(Recusal.id).where(Recusal.item_id == item.id,
                                              Recusal.person_id == actor.person_id)).first() is not None
    is_chair = actor.person_id == meeting.chair_person_id
    room_facts = None
    if not is_chair and chair_recused(s, meeting, item.id):
        # the chair left this item: the acting chair presides over it and speaks last in his place (四（二）2、5)
        room_facts = item_facts(s, load_room(s, meeting.id), item, rnd)
        is_chair = actor.person_id == room_facts.presiding
    waiting = 0
    if is_chair:
        room_facts = room_facts or item_facts(s, load_room(s, meeting.id), item, rnd)
        waiting = speaking.round_counts_of(presiding=actor.person_id, eligible=room_facts.eligible,
                                           spoken=room_facts.spoken).waiting
    facts = dataclasses.replace(facts, attendance=None if seat is None else seat.attendance, recused=recused,
                                presides=is_chair, waiting=waiting, presiding_has_spoken=rnd.chair_spoke_at is not None)
    refuse_opinion(s, speaking.speaker_refusal(facts), facts, item)
    if is_chair:
        op = next((o for o in room_facts.opinions if o.person_id == actor.person_id), None)
    else:  # present and not recused, checked above: the voter is eligible
        op = s.exec(select(Opinion).where(Opinion.item_id == item.id, Opinion.round_number == rnd.number,
                                          Opinion.person_id == actor.person_id)).first()

    now = utcnow()
    if op is None:
        op = Opinion(item_id=item.id, round_number=rnd.number, person_id=actor.person_id, stance=data.stance,
                     reason=data.reason, is_chair=is_chair, given_at=now, updated_at=now)
    else:
        op.stance, op.reason, op.version, op.updated_at = data.stance, data.reason, op.version + 1, now
    s.add(op)
    try:
        s.flush()
    except IntegrityError:  # the same member from two devices at once: the database keeps one
        raise Conflict(detail="您的意见正在从另一台设备提交，请稍候刷新。") from None
    s.add(OpinionRevision(opinion_id=op.id, version=op.version, stance=op.stance, reason=op.reason,
                          client_id=data.client_id, device=actor.device[:200], at=now))
    if is_chair and rnd.chair_spoke_at is None:
        rnd.chair_spoke_at = now
        s.add(rnd)
    audit.record(s, actor, "opinion.given" if op.version == 1 else "opinion.corrected", meeting.id,
                 item_id=item.id, round=rnd.number, person_id=actor.person_id, stance=op.stance,
                 reason=op.reason, version=op.version, is_chair=is_chair, client_id=data.client_id)
    ack = _opinion_ack(op, item, duplicate=False)
    # the chair's statement changes what the room may do next: send everyone the new state
    return Outcome(meeting.id, ack=ack, broadcast="state" if is_chair else "progress", opinion=ack["opinion"])


def _recusal_grounds_now(s: Session, room: Room, item: AgendaItem) -> set[int]:
    """Recused persons for an item: stored ones, plus computed ones for an item not yet opened."""
    ids = recused_ids(s, item.id)
    if item.status == "pending":
        ids |= {g.person_id for g in compute_recusals(s, room, item)}
    return ids


def written_opinion(s: Session, actor: Actor, meeting_id: int, data: WrittenOpinionIn) -> Outcome:
    """书面意见 of an absent member: entered by the secretary, or sent through the member's own link, before the
    item closes (seed 003 §四(二)2). Recorded and shown; counted only if the profile says so.
    """
    if actor.kind == "observer":
        raise ObserverCannotVote()
    if data.client_id:
        prior = s.exec(select(WrittenOpinion).where(WrittenOpinion.client_id == data.client_id)).first()
        if prior is not None:
            if prior.person_id != (data.person_id or actor.person_id):
                raise InvalidPayload(detail="client_id 已被使用")
            return Outcome(meeting_id, ack={"ok": True, "duplicate": True, "written_opinion_id": prior.id},
                           broadcast=None)
    if actor.is_staff:
        if data.person_id is None:
            raise InvalidPayload(detail="person_id: 请选择提交书面意见的成员")
        person_id, submitted_by = data.person_id, "secretary"
    elif actor.is_seat:
        if data.person_id not in (None, actor.person_id):
            raise PermissionDenied()
        person_id, submitted_by = actor.person_id, "self"
    else:
        raise PermissionDenied()
    room = load_room(s, meeting_id)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    item = _item_of(s, room, data.item_id)
    if item.status in ("closed", "deferred"):
        raise ItemClosed(result=ITEM_RESULT_LABELS.get(ItemResult(current_round(s, item).result or "deferred")))
    seat = room.seat_of(person_id)
    if seat is None:
        raise NotFound(what="该成员")
    if seat.attendance in PRESENT_STATES:
        raise NotPresentForWritten()
    if person_id in _recusal_grounds_now(s, room, item):
        raise Recused()
    if opinion_rules.reason_required(data.stance) and not data.reason:
        raise ReasonRequired(stance=STANCE_LABELS[data.stance])
    existing = s.exec(select(WrittenOpinion).where(
        WrittenOpinion.item_id == item.id, WrittenOpinion.round_number == item.round,
        WrittenOpinion.person_id == person_id)).first()
    if existing is not None:
        raise Conflict(detail="该成员对本议题已有书面意见。")
    w = WrittenOpinion(item_id=item.id, round_number=item.round, person_id=person_id, stance=data.stance,
                       reason=data.reason, submitted_by=submitted_by, client_id=data.client_id)
    s.add(w)
    s.flush()
    audit.record(s, actor, "written_opinion.recorded", meeting_id, item_id=item.id, round=item.round,
                 person_id=person_id, stance=data.stance, reason=data.reason, submitted_by=submitted_by,
                 counted=room.profile.count_written_opinions)
    return Outcome(meeting_id, ack={"ok": True, "duplicate": False, "written_opinion_id": w.id},
                   notify_people=[person_id])


def attach_written_scan(s: Session, actor: Actor, written_id: int, material_id: int) -> None:
    w = get(s, WrittenOpinion, written_id, "书面意见")
    w.material_id = material_id
    s.add(w)
    item = s.get(AgendaItem, w.item_id)
    audit.record(s, actor, "written_opinion.scan_attached", item.meeting_id, written_opinion_id=w.id,
                 material_id=material_id)


# ---------------------------------------------------------------- recusal by hand


def add_recusal(s: Session, actor: Actor, meeting_id: int, data: RecusalIn) -> Outcome:
    """The secretary adds a recusal with a reason (公务员法 第76条(三): 其他可能影响公正的)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    item = _item_of(s, room, data.item_id)
    if item.status in ("closed", "deferred"):
        raise InvalidState(detail="议题已结束，不能再登记回避。")
    if room.seat_of(data.person_id) is None:
        raise NotFound(what="该成员")
    if data.person_id in recused_ids(s, item.id):
        raise Conflict(detail="该成员已登记回避。")
    spoke = s.exec(select(Opinion).where(Opinion.item_id == item.id, Opinion.round_number == item.round,
                                         Opinion.person_id == data.person_id)).first()
    if spoke is not None:
        raise InvalidState(detail="该成员已在本轮发表意见；应回避的须在发表意见前登记，必要时请提请复议。")
    s.add(Recusal(item_id=item.id, person_id=data.person_id, relation_type="OTHER", reason=data.reason,
                  source="manual", basis=relation_types()["OTHER"].source))
    audit.record(s, actor, "recusal.added", meeting_id, item_id=item.id, person_id=data.person_id,
                 relation_type="OTHER", reason=data.reason, auto=False)
    return Outcome(meeting_id, ack={"ok": True}, notify_people=[data.person_id])


def remove_recusal(s: Session, actor: Actor, meeting_id: int, data: RecusalRemoveIn) -> Outcome:
    """Only a recusal added by hand can be withdrawn; one the relations require cannot (公务员法 第74条)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    item = _item_of(s, room, data.item_id)
    if item.status in ("closed", "deferred"):
        raise InvalidState(detail="议题已结束，不能再更改回避。")
    rec = s.exec(select(Recusal).where(Recusal.item_id == item.id, Recusal.person_id == data.person_id)).first()
    if rec is None:
        raise NotFound(what="该回避记录")
    if rec.source != "manual":
        raise InvalidState(detail="依亲属关系须回避的不能撤销（公务员法 第74条）；如关系登记有误，请更正关系后重新审议。")
    s.delete(rec)
    audit.record(s, actor, "recusal.removed", meeting_id, item_id=item.id, person_id=data.person_id)
    return Outcome(meeting_id, ack={"ok": True}, notify_people=[data.person_id])


# ---------------------------------------------------------------- the result


def _close_round(s: Session, room: Room, item: AgendaItem, rnd: Round, facts: ItemFacts, result: ItemResult) -> None:
    rnd.result, rnd.closed_at = result, utcnow()
    rnd.tally_json = json.dumps(
        facts.tally.as_dict() | {"quorum": facts.quorum.as_dict(), "recused": sorted(facts.recused),
                                 "eligible": sorted(facts.eligible),
                                 # who presided over the item: the minutes read it from here (四（二）5)
                                 "presided_by": facts.presiding, "chair_person_id": room.meeting.chair_person_id,
                                 "chair_recused": room.meeting.chair_person_id in facts.recused
                                 or facts.presiding != room.meeting.chair_person_id},
        ensure_ascii=False,
    )
    item.status = "deferred" if result == ItemResult.DEFERRED else "closed"
    s.add_all([rnd, item])


def _require_all_spoken(room: Room, facts: ItemFacts) -> None:
    chair_id = facts.presiding  # the chair, or the acting chair of an item the chair is recused from
    spoke_at = facts.round.chair_spoke_at
    joined_after_chair = {
        seat.person_id for seat in room.seats
        if spoke_at is not None and seat.arrived_at is not None and as_utc(seat.arrived_at) > as_utc(spoke_at)
    }
    waiting = opinion_rules.awaited(chair_id=chair_id, eligible=facts.eligible, spoken=facts.spoken,
                                    joined_after_chair=joined_after_chair) - {chair_id}
    source = "seed 003 §四(二)2；国务院令第713号 第30条"
    if waiting:
        raise InvalidState(detail=f"尚有{len(waiting)}名成员未发表意见，不能宣布结果。", source=source)
    if chair_id in facts.eligible and chair_id not in facts.spoken:
        raise InvalidState(detail="主持人尚未最后发表意见，不能宣布结果。", source=source)


def close_item(s: Session, actor: Actor, meeting_id: int, item_id: int) -> Outcome:
    """Majority mode: the tally decides — passed when 2·yes > N (seed 003 §四(二)3)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    _require_in_session(room)
    item = _item_of(s, room, item_id)
    if item.status != "voting":
        raise ItemNotOpen()
    if room.head_decides:
        raise InvalidState(detail="本领导班子实行行政首长负责制：由主持人在集体讨论基础上作出决定（国务院令第713号 第30条）。")
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    _require_all_spoken(room, facts)
    _require_meeting_quorum(room)
    _require_item_quorum(facts)
    result = opinion_rules.majority_result(facts.tally)
    _close_round(s, room, item, rnd, facts, result)
    audit.record(s, actor, "item.closed", meeting_id, item_id=item.id, round=rnd.number, result=result,
                 tally=facts.tally.as_dict(), presided_by=facts.presiding)
    return Outcome(meeting_id, ack={"ok": True, "result": result, "tally": facts.tally.as_dict()})


def head_decide(s: Session, actor: Actor, meeting_id: int, data: HeadDecisionIn) -> Outcome:
    """head_decides mode: after collective discussion the head decides; the majority view is recorded, and a
    decision against it needs reasons stated in the meeting (地方组织法 第6、78条; 国务院令第713号 第30条)."""
    room = load_room(s, meeting_id, lock=True)
    if not (actor.is_staff or actor.is_seat):
        raise PermissionDenied()
    item = _item_of(s, room, data.item_id)
    _require_presiding(actor, room, recused_ids(s, item.id))
    _require_in_session(room)
    if not room.head_decides:
        raise InvalidState(detail="本领导班子按少数服从多数表决，结果由表决确定。")
    if item.status != "voting":
        raise ItemNotOpen()
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    _require_all_spoken(room, facts)
    _require_meeting_quorum(room)
    _require_item_quorum(facts)
    against = opinion_rules.head_against_majority(data.adopt, facts.tally)
    if against and not data.reason:
        raise HeadReasonRequired()
    result = opinion_rules.head_decision_result(data.adopt)
    rnd.head_adopt, rnd.head_reason = data.adopt, data.reason
    _close_round(s, room, item, rnd, facts, result)
    audit.record(s, actor, "item.head_decided", meeting_id, item_id=item.id, round=rnd.number, result=result,
                 adopt=data.adopt, reason=data.reason, against_majority=against, tally=facts.tally.as_dict(),
                 presided_by=facts.presiding)
    return Outcome(meeting_id, ack={"ok": True, "result": result, "against_majority": against,
                                    "tally": facts.tally.as_dict()})


def defer_item(s: Session, actor: Actor, meeting_id: int, data: DeferIn) -> Outcome:
    """The chair defers (暂缓决策) an unclear or split item at any point before the result (seed 003 §四(二)3) —
    also one not yet opened. The secretary may record it on the chair's word; the reason is kept."""
    room = load_room(s, meeting_id, lock=True)
    if not (actor.is_staff or actor.is_seat):
        raise PermissionDenied()
    item = _item_of(s, room, data.item_id)
    presiding = _require_presiding(actor, room, _recusal_grounds_now(s, room, item))
    _require_in_session(room)
    if item.status not in (*LIVE, "pending"):
        raise InvalidState(detail="该议题已作出决定或已暂缓，不能再暂缓。")
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    facts.presiding = presiding  # a pending item's recusals are computed, not yet stored
    rnd.defer_reason = data.reason
    _close_round(s, room, item, rnd, facts, ItemResult.DEFERRED)
    audit.record(s, actor, "item.deferred", meeting_id, item_id=item.id, round=rnd.number, reason=data.reason,
                 presided_by=facts.presiding)
    return Outcome(meeting_id, ack={"ok": True, "result": ItemResult.DEFERRED})


def reconsider(s: Session, actor: Actor, meeting_id: int, data: ReconsiderIn) -> Outcome:
    """复议: reopen a decided item when more than half of all members agree; a new round opens and earlier
    rounds stay in the record (党政领导干部选拔任用工作条例)."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    _require_in_session(room)
    item = _item_of(s, room, data.item_id)
    if item.status != "closed":
        raise InvalidState(detail="只有已作出决定的议题才能复议。")
    live = live_item(s, meeting_id)
    if live:
        raise AnotherItemOpen(title=live.title)
    agreeing = set(data.agreeing_person_ids)
    if not agreeing <= room.member_ids:
        raise InvalidPayload(detail="同意复议的须为本领导班子成员")
    if not opinion_rules.may_reconsider(len(agreeing), room.n, room.profile):
        raise ReconsiderRefused(n=room.n, agreeing=len(agreeing), needed=room.profile.reconsideration.needed(room.n))
    old = current_round(s, item, lock=True)
    old.reconsider_reason = data.reason
    old.reconsider_agreeing_json = json.dumps(sorted(agreeing))
    item.round += 1
    item.status = "open"
    s.add_all([old, item, Round(item_id=item.id, number=item.round)])
    audit.record(s, actor, "item.reconsidered", meeting_id, item_id=item.id, new_round=item.round,
                 agreeing=sorted(agreeing), reason=data.reason)
    return Outcome(meeting_id, ack={"ok": True, "round": item.round})


def set_notes(s: Session, actor: Actor, meeting_id: int, data: NotesIn) -> Outcome:
    """The secretary's working notes on an item (not a structured fact; the minutes' draft starts from them)."""
    _require_staff(actor)
    room = load_room(s, meeting_id)
    item = _item_of(s, room, data.item_id)
    item.notes = data.notes
    s.add(item)
    audit.record(s, actor, "item.notes_set", meeting_id, item_id=item.id, length=len(data.notes))
    return Outcome(meeting_id, ack={"ok": True}, broadcast=None)
