"""The loaded facts of a meeting and of one item's round that the room's rules read: who sits, who is present, who
is recused, who presides, what has been said, the tally and the quorum. Reading only; nothing here changes a row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from voting import opinions as opinion_rules
from voting import presiding as presiding_rules
from voting import quorum as quorum_rules
from voting import speaking
from voting.profiles import Profile, load_profile
from voting.vocabulary import (
    PRESENT_STATES,
    DecisionMode,
)

from ..errors import (
    NotFound,
)
from ..models import (
    AgendaItem,
    Body,
    Meeting,
    Opinion,
    Recusal,
    Round,
    Seat,
    WrittenOpinion,
)

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
    # an event told to the room as is, nothing persisted (跟随翻页: ``("page_turned", {...})``, meeting/room/reading.py)
    emit: tuple[str, dict] | None = None


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
        chair_id=room.meeting.chair_person_id,
        seniority_order=[seat.person_id for seat in room.seats],
        present=room.present_ids,
        recused=recused,
        rule=room.profile.presiding_rule,
    )


def chair_recused(s: Session, meeting: Meeting, item_id: int) -> bool:
    return (
        s.exec(
            select(Recusal.id).where(Recusal.item_id == item_id, Recusal.person_id == meeting.chair_person_id)
        ).first()
        is not None
    )


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
        members=room.n,
        recused=recused,
        given=Counter(o.stance for o in opinions),
        written=[(w.person_id, w.stance) for w in written],
        spoke_in_room=spoken,
        profile=room.profile,
    )
    quorum = quorum_rules.item_quorum(room.meeting.kind, item.category, len(eligible), tally.n, room.profile)
    return ItemFacts(
        item, rnd, recused, eligible, spoken, opinions, written, tally.n, quorum, tally, presiding_of(room, recused)
    )


def live_item(s: Session, meeting_id: int) -> AgendaItem | None:
    return s.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).in_(LIVE))
    ).first()
