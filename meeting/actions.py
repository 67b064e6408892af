"""The live room's actions: one registry serves the Socket.IO events, the JSON API and the OpenAPI document.

Each action names its payload model, the service function that performs it, who may call it, and a summary.
:func:`perform` validates, runs the service in one transaction (persist), and returns the :class:`Outcome`
whose acknowledgement the caller sends before anything is broadcast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from voting.sources import cite, cites

from . import room
from .actors import Actor
from .db import unit_of_work
from .errors import NotFound, ObserverCannotVote, PermissionDenied
from .room import Outcome
from .room.reading import set_presenter, turn_page
from .schemas import (
    DeferIn,
    Empty,
    GiveFloorIn,
    HeadDecisionIn,
    ItemRef,
    NotesIn,
    OpinionIn,
    PageTurnIn,
    Payload,
    PresenterIn,
    ProxyOpinionIn,
    ReconsiderIn,
    RecusalIn,
    RecusalRemoveIn,
    RollCallIn,
    WithdrawIn,
    WrittenOpinionIn,
    parse,
)

STAFF, CHAIR, MEMBER = "staff", "chair", "member"


@dataclass(frozen=True)
class Action:
    name: str
    payload: type[Payload]
    run: Callable[[Session, Actor, int, Payload], Outcome]
    roles: frozenset[str]
    summary: str
    rule: str = ""
    # MEMBER in ``roles`` of head_decide / defer_item: only the member who presides over the item in the chair's
    # place (the chair recused from it, meeting.room._require_presiding); any other member is refused there


def _a(name, payload, run, roles, summary, rule=""):
    return Action(name, payload, run, frozenset(roles), summary, rule)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _a(
            "roll_call",
            RollCallIn,
            lambda s, a, m, p: room.roll_call(s, a, m, p),
            {STAFF},
            "点名：登记出席、迟到、请假（须注明事由）、中途离席，并记录时间",
        ),
        _a("check_in", Empty, lambda s, a, m, p: room.check_in(s, a), {MEMBER, CHAIR}, "成员在平板上签到"),
        _a(
            "open_meeting",
            Empty,
            lambda s, a, m, p: room.open_meeting(s, a, m),
            {STAFF},
            "宣布开会：须达到法定到会人数",
            cite("taobei", "四（二）1"),
        ),
        _a(
            "close_meeting",
            Empty,
            lambda s, a, m, p: room.close_meeting(s, a, m),
            {STAFF},
            "宣布散会：个人链接随即失效",
        ),
        _a(
            "open_item",
            ItemRef,
            lambda s, a, m, p: room.open_item(s, a, m, p.item_id),
            {STAFF},
            "开始审议一个议题（一事一议；决策准备未完成的不得提交）",
            cites(("taobei", "四（二）3"), ("decision_procedure", "第二十六条、第二十八条")),
        ),
        _a(
            "call_opinions",
            ItemRef,
            lambda s, a, m, p: room.call_opinions(s, a, m, p.item_id),
            {STAFF},
            "请与会成员逐一发表意见",
            cite("taobei", "四（二）2"),
        ),
        _a(
            "give_opinion",
            OpinionIn,
            lambda s, a, m, p: room.give_opinion(s, a, p),
            {MEMBER, CHAIR},
            "发表意见：同意 / 不同意 / 缓议（不同意、缓议须说明理由）；主持人最后发表",
            cite("taobei", "四（二）2"),
        ),
        _a(
            "written_opinion",
            WrittenOpinionIn,
            lambda s, a, m, p: room.written_opinion(s, a, m, p),
            {STAFF, MEMBER, CHAIR},
            "登记因故缺席成员的书面意见",
            cite("taobei", "四（二）2"),
        ),
        _a(
            "add_recusal",
            RecusalIn,
            lambda s, a, m, p: room.add_recusal(s, a, m, p),
            {STAFF},
            "登记回避（其他可能影响公正的情形，须写明理由）",
            cite("civil_servant_law", "第七十六条"),
        ),
        _a(
            "remove_recusal",
            RecusalRemoveIn,
            lambda s, a, m, p: room.remove_recusal(s, a, m, p),
            {STAFF},
            "撤销手工登记的回避",
        ),
        _a(
            "close_item",
            ItemRef,
            lambda s, a, m, p: room.close_item(s, a, m, p.item_id),
            {STAFF},
            "宣布表决结果：赞成数超过应到会成员半数为通过",
            cite("taobei", "四（二）3"),
        ),
        _a(
            "head_decide",
            HeadDecisionIn,
            lambda s, a, m, p: room.head_decide(s, a, m, p),
            {STAFF, CHAIR, MEMBER},
            "行政首长决定（与多数人意见不一致的须说明理由）",
            cite("decision_procedure", "第三十条"),
        ),
        _a(
            "defer_item",
            DeferIn,
            lambda s, a, m, p: room.defer_item(s, a, m, p),
            {STAFF, CHAIR, MEMBER},
            "暂缓决策（须说明理由）；尚未开始审议的议题暂缓审议，可列入以后的会议",
            cite("taobei", "四（二）3"),
        ),
        # -- deadends: 代录 — the secretary records a present member's spoken opinion when his tablet cannot
        _a(
            "record_opinion",
            ProxyOpinionIn,
            lambda s, a, m, p: room.record_opinion(s, a, m, p),
            {STAFF},
            "代录：成员平板无法使用时，由秘书代为记录其当场发表的意见（注明代录人和时间），成员可在平板上确认或更正",
            cite("taobei", "四（二）2"),
        ),
        # -- deadends: an item not yet opened may be withdrawn (撤回议题) as well as deferred (暂缓审议)
        _a(
            "withdraw_item",
            WithdrawIn,
            lambda s, a, m, p: room.withdraw_item(s, a, m, p),
            {STAFF, CHAIR, MEMBER},
            "撤回议题：尚未开始审议的议题由提交单位撤回（须说明理由），记入会议记录",
            cite("taobei", "四（二）3、4"),
        ),
        _a(
            "reconsider",
            ReconsiderIn,
            lambda s, a, m, p: room.reconsider(s, a, m, p),
            {STAFF},
            "复议：超过全体成员半数同意后开启新一轮",
            cite("cadre_selection"),
        ),
        _a("set_notes", NotesIn, lambda s, a, m, p: room.set_notes(s, a, m, p), {STAFF}, "记录人的议题备注"),
        # 发言申请 and the speaker's time, where the body uses them (meeting/room/floor.py)
        _a("request_floor", ItemRef, room.request_floor, {MEMBER, CHAIR}, "成员申请就当前议题发言"),
        _a("withdraw_floor", ItemRef, room.withdraw_floor, {MEMBER, CHAIR}, "成员撤回尚未安排的发言申请"),
        _a("give_floor", GiveFloorIn, room.give_floor, {STAFF}, "安排发言（按申请顺序或指定成员），上一位发言结束计时"),
        _a("end_floor", ItemRef, room.end_floor, {STAFF}, "结束当前发言人的发言计时"),
        # 跟随翻页: the presenter's page, told to the tablets that follow (nothing persisted); the presenter is the
        # console, or the member the secretary names (a member not named is refused by the service)
        _a(
            "turn_page",
            PageTurnIn,
            lambda s, a, m, p: turn_page(s, a, m, p),
            {STAFF, MEMBER, CHAIR},
            "跟随翻页：演示人翻到材料的某一页，跟随的平板随之翻页",
        ),
        _a(
            "set_presenter",
            PresenterIn,
            lambda s, a, m, p: set_presenter(s, a, m, p),
            {STAFF},
            "指定由某位成员在本人平板上演示材料（跟随翻页），或收回由控制台演示",
        ),
    ]
}


def role_of(actor: Actor) -> str:
    if actor.is_staff:
        return STAFF
    if actor.kind == "chair":
        return CHAIR
    if actor.kind == "member":
        return MEMBER
    return actor.kind


def prepare(name: str, actor: Actor, meeting_id: int, data: object) -> tuple[Action, Payload]:
    """Who may call it, and a valid payload — or a refusal (nothing changes)."""
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(what=f"操作 {name}")
    role = role_of(actor)
    if role not in action.roles:
        if actor.kind == "observer" and name in ("give_opinion", "written_opinion"):
            raise ObserverCannotVote()
        raise PermissionDenied()
    if actor.meeting_id is not None and actor.meeting_id != meeting_id:
        raise PermissionDenied()
    return action, parse(action.payload, data)


def perform(name: str, actor: Actor, meeting_id: int, data: object) -> Outcome:
    """Validate → run the service in one transaction → the committed outcome (nothing changes on refusal)."""
    action, payload = prepare(name, actor, meeting_id, data)
    with unit_of_work() as s:
        return action.run(s, actor, meeting_id, payload)
