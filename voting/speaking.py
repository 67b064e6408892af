"""May this member give (or correct) an opinion now, and how far is the round: the rule written once.

A member's opinion goes through two paths — one at a time (``meeting.room.give_opinion``) and in a burst
(``meeting.intake.give_opinions``) — and the room's counts are read three ways (the loaded round, the database's
aggregates for the frequent progress update, and the batch). Each path gathers its facts as it can afford (rows
read once for a whole batch, or a database's ``COUNT``), then asks the same functions here, so the answers and
the order in which refusals win cannot drift apart.

The sources:

- 《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）2: 参会人员要对决策事项逐一
  发表意见，明确表示同意、不同意或缓议的意见并说明理由。会议主持人应当最后发表意见。因故不能参加会议的班子成员
  可以通过书面形式表达本人意见。
- the same, 四（二）5, and 《中华人民共和国公务员法》第七十六条: a member recused from an item leaves it — no
  opinion on it.
- 《重大行政决策程序暂行条例》（国务院令第713号）第三十条: the head decides on the basis of the collective discussion,
  having heard everyone: the one who presides speaks last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .conclusion import CONCLUDED
from .opinions import REASON_REQUIRED, waiting_count
from .vocabulary import PRESENT_STATES

MEETING_IN_SESSION = "in_session"
MEETING_CLOSED = "closed"
ITEM_TAKING_OPINIONS = "voting"  # opinions were called on the item (逐个发表意见)
ITEM_CONCLUDED = CONCLUDED  # decided, deferred or withdrawn (voting/conclusion.py)


class OpinionRefusal(StrEnum):
    """Why an opinion is refused, in the order the checks are made: the first that applies wins.
    The meeting layer maps each to its typed error (``meeting.errors``)."""

    OBSERVER = "observer"  # an observer watches; he has no voice
    NOT_A_MEMBER = "not_a_member"  # not speaking from a member's tablet
    NO_SUCH_ITEM = "no_such_item"  # no such item in the member's meeting
    MEETING_CLOSED = "meeting_closed"
    MEETING_NOT_IN_SESSION = "meeting_not_in_session"
    ITEM_CONCLUDED = "item_concluded"  # decided or deferred
    ITEM_NOT_OPEN = "item_not_open"  # opinions not called on it, or an earlier round
    NO_SEAT = "no_seat"  # no seat in this meeting
    RECUSED = "recused"  # 四（二）5
    ABSENT = "absent"  # only members in the room speak; an absent one may send a written opinion (四（二）2)
    REASON_REQUIRED = "reason_required"  # 不同意 and 缓议 state a reason (四（二）2 说明理由)
    PRESIDING_NOT_LAST = "presiding_not_last"  # whoever presides speaks last (四（二）2; 713号 第三十条)
    PRESIDING_HAS_SPOKEN = "presiding_has_spoken"  # the others' opinions are final once he has spoken
    IN_THE_ROOM = "in_the_room"  # a written opinion is for a member who cannot attend; one present speaks


@dataclass(frozen=True, slots=True)
class OpinionFacts:
    """What the rule needs to know about one opinion, as plain values (no database).

    ``attendance`` is the member's seat's in this meeting, None when he has none. ``presides``: the member
    presides over the item — the chair, or the acting chair of an item the chair is recused from
    (voting/presiding.py). ``waiting``: how many other eligible members have not spoken yet; read only when he
    presides (a path that cannot afford to count the room sends the presiding member's opinion down the path that
    can). ``presiding_has_spoken``: whoever presides has spoken in this round.
    """

    observer: bool = False
    member: bool = True
    item_found: bool = True
    meeting_status: str = MEETING_IN_SESSION
    item_status: str = ITEM_TAKING_OPINIONS
    current_round: bool = True  # the opinion is for the item's current round
    attendance: str | None = "present"
    recused: bool = False
    stance: str = "agree"
    reason: str = ""
    presides: bool = False
    waiting: int = 0
    presiding_has_spoken: bool = False


def opinion_refusal(f: OpinionFacts) -> OpinionRefusal | None:
    """Why this opinion may not be given now, or None when it may. The checks, in this order:

    1. who speaks: an observer has no voice; only a member's own tablet speaks for him;
    2. on what: an item of his meeting, the meeting in session, the item not concluded, opinions called on it,
       the current round;
    3. who may: a member with a seat here, not recused from the item (四（二）5; 公务员法 第七十六条), in the room —
       an absent member may send a written opinion instead (四（二）2);
    4. what: 不同意 and 缓议 with a reason (四（二）2 说明理由);
    5. when: whoever presides speaks last, once every other eligible member has spoken (四（二）2; 713号 第三十条);
       after he has spoken the others' opinions are final, his own he may still correct until the result.
    """
    return item_refusal(f) or speaker_refusal(f)


def item_refusal(f: OpinionFacts) -> OpinionRefusal | None:
    """Steps 1–2 of :func:`opinion_refusal` alone: is this a member's opinion on an item taking opinions? A path
    asks it before it reads the member's seat and the round (the batch: before it reads them once per item)."""
    if f.observer:
        return OpinionRefusal.OBSERVER
    if not f.member:
        return OpinionRefusal.NOT_A_MEMBER
    if not f.item_found:
        return OpinionRefusal.NO_SUCH_ITEM
    if f.meeting_status == MEETING_CLOSED:
        return OpinionRefusal.MEETING_CLOSED
    if f.meeting_status != MEETING_IN_SESSION:
        return OpinionRefusal.MEETING_NOT_IN_SESSION
    if f.item_status in ITEM_CONCLUDED:
        return OpinionRefusal.ITEM_CONCLUDED
    if f.item_status != ITEM_TAKING_OPINIONS or not f.current_round:
        return OpinionRefusal.ITEM_NOT_OPEN
    return None


def speaker_refusal(f: OpinionFacts) -> OpinionRefusal | None:
    """Steps 3–5 of :func:`opinion_refusal` alone: may this member speak on an item taking opinions?"""
    if f.attendance is None:
        return OpinionRefusal.NO_SEAT
    if f.recused:
        return OpinionRefusal.RECUSED
    if f.attendance not in PRESENT_STATES:
        return OpinionRefusal.ABSENT
    if not f.reason and f.stance in REASON_REQUIRED:  # a validated stance (the schema's)
        return OpinionRefusal.REASON_REQUIRED
    if f.presides:
        return OpinionRefusal.PRESIDING_NOT_LAST if f.waiting else None
    if f.presiding_has_spoken:
        return OpinionRefusal.PRESIDING_HAS_SPOKEN
    return None


@dataclass(frozen=True, slots=True)
class WrittenFacts:
    """What the rule needs to know about an absent member's written opinion (书面意见), as plain values.
    ``attendance``: the member's seat's in this meeting, None when he has none."""

    item_status: str = ITEM_TAKING_OPINIONS
    attendance: str | None = "absent"
    recused: bool = False
    stance: str = "agree"
    reason: str = ""


def written_refusal(f: WrittenFacts) -> OpinionRefusal | None:
    """Why this written opinion may not be recorded, or None. In this order: the item not yet concluded (it may
    be sent before the item is opened); a member with a seat here; not in the room — 因故不能参加会议的班子成员可以
    通过书面形式表达本人意见 (四（二）2); not recused from the item (四（二）5); 不同意 and 缓议 with a reason."""
    if f.item_status in ITEM_CONCLUDED:
        return OpinionRefusal.ITEM_CONCLUDED
    if f.attendance is None:
        return OpinionRefusal.NO_SEAT
    if f.attendance in PRESENT_STATES:
        return OpinionRefusal.IN_THE_ROOM
    if f.recused:
        return OpinionRefusal.RECUSED
    if not f.reason and f.stance in REASON_REQUIRED:
        return OpinionRefusal.REASON_REQUIRED
    return None


@dataclass(frozen=True, slots=True)
class RoundCounts:
    """How far the round of opinions is: the counts every screen may be shown (no names, no stances)."""

    eligible: int  # present members not recused from the item
    spoken: int  # of them, those who have spoken in this round
    waiting: int  # of them, those the presiding member still waits for (not he himself)
    presiding_may_speak: bool  # he is eligible and waits for no one

    @property
    def outstanding(self) -> int:
        """Eligible members who have not spoken, the presiding member among them if he has not."""
        return self.eligible - self.spoken


def round_counts(*, eligible: int, spoken: int, presiding_eligible: bool, presiding_spoken: bool) -> RoundCounts:
    """The counts from counts (a database's aggregates): ``eligible`` members, ``spoken`` of them have spoken;
    the presiding member among the eligible when ``presiding_eligible``, among those who spoke when
    ``presiding_spoken``. Eligible: present and not recused (四（二）2、5); he waits for the others (四（二）2)."""
    waiting = waiting_count(
        eligible=eligible, spoken=spoken, chair_eligible=presiding_eligible, chair_spoken=presiding_spoken
    )
    return RoundCounts(eligible, spoken, waiting, presiding_eligible and not waiting)


def round_counts_of(*, presiding: int | None, eligible: Iterable[int], spoken: Iterable[int]) -> RoundCounts:
    """:func:`round_counts` from who is eligible and who has spoken (an opinion of someone no longer eligible —
    recused since, or gone — does not count as spoken)."""
    eligible = frozenset(eligible)
    spoke = frozenset(spoken) & eligible
    return round_counts(
        eligible=len(eligible),
        spoken=len(spoke),
        presiding_eligible=presiding in eligible,
        presiding_spoken=presiding in spoke,
    )


def may_record_for(*, own_opinion: bool) -> bool:
    """代录: the secretary may record a present member's spoken opinion on his behalf (his tablet cannot), under the
    rules above — but never over an opinion the member gave himself on his tablet in this round: he corrects his
    own (四（二）2: 本人发表意见)."""
    return not own_opinion
