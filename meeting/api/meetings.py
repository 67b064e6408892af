"""``/api/v1`` routes of the meetings: the meeting itself, its personal links, observers, live state and events."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool
from sqlmodel import col, select

from .. import setup
from ..db import read_only, unit_of_work
from ..errors import InvalidPayload, NotFound
from ..http import tell_room
from ..models import Event, Meeting, Observer, Seat
from ..schemas import MeetingIn, ObserverIn, Payload
from ..state import build
from ..tokens import issue
from .kit import Query, QueryInt, _ok, _payload, _staff, _zone, endpoint, query
from .models import EventOut, IssuedLinkOut, MeetingDetailOut, MeetingOut, ObserverOut, dump
from .present import _event, _link, _meeting, _meeting_detail

EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT = 100, 1000


class MeetingsQuery(Query):
    body_id: QueryInt(1) | None = Field(None, description="只列出此领导班子的会议")
    status: str | None = Field(None, description="scheduled | in_session | closed")


class EventsQuery(Query):
    after: QueryInt(0) = Field(0, description="只返回 id 大于此值的事件（默认 0）")
    limit: QueryInt(1, EVENTS_MAX_LIMIT) = Field(
        EVENTS_DEFAULT_LIMIT, description=f"每页条数，默认 {EVENTS_DEFAULT_LIMIT}，最多 {EVENTS_MAX_LIMIT}"
    )


# ---------------------------------------------------------------- meetings


@endpoint(
    "GET",
    "/meetings",
    "listMeetings",
    "会议列表（可按 body_id、status 筛选），新近的在前",
    "会议",
    response_key="meetings",
    response=MeetingOut,
    response_list=True,
    query=MeetingsQuery,
)
def list_meetings():
    _staff()
    args = query(MeetingsQuery)
    q = select(Meeting).order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    if args.body_id is not None:
        q = q.where(Meeting.body_id == args.body_id)
    if args.status is not None:
        q = q.where(Meeting.status == args.status)
    with read_only() as s:
        return _ok(meetings=[_meeting(s, m) for m in s.exec(q)])


@endpoint(
    "POST",
    "/meetings",
    "createMeeting",
    "新建会议：按领导班子成员生成出席名单和个人链接（主持人默认为主要负责人，可委托）",
    "会议",
    request=MeetingIn,
    response_key="meeting",
    response=MeetingOut,
    status=201,
    description="starts_at 为会议所在时区（默认 Asia/Shanghai）的当地时间，不带时区；带时区的按其时区换算。"
    "个人链接（token）只在 GET /meetings/{meeting_id} 中给出。",
)
def create_meeting():
    actor = _staff()
    data = _payload(MeetingIn)
    with unit_of_work() as s:
        m = setup.create_meeting(s, actor, data, _zone())
        out = _meeting(s, m)
    return _ok(201, meeting=out)


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>",
    "getMeeting",
    "会议详情：出席名单、列席人员、议程（个人链接不在此处：见 issueLinks）",
    "会议",
    response_key="meeting",
    response=MeetingDetailOut,
)
def get_meeting(meeting_id: int):
    _staff()
    with read_only() as s:
        return _ok(meeting=_meeting_detail(s, meeting_id))


class IssueLinksIn(Payload):
    all: StrictBool = False
    person_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=500)] = []
    observer_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=500)] = []
    projector: StrictBool = False


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/links",
    "issueLinks",
    "签发（重新生成）个人链接：全部，或指定成员、列席人员、投影",
    "会议",
    request=IssueLinksIn,
    response_key="links",
    response=IssuedLinkOut,
    response_list=True,
    description="链接只保存其 SHA-256，明文只在本次应答中给出一次：请像对待密码一样对待它们。"
    "重新生成后旧链接立即失效；会议结束后链接只能打开会议结束页和纪要。",
)
def issue_links(meeting_id: int):
    actor = _staff()
    data = _payload(IssueLinksIn)
    with unit_of_work() as s:
        seat_ids = (
            list(s.exec(select(Seat.id).where(Seat.meeting_id == meeting_id, col(Seat.person_id).in_(data.person_ids))))
            if data.person_ids
            else None
        )
        if data.person_ids and len(seat_ids) != len(set(data.person_ids)):
            raise NotFound(what="出席成员")
        if not (data.all or seat_ids or data.observer_ids or data.projector):
            raise InvalidPayload(detail="请选择要签发的链接")
        got = issue(
            s,
            actor,
            meeting_id,
            seat_ids=seat_ids,
            observer_ids=data.observer_ids or None,
            projector=data.projector,
            every=data.all,
        )
        out = [
            {"kind": "member", "person_id": seat.person_id, "name": p.name, "token": t, "link": _link(t)}
            for seat, p, t in got.seats
        ]
        out += [
            {"kind": "observer", "observer_id": o.id, "name": o.name, "token": t, "link": _link(t)}
            for o, t in got.observers
        ]
        if got.projector:
            out.append({"kind": "projector", "name": "投影", "token": got.projector, "link": _link(got.projector)})
    return _ok(links=[dump(IssuedLinkOut, x) for x in out])


@endpoint(
    "PUT",
    "/meetings/<int:meeting_id>",
    "updateMeeting",
    "修改会议信息（仅限尚未开始的会议）：类型、届次、时间、地点、主持人、记录人",
    "会议",
    request=MeetingIn,
    response_key="meeting",
    response=MeetingOut,
    description="body_id 须与原会议相同；出席名单不变，主持人须为本次会议成员（默认为主要负责人，由其他成员"
    "主持的记为受委托）。starts_at 同新建会议。copy_observers_from_meeting_id 不适用于修改。"
    "会议开始后修改被拒绝（invalid_state）。",
)
def update_meeting(meeting_id: int):
    actor = _staff()
    data = _payload(MeetingIn)
    if data.copy_observers_from_meeting_id is not None:
        raise InvalidPayload(detail="copy_observers_from_meeting_id: 修改会议时不能复制列席人员")
    with unit_of_work() as s:
        m = setup.update_meeting(s, actor, meeting_id, data, _zone())
        s.flush()
        out = _meeting(s, m)
    tell_room(meeting_id)
    return _ok(meeting=out)


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/observers",
    "addObserver",
    "增加列席人员（姓名、单位、身份）",
    "会议",
    request=ObserverIn,
    response_key="observer",
    response=ObserverOut,
    status=201,
)
def add_observer(meeting_id: int):
    actor = _staff()
    data = _payload(ObserverIn)
    with unit_of_work() as s:
        obs = setup.add_observer(s, actor, meeting_id, data)
    tell_room(meeting_id)
    return _ok(201, observer=dump(ObserverOut, obs))


@endpoint("DELETE", "/observers/<int:observer_id>", "removeObserver", "删除列席人员（其链接随即失效）", "会议")
def remove_observer(observer_id: int):
    actor = _staff()
    with unit_of_work() as s:
        obs = s.get(Observer, observer_id)
        meeting_id = obs.meeting_id if obs else None
        setup.remove_observer(s, actor, observer_id)
    tell_room(meeting_id)
    return _ok()


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>/state",
    "getRoomState",
    "会场实时状态（秘书视图，与控制台和 Socket.IO state 事件相同）",
    "会场",
    response_key="state",
    description="结构见 docs/api.md「会场状态」；与 Socket.IO 推送给秘书的 state 相同。",
)
def room_state(meeting_id: int):
    _staff()
    with read_only() as s:
        setup.get(s, Meeting, meeting_id, "会议")
        return _ok(state=build(s, meeting_id, "full", _zone()))


@endpoint(
    "GET",
    "/meetings/<int:meeting_id>/events",
    "listEvents",
    "会议的事件日志（只增不改：谁、何时、从哪台设备、做了什么），按 id 分页",
    "会场",
    response_key="events",
    response=EventOut,
    response_list=True,
    response_extra={
        "next_after": {"type": "integer", "description": "下一页的 after 参数"},
        "has_more": {"type": "boolean"},
    },
    query=EventsQuery,
)
def list_events(meeting_id: int):
    _staff()
    args = query(EventsQuery)
    after, limit = args.after, args.limit
    with read_only() as s:
        setup.get(s, Meeting, meeting_id, "会议")
        rows = list(
            s.exec(
                select(Event)
                .where(Event.meeting_id == meeting_id, col(Event.id) > after)
                .order_by(col(Event.id))
                .limit(limit + 1)
            ).all()
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return _ok(events=[_event(ev) for ev in rows], next_after=rows[-1].id if rows else after, has_more=has_more)
