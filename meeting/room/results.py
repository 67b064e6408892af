"""The result: the round closed by the tally (majority mode) or by the head's decision (行政首长负责制), an item
deferred, a decided item reconsidered (复议)."""

from __future__ import annotations

import json

from sqlmodel import Session

from voting import conclusion
from voting import opinions as opinion_rules
from voting.sources import cite, cites
from voting.vocabulary import (
    ItemResult,
)

from .. import audit
from ..actors import Actor
from ..clock import as_utc, utcnow
from ..errors import (
    AnotherItemOpen,
    HeadReasonRequired,
    InvalidPayload,
    InvalidState,
    ItemNotOpen,
    PermissionDenied,
    ReconsiderRefused,
)
from ..models import (
    AgendaItem,
    Round,
)
from ..schemas import (
    DeferIn,
    HeadDecisionIn,
    ReconsiderIn,
    WithdrawIn,
)
from .facts import (
    LIVE,
    ItemFacts,
    Outcome,
    Room,
    current_round,
    item_facts,
    live_item,
    load_room,
    recused_ids,
)
from .guards import (
    _item_of,
    _require_in_session,
    _require_item_quorum,
    _require_meeting_quorum,
    _require_presiding,
    _require_staff,
)
from .recusals import (
    _recusal_grounds_now,
)


def _close_round(
    s: Session,
    room: Room,
    item: AgendaItem,
    rnd: Round,
    facts: ItemFacts,
    result: ItemResult,
    *,
    before_opening: bool = False,
) -> None:
    rnd.result, rnd.closed_at = result, utcnow()
    rnd.tally_json = json.dumps(
        facts.tally.as_dict()
        | {
            "quorum": facts.quorum.as_dict(),
            "recused": sorted(facts.recused),
            "eligible": sorted(facts.eligible),
            # who presided over the item: the minutes read it from here (四（二）5)
            "presided_by": facts.presiding,
            "chair_person_id": room.meeting.chair_person_id,
            "chair_recused": room.meeting.chair_person_id in facts.recused
            or facts.presiding != room.meeting.chair_person_id,
        }
        | ({"before_opening": True} if before_opening else {}),
        ensure_ascii=False,
    )
    item.status = {ItemResult.DEFERRED: "deferred", ItemResult.WITHDRAWN: "withdrawn"}.get(result, "closed")
    s.add_all([rnd, item])


def _require_all_spoken(room: Room, facts: ItemFacts) -> None:
    chair_id = facts.presiding  # the chair, or the acting chair of an item the chair is recused from
    spoke_at = facts.round.chair_spoke_at
    joined_after_chair = {
        seat.person_id
        for seat in room.seats
        if spoke_at is not None and seat.arrived_at is not None and as_utc(seat.arrived_at) > as_utc(spoke_at)
    }
    waiting = opinion_rules.awaited(
        chair_id=chair_id, eligible=facts.eligible, spoken=facts.spoken, joined_after_chair=joined_after_chair
    ) - {chair_id}
    source = cites(("taobei", "四（二）2"), ("decision_procedure", "第三十条"))
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
        raise InvalidState(
            detail=f"本领导班子实行行政首长负责制：由主持人在集体讨论基础上作出决定（{cite('decision_procedure', '第三十条')}）。"
        )
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    _require_all_spoken(room, facts)
    _require_meeting_quorum(room)
    _require_item_quorum(facts)
    result = opinion_rules.majority_result(facts.tally)
    _close_round(s, room, item, rnd, facts, result)
    audit.record(
        s,
        actor,
        "item.closed",
        meeting_id,
        item_id=item.id,
        round=rnd.number,
        result=result,
        tally=facts.tally.as_dict(),
        presided_by=facts.presiding,
    )
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
    audit.record(
        s,
        actor,
        "item.head_decided",
        meeting_id,
        item_id=item.id,
        round=rnd.number,
        result=result,
        adopt=data.adopt,
        reason=data.reason,
        against_majority=against,
        tally=facts.tally.as_dict(),
        presided_by=facts.presiding,
    )
    return Outcome(
        meeting_id, ack={"ok": True, "result": result, "against_majority": against, "tally": facts.tally.as_dict()}
    )


def _presided(s: Session, actor: Actor, meeting_id: int, item_id: int):
    """What deferring and withdrawing an item check first: the room locked, the presiding person (or the secretary
    on his word) acting, the meeting in session → (room, item, who presides)."""
    room = load_room(s, meeting_id, lock=True)
    if not (actor.is_staff or actor.is_seat):
        raise PermissionDenied()
    item = _item_of(s, room, item_id)
    presiding = _require_presiding(actor, room, _recusal_grounds_now(s, room, item))
    _require_in_session(room)
    return room, item, presiding


def defer_item(s: Session, actor: Actor, meeting_id: int, data: DeferIn) -> Outcome:
    """The chair defers (暂缓决策) an unclear or split item at any point before the result (seed 003 §四(二)3) —
    also one not yet opened. The secretary may record it on the chair's word; the reason is kept."""
    room, item, presiding = _presided(s, actor, meeting_id, data.item_id)
    if item.status not in (*LIVE, "pending"):
        raise InvalidState(detail="该议题已作出决定或已暂缓，不能再暂缓。")
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    facts.presiding = presiding  # a pending item's recusals are computed, not yet stored
    rnd.defer_reason = data.reason
    before_opening = item.status == "pending"  # 暂缓审议: never opened, it comes back to a later meeting
    _close_round(s, room, item, rnd, facts, ItemResult.DEFERRED, before_opening=before_opening)
    audit.record(
        s,
        actor,
        "item.deferred",
        meeting_id,
        item_id=item.id,
        round=rnd.number,
        reason=data.reason,
        presided_by=facts.presiding,
        before_opening=before_opening,
    )
    return Outcome(meeting_id, ack={"ok": True, "result": ItemResult.DEFERRED})


def withdraw_item(s: Session, actor: Actor, meeting_id: int, data: WithdrawIn) -> Outcome:
    """撤回议题: the submitting unit takes back an item not yet opened (e.g. its 合法性审查 not complete); the
    secretary or whoever presides records it with the reason. It is the item's conclusion for 散会 and for the
    minutes, and stays in the record (voting/conclusion.py; 白洮政发〔2023〕14号 四（二）3、4)."""
    room, item, presiding = _presided(s, actor, meeting_id, data.item_id)
    if not conclusion.may_set_aside(item.status, room.meeting.status):
        raise InvalidState(detail="只有尚未开始审议的议题才能撤回。")
    rnd = current_round(s, item, lock=True)
    facts = item_facts(s, room, item, rnd)
    facts.presiding = presiding
    rnd.defer_reason = data.reason  # the reason stated for setting the item aside (deferral or withdrawal)
    _close_round(s, room, item, rnd, facts, ItemResult.WITHDRAWN, before_opening=True)
    audit.record(
        s,
        actor,
        "item.withdrawn",
        meeting_id,
        item_id=item.id,
        round=rnd.number,
        reason=data.reason,
        submitting_unit=item.submitting_unit,
        presided_by=facts.presiding,
    )
    return Outcome(meeting_id, ack={"ok": True, "result": ItemResult.WITHDRAWN})


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
    audit.record(
        s,
        actor,
        "item.reconsidered",
        meeting_id,
        item_id=item.id,
        new_round=item.round,
        agreeing=sorted(agreeing),
        reason=data.reason,
    )
    return Outcome(meeting_id, ack={"ok": True, "round": item.round})
