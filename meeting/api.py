"""The JSON API under ``/api/v1``: every secretary action, for office-automation integration and scripting.

Thin, like the Socket.IO handlers: authenticate (the secretary's session + ``X-CSRF-Token`` for unsafe requests,
or ``Authorization: Bearer ysk_…``) → parse the payload with the same pydantic models → call the same service in
one unit of work → JSON. A refusal is the same typed error as everywhere else (``{"ok": false, "error": {code,
message, source}}`` with its HTTP status) and changes nothing.

Every route is declared with :func:`endpoint`, which also records it in :data:`ENDPOINTS`; the live-room actions
are served by one route and described from :data:`meeting.actions.ACTIONS`. :mod:`meeting.openapi` builds the
OpenAPI document from both, so the document cannot drift from the code. Responses are serialised through the
explicit ``…Out`` models below (no password hashes; personal-link tokens only in the meeting detail).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from flask import Blueprint, current_app, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool, WithJsonSchema
from sqlmodel import Session, col, select
from werkzeug.exceptions import HTTPException

from voting.vocabulary import (
    Attendance,
    BodyKind,
    DecisionMode,
    ItemCategory,
    MeetingKind,
    PreparationStep,
    StepState,
)

from . import setup
from .actions import ACTIONS, perform
from .actors import Actor
from .auth import check_csrf, require_staff
from .clock import iso_utc
from .db import read_only, unit_of_work
from .errors import InvalidPayload, NotFound
from .http import tell_room as _tell_room
from .models import (
    AgendaItem,
    Body,
    Event,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Observer,
    Person,
    Relation,
    Round,
    Seat,
)
from .room import load_room
from .schemas import (
    DB_INT_MAX,
    BodyIn,
    CarryOverIn,
    ItemIn,
    MeetingIn,
    MembersIn,
    ObserverIn,
    PersonIn,
    RelationIn,
    ReorderIn,
    Payload,
    StepIn,
    parse,
    unsafe_char,
)
from .state import build, meeting_title, title_of

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT = 100, 1000

# Refusals that come from HTTP itself rather than from a service (see _http_error); listed in the OpenAPI
# document and in docs/api.md beside the codes of meeting.errors.
HTTP_ERROR_CODES: dict[str, tuple[int, str]] = {
    "method_not_allowed": (405, "该接口不支持此 HTTP 方法。"),
    "payload_too_large": (413, "上传内容过大。"),
    "server_error": (500, "服务器内部错误，操作未完成，请重试。"),
}


# ---------------------------------------------------------------- response models (explicit serialisation)


UtcTime = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "description": "UTC, ISO 8601, e.g. 2023-12-09T01:00:00Z"}),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BodyOut(Out):
    id: int
    name: str
    kind: BodyKind
    decision_mode: DecisionMode
    profile: str
    created_at: UtcTime


class MemberOut(Out):
    """A member of a body; seniority 1 is the head (区长/书记)."""

    person_id: int
    name: str
    title: str
    unit: str
    seniority: int


class BodyDetailOut(BodyOut):
    members: list[MemberOut]


class PersonOut(Out):
    id: int
    name: str
    title: str
    unit: str
    created_at: UtcTime


class RelationOut(Out):
    id: int
    person_a_id: int
    person_b_id: int
    type: str
    reason: str
    created_at: UtcTime


class MeetingOut(Out):
    id: int
    body_id: int
    title: str
    kind: MeetingKind
    session_number: int
    starts_at: UtcTime
    place: str
    chair_person_id: int
    delegated_by_person_id: int | None
    recorder_name: str
    status: str  # scheduled | in_session | closed
    opened_at: UtcTime | None
    closed_at: UtcTime | None
    created_at: UtcTime


class SeatOut(Out):
    """A member's place at the meeting. The personal link is stored hashed: see issueLinks."""

    person_id: int
    name: str
    title: str
    seniority: int
    is_chair: bool
    attendance: Attendance
    absence_reason: str
    arrived_at: UtcTime | None
    left_at: UtcTime | None
    connected: bool


class ObserverOut(Out):
    id: int
    meeting_id: int
    name: str
    unit: str
    role: str


class ObserverLinkOut(ObserverOut):
    pass


class IssuedLinkOut(Out):
    """One newly issued personal link: shown in this answer only (only its SHA-256 is stored)."""

    kind: Literal["member", "observer", "projector"]
    person_id: int | None = None
    observer_id: int | None = None
    name: str
    token: str
    link: str


class SubjectOut(Out):
    person_id: int
    name: str
    action: str


class StepOut(Out):
    step: PreparationStep
    state: StepState
    note: str
    updated_at: UtcTime


class MaterialOut(Out):
    id: int
    item_id: int
    kind: str  # material | written_opinion
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: UtcTime
    url: str


class ItemOut(Out):
    id: int
    meeting_id: int
    position: int
    title: str
    category: ItemCategory
    presenter: str
    submitting_unit: str
    summary: str
    amount_yuan: int | None
    confidential: bool
    status: str  # pending | open | voting | closed | deferred
    round: int
    result: str | None  # of the current round: passed | not_passed | deferred | head_adopted | head_rejected
    carried_from_item_id: int | None
    notes: str
    subjects: list[SubjectOut]
    steps: list[StepOut]
    missing_steps: list[PreparationStep]  # required by the rule profile and not done: the item cannot be opened
    materials: list[MaterialOut]


class HistoryOut(Out):
    item_id: int
    meeting_id: int
    session_number: int | None
    starts_at: UtcTime | None
    status: str
    defer_reason: str
    result: str | None


class DeferredItemOut(ItemOut):
    history: list[HistoryOut]


class MeetingDetailOut(MeetingOut):
    roster: list[SeatOut]
    observers: list[ObserverLinkOut]
    agenda: list[ItemOut]


class EventActorOut(Out):
    kind: str  # user | api | member | chair | observer | projector | system
    id: int | None
    name: str
    device: str


class EventOut(Out):
    id: int
    meeting_id: int | None
    at: UtcTime
    actor: EventActorOut
    kind: str
    payload: dict[str, Any]


def dump(model: type[Out], obj: object) -> dict:
    return model.model_validate(obj).model_dump(mode="json")


# ---------------------------------------------------------------- the route table


@dataclass(frozen=True)
class Endpoint:
    """One route of the API, as the OpenAPI document describes it."""

    method: str
    rule: str  # Flask rule under the blueprint prefix, e.g. "/bodies/<int:body_id>"
    operation_id: str
    summary: str
    tag: str
    request: type[BaseModel] | None = None
    multipart: bool = False
    response_key: str | None = None
    response: type[BaseModel] | None = None
    response_list: bool = False
    response_extra: dict = field(default_factory=dict)  # further top-level properties: name → JSON Schema
    status: int = 200
    public: bool = False
    query: tuple[tuple[str, str, str], ...] = ()  # (name, JSON type, description)
    description: str = ""


ENDPOINTS: list[Endpoint] = []


def endpoint(method: str, rule: str, operation_id: str, summary: str, tag: str, **kw) -> Callable:
    def register(view: Callable) -> Callable:
        ENDPOINTS.append(Endpoint(method, rule, operation_id, summary, tag, **kw))
        bp.add_url_rule(rule, endpoint=operation_id, view_func=view, methods=[method])
        return view

    return register


# ---------------------------------------------------------------- helpers


def _staff() -> Actor:
    """The secretary, by bearer token or session; a session-authenticated unsafe request needs X-CSRF-Token."""
    with unit_of_work() as s:
        actor = require_staff(s)
    if request.method not in SAFE_METHODS:
        check_csrf()
    return actor


def _json_body() -> object:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        # a 50,000-level nesting is a RecursionError, a 5,000-digit number a ValueError: both refused, not a 5xx
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if data is None:
        raise InvalidPayload(detail="请求体不是有效的 JSON")
    return data


def _payload(model):
    return parse(model, _json_body())


def _ok(status: int = 200, **data):
    return jsonify({"ok": True, **data}), status


def _zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def _int_arg(name: str, default: int, lo: int, hi: int = DB_INT_MAX) -> int:
    """An integer from the query string, between ``lo`` and ``hi`` (by default the database's integer)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    raw = raw.strip()
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise InvalidPayload(detail=f"{name}: 应为整数")
    value = int(raw)
    if value < lo or value > hi:
        raise InvalidPayload(detail=f"{name}: 应在 {lo}–{hi} 之间")
    return value


def _link(token: str) -> str:
    return url_for("views.tablet", token=token, _external=True)


def _body_detail(s: Session, body: Body) -> dict:
    members = [
        {"person_id": p.id, "name": p.name, "title": p.title, "unit": p.unit, "seniority": m.seniority}
        for m, p in setup.members_of(s, body.id)
    ]
    return dump(BodyDetailOut, {**body.model_dump(), "members": members})


def _meeting(s: Session, m: Meeting) -> dict:
    return dump(MeetingOut, {**m.model_dump(), "title": title_of(m, s.get(Body, m.body_id))})


def _item(s: Session, item: AgendaItem, profile: str | None = None, *, history: bool = False) -> dict:
    if profile is None:
        meeting = s.get(Meeting, item.meeting_id)
        profile = s.get(Body, meeting.body_id).profile
    subjects = s.exec(
        select(ItemSubject, Person).join(Person, col(Person.id) == ItemSubject.person_id)
        .where(ItemSubject.item_id == item.id).order_by(col(ItemSubject.id))
    ).all()
    steps = s.exec(select(ItemStep).where(ItemStep.item_id == item.id).order_by(col(ItemStep.id))).all()
    materials = s.exec(select(Material).where(Material.item_id == item.id).order_by(col(Material.id))).all()
    rnd = s.exec(select(Round).where(Round.item_id == item.id, Round.number == item.round)).first()
    data = {
        **item.model_dump(),
        "result": rnd.result if rnd else None,
        "subjects": [{"person_id": p.id, "name": p.name, "action": x.action} for x, p in subjects],
        "steps": [st.model_dump() for st in steps],
        "missing_steps": setup.missing_steps(s, item, profile),
        "materials": [_material(mt) for mt in materials],
    }
    if history:
        data["history"] = setup.item_history(s, item)
        return dump(DeferredItemOut, data)
    return dump(ItemOut, data)


def _material(mt: Material) -> dict:
    return {**mt.model_dump(), "url": url_for("views.material", material_id=mt.id)}


def _agenda(s: Session, meeting_id: int, profile: str) -> list[dict]:
    items = s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(col(AgendaItem.position)))
    return [_item(s, it, profile) for it in items]


def _meeting_detail(s: Session, meeting_id: int) -> dict:
    room = load_room(s, meeting_id)
    m = room.meeting
    people = {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(room.member_ids)))}
    roster = [
        {
            **seat.model_dump(), "name": people[seat.person_id].name, "title": people[seat.person_id].title,
            "is_chair": seat.person_id == m.chair_person_id, "connected": seat.connections > 0,
        }
        for seat in room.seats
    ]
    observers = [
        o.model_dump()
        for o in s.exec(select(Observer).where(Observer.meeting_id == m.id).order_by(col(Observer.id)))
    ]
    return dump(MeetingDetailOut, {
        **m.model_dump(), "title": meeting_title(room),
        "roster": roster, "observers": observers, "agenda": _agenda(s, m.id, room.body.profile),
    })


def _event(ev: Event) -> dict:
    try:
        payload = json.loads(ev.payload or "{}")
    except ValueError:
        payload = {"raw": ev.payload}
    return dump(EventOut, {
        "id": ev.id, "meeting_id": ev.meeting_id, "at": ev.at, "kind": ev.kind, "payload": payload,
        "actor": {"kind": ev.actor_kind, "id": ev.actor_id, "name": ev.actor_name, "device": ev.device},
    })


# ---------------------------------------------------------------- the document


@endpoint("GET", "/openapi.json", "getOpenApi", "本接口的 OpenAPI 3.1 描述文档", "文档", public=True)
def openapi_json():
    from .openapi import document

    return jsonify(document())


# ---------------------------------------------------------------- bodies


@endpoint("GET", "/bodies", "listBodies", "领导班子列表", "领导班子",
          response_key="bodies", response=BodyOut, response_list=True)
def list_bodies():
    _staff()
    with read_only() as s:
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        return _ok(bodies=[dump(BodyOut, b) for b in bodies])


@endpoint("POST", "/bodies", "createBody", "新建领导班子（名称、类别、决策方式、规则配置）", "领导班子",
          request=BodyIn, response_key="body", response=BodyOut, status=201)
def create_body():
    actor = _staff()
    data = _payload(BodyIn)
    with unit_of_work() as s:
        body = setup.create_body(s, actor, data)
    return _ok(201, body=dump(BodyOut, body))


@endpoint("GET", "/bodies/<int:body_id>", "getBody", "领导班子详情及成员名单（按排名）", "领导班子",
          response_key="body", response=BodyDetailOut)
def get_body(body_id: int):
    _staff()
    with read_only() as s:
        body = setup.get(s, Body, body_id, "领导班子")
        return _ok(body=_body_detail(s, body))


@endpoint("PUT", "/bodies/<int:body_id>", "updateBody", "修改领导班子", "领导班子",
          request=BodyIn, response_key="body", response=BodyOut)
def update_body(body_id: int):
    actor = _staff()
    data = _payload(BodyIn)
    with unit_of_work() as s:
        body = setup.update_body(s, actor, body_id, data)
    return _ok(body=dump(BodyOut, body))


@endpoint("PUT", "/bodies/<int:body_id>/members", "setMembers",
          "设置领导班子成员名单（按排名，第一位为主要负责人）", "领导班子",
          request=MembersIn, response_key="body", response=BodyDetailOut)
def set_members(body_id: int):
    actor = _staff()
    data = _payload(MembersIn)
    with unit_of_work() as s:
        setup.set_members(s, actor, body_id, data)
    with read_only() as s:
        return _ok(body=_body_detail(s, setup.get(s, Body, body_id, "领导班子")))


@endpoint("GET", "/bodies/<int:body_id>/deferred-items", "listDeferredItems",
          "暂缓决策、尚未列入其他会议议程的议题（附历次审议情况）", "议题",
          response_key="items", response=DeferredItemOut, response_list=True)
def deferred_items(body_id: int):
    _staff()
    with read_only() as s:
        body = setup.get(s, Body, body_id, "领导班子")
        items = setup.deferred_items(s, body.id)
        return _ok(items=[_item(s, it, body.profile, history=True) for it in items])


# ---------------------------------------------------------------- people and relations


@endpoint("GET", "/people", "listPeople", "人员列表", "人员",
          response_key="people", response=PersonOut, response_list=True)
def list_people():
    _staff()
    with read_only() as s:
        return _ok(people=[dump(PersonOut, p) for p in s.exec(select(Person).order_by(col(Person.id)))])


@endpoint("POST", "/people", "createPerson", "新增人员（姓名、职务、单位）", "人员",
          request=PersonIn, response_key="person", response=PersonOut, status=201)
def create_person():
    actor = _staff()
    data = _payload(PersonIn)
    with unit_of_work() as s:
        person = setup.create_person(s, actor, data)
    return _ok(201, person=dump(PersonOut, person))


@endpoint("PUT", "/people/<int:person_id>", "updatePerson", "修改人员信息", "人员",
          request=PersonIn, response_key="person", response=PersonOut)
def update_person(person_id: int):
    actor = _staff()
    data = _payload(PersonIn)
    with unit_of_work() as s:
        person = setup.update_person(s, actor, person_id, data)
    return _ok(person=dump(PersonOut, person))


@endpoint("GET", "/relations", "listRelations", "需回避的人员关系列表（可按 person_id 筛选）", "人员",
          response_key="relations", response=RelationOut, response_list=True,
          query=(("person_id", "integer", "只列出涉及此人的关系"),))
def list_relations():
    _staff()
    person_id = _int_arg("person_id", 0, 1) if request.args.get("person_id") else None
    q = select(Relation).order_by(col(Relation.id))
    if person_id is not None:
        q = q.where((Relation.person_a_id == person_id) | (Relation.person_b_id == person_id))
    with read_only() as s:
        return _ok(relations=[dump(RelationOut, r) for r in s.exec(q)])


@endpoint("POST", "/relations", "createRelation",
          "登记人员关系（SELF、SPOUSE、LINEAL、COLLATERAL_3、IN_LAW，或 OTHER 并写明理由）", "人员",
          request=RelationIn, response_key="relation", response=RelationOut, status=201,
          description="类型及其法律依据见 voting/relations.toml（公务员法 第74、76条）。")
def create_relation():
    actor = _staff()
    data = _payload(RelationIn)
    with unit_of_work() as s:
        rel = setup.add_relation(s, actor, data)
    return _ok(201, relation=dump(RelationOut, rel))


@endpoint("DELETE", "/relations/<int:relation_id>", "deleteRelation", "删除人员关系", "人员")
def delete_relation(relation_id: int):
    actor = _staff()
    with unit_of_work() as s:
        setup.delete_relation(s, actor, relation_id)
    return _ok()


# ---------------------------------------------------------------- meetings


@endpoint("GET", "/meetings", "listMeetings", "会议列表（可按 body_id、status 筛选），新近的在前", "会议",
          response_key="meetings", response=MeetingOut, response_list=True,
          query=(("body_id", "integer", "只列出此领导班子的会议"),
                 ("status", "string", "scheduled | in_session | closed")))
def list_meetings():
    _staff()
    q = select(Meeting).order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    if request.args.get("body_id"):
        q = q.where(Meeting.body_id == _int_arg("body_id", 0, 1))
    if request.args.get("status"):
        q = q.where(Meeting.status == request.args["status"])
    with read_only() as s:
        return _ok(meetings=[_meeting(s, m) for m in s.exec(q)])


@endpoint("POST", "/meetings", "createMeeting",
          "新建会议：按领导班子成员生成出席名单和个人链接（主持人默认为主要负责人，可委托）", "会议",
          request=MeetingIn, response_key="meeting", response=MeetingOut, status=201,
          description="starts_at 为会议所在时区（默认 Asia/Shanghai）的当地时间，不带时区；带时区的按其时区换算。"
                      "个人链接（token）只在 GET /meetings/{meeting_id} 中给出。")
def create_meeting():
    actor = _staff()
    data = _payload(MeetingIn)
    with unit_of_work() as s:
        m = setup.create_meeting(s, actor, data, _zone())
        out = _meeting(s, m)
    return _ok(201, meeting=out)


@endpoint("GET", "/meetings/<int:meeting_id>", "getMeeting",
          "会议详情：出席名单、列席人员、议程（个人链接不在此处：见 issueLinks）", "会议",
          response_key="meeting", response=MeetingDetailOut)
def get_meeting(meeting_id: int):
    _staff()
    with read_only() as s:
        return _ok(meeting=_meeting_detail(s, meeting_id))


class IssueLinksIn(Payload):
    all: StrictBool = False
    person_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=500)] = []
    observer_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=500)] = []
    projector: StrictBool = False


@endpoint("POST", "/meetings/<int:meeting_id>/links", "issueLinks",
          "签发（重新生成）个人链接：全部，或指定成员、列席人员、投影", "会议",
          request=IssueLinksIn, response_key="links", response=IssuedLinkOut, response_list=True,
          description="链接只保存其 SHA-256，明文只在本次应答中给出一次：请像对待密码一样对待它们。"
                      "重新生成后旧链接立即失效；会议结束后链接只能打开会议结束页和纪要。")
def issue_links(meeting_id: int):
    from .tokens import issue

    actor = _staff()
    data = _payload(IssueLinksIn)
    with unit_of_work() as s:
        seat_ids = list(s.exec(select(Seat.id).where(Seat.meeting_id == meeting_id,
                                                     col(Seat.person_id).in_(data.person_ids)))) \
            if data.person_ids else None
        if data.person_ids and len(seat_ids) != len(set(data.person_ids)):
            raise NotFound(what="出席成员")
        if not (data.all or seat_ids or data.observer_ids or data.projector):
            raise InvalidPayload(detail="请选择要签发的链接")
        got = issue(s, actor, meeting_id, seat_ids=seat_ids, observer_ids=data.observer_ids or None,
                    projector=data.projector, every=data.all)
        out = [{"kind": "member", "person_id": seat.person_id, "name": p.name, "token": t, "link": _link(t)}
               for seat, p, t in got.seats]
        out += [{"kind": "observer", "observer_id": o.id, "name": o.name, "token": t, "link": _link(t)}
                for o, t in got.observers]
        if got.projector:
            out.append({"kind": "projector", "name": "投影", "token": got.projector, "link": _link(got.projector)})
    return _ok(links=[dump(IssuedLinkOut, x) for x in out])


@endpoint("PUT", "/meetings/<int:meeting_id>", "updateMeeting",
          "修改会议信息（仅限尚未开始的会议）：类型、届次、时间、地点、主持人、记录人", "会议",
          request=MeetingIn, response_key="meeting", response=MeetingOut,
          description="body_id 须与原会议相同；出席名单不变，主持人须为本次会议成员（默认为主要负责人，由其他成员"
                      "主持的记为受委托）。starts_at 同新建会议。copy_observers_from_meeting_id 不适用于修改。"
                      "会议开始后修改被拒绝（invalid_state）。")
def update_meeting(meeting_id: int):
    actor = _staff()
    data = _payload(MeetingIn)
    if data.copy_observers_from_meeting_id is not None:
        raise InvalidPayload(detail="copy_observers_from_meeting_id: 修改会议时不能复制列席人员")
    with unit_of_work() as s:
        m = setup.update_meeting(s, actor, meeting_id, data, _zone())
        s.flush()
        out = _meeting(s, m)
    _tell_room(meeting_id)
    return _ok(meeting=out)


@endpoint("POST", "/meetings/<int:meeting_id>/observers", "addObserver", "增加列席人员（姓名、单位、身份）", "会议",
          request=ObserverIn, response_key="observer", response=ObserverOut, status=201)
def add_observer(meeting_id: int):
    actor = _staff()
    data = _payload(ObserverIn)
    with unit_of_work() as s:
        obs = setup.add_observer(s, actor, meeting_id, data)
    _tell_room(meeting_id)
    return _ok(201, observer=dump(ObserverOut, obs))


@endpoint("DELETE", "/observers/<int:observer_id>", "removeObserver", "删除列席人员（其链接随即失效）", "会议")
def remove_observer(observer_id: int):
    actor = _staff()
    with unit_of_work() as s:
        obs = s.get(Observer, observer_id)
        meeting_id = obs.meeting_id if obs else None
        setup.remove_observer(s, actor, observer_id)
    _tell_room(meeting_id)
    return _ok()


@endpoint("GET", "/meetings/<int:meeting_id>/state", "getRoomState",
          "会场实时状态（秘书视图，与控制台和 Socket.IO state 事件相同）", "会场",
          response_key="state", description="结构见 docs/api.md「会场状态」；与 Socket.IO 推送给秘书的 state 相同。")
def room_state(meeting_id: int):
    _staff()
    with read_only() as s:
        setup.get(s, Meeting, meeting_id, "会议")
        return _ok(state=build(s, meeting_id, "full", _zone()))


@endpoint("GET", "/meetings/<int:meeting_id>/events", "listEvents",
          "会议的事件日志（只增不改：谁、何时、从哪台设备、做了什么），按 id 分页", "会场",
          response_key="events", response=EventOut, response_list=True,
          response_extra={"next_after": {"type": "integer", "description": "下一页的 after 参数"},
                          "has_more": {"type": "boolean"}},
          query=(("after", "integer", "只返回 id 大于此值的事件（默认 0）"),
                 ("limit", "integer", f"每页条数，默认 {EVENTS_DEFAULT_LIMIT}，最多 {EVENTS_MAX_LIMIT}")))
def list_events(meeting_id: int):
    _staff()
    after = _int_arg("after", 0, 0)
    limit = _int_arg("limit", EVENTS_DEFAULT_LIMIT, 1, EVENTS_MAX_LIMIT)
    with read_only() as s:
        setup.get(s, Meeting, meeting_id, "会议")
        rows = list(s.exec(
            select(Event).where(Event.meeting_id == meeting_id, col(Event.id) > after)
            .order_by(col(Event.id)).limit(limit + 1)
        ).all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    return _ok(events=[_event(ev) for ev in rows], next_after=rows[-1].id if rows else after, has_more=has_more)


# ---------------------------------------------------------------- agenda


@endpoint("POST", "/meetings/<int:meeting_id>/items", "addItem",
          "增加议题（标题、类别、汇报人、提交单位；干部任免议题列明任免对象）", "议题",
          request=ItemIn, response_key="item", response=ItemOut, status=201)
def add_item(meeting_id: int):
    actor = _staff()
    data = _payload(ItemIn)
    with unit_of_work() as s:
        item = setup.add_item(s, actor, meeting_id, data)
        s.flush()
        out = _item(s, item)
    _tell_room(meeting_id)
    return _ok(201, item=out)


@endpoint("PUT", "/items/<int:item_id>", "updateItem", "修改议题（仅限尚未开始审议的议题）", "议题",
          request=ItemIn, response_key="item", response=ItemOut)
def update_item(item_id: int):
    actor = _staff()
    data = _payload(ItemIn)
    with unit_of_work() as s:
        item = setup.update_item(s, actor, item_id, data)
        s.flush()
        out = _item(s, item)
    _tell_room(item.meeting_id)
    return _ok(item=out)


@endpoint("DELETE", "/items/<int:item_id>", "deleteItem", "删除议题（仅限尚未开始审议的议题）", "议题")
def delete_item(item_id: int):
    actor = _staff()
    with unit_of_work() as s:
        item = s.get(AgendaItem, item_id)
        meeting_id = item.meeting_id if item else None
        setup.delete_item(s, actor, item_id)
    _tell_room(meeting_id)
    return _ok()


@endpoint("PUT", "/meetings/<int:meeting_id>/agenda/order", "reorderAgenda",
          "调整议程顺序（须列出本次会议的全部议题）", "议题",
          request=ReorderIn, response_key="agenda", response=ItemOut, response_list=True)
def reorder_agenda(meeting_id: int):
    actor = _staff()
    data = _payload(ReorderIn)
    with unit_of_work() as s:
        setup.reorder_items(s, actor, meeting_id, data.item_ids)
    with read_only() as s:
        room = load_room(s, meeting_id)
        out = _agenda(s, meeting_id, room.body.profile)
    _tell_room(meeting_id)
    return _ok(agenda=out)


@endpoint("PUT", "/items/<int:item_id>/steps", "setStep",
          "登记决策准备环节（合法性审查、专家论证、公众参与、风险评估、部门会商）的情况", "议题",
          request=StepIn, response_key="item", response=ItemOut,
          description="规则配置要求而未完成（或合法性审查未通过）的，议题不得提交会议（国务院令第713号 第26、28条）。")
def set_step(item_id: int):
    actor = _staff()
    data = _payload(StepIn)
    with unit_of_work() as s:
        setup.set_step(s, actor, item_id, data)
        s.flush()
        item = setup.get(s, AgendaItem, item_id, "议题")
        out = _item(s, item)
    _tell_room(item.meeting_id)
    return _ok(item=out)


@endpoint("POST", "/items/<int:item_id>/materials", "uploadMaterial",
          "上传议题材料（PDF、图片、纯文本、docx；50 MB 以内），在平板上显示", "议题",
          multipart=True, response_key="material", response=MaterialOut, status=201)
def upload_material(item_id: int):
    actor = _staff()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload(detail="file: 请以 multipart/form-data 上传文件（字段名 file）")
    data = upload.read()
    with unit_of_work() as s:
        mat = setup.store_material(s, actor, item_id, upload.filename or "", upload.mimetype, data,
                                   Path(current_app.config["MATERIALS_DIR"]))
        meeting_id = s.get(AgendaItem, item_id).meeting_id
        out = dump(MaterialOut, _material(mat))
    _tell_room(meeting_id)
    return _ok(201, material=out)


@endpoint("DELETE", "/materials/<int:material_id>", "deleteMaterial",
          "撤回议题材料（仅限尚未开始审议的议题；书面意见扫描件不能删除）", "议题",
          description="材料从议题中移除；文件按内容散列保存，可能为其他议题共用，故不删除文件本身。")
def delete_material(material_id: int):
    actor = _staff()
    with unit_of_work() as s:
        mat = setup.get(s, Material, material_id, "材料")  # a written opinion's scan: refused by the service
        meeting_id = setup.get(s, AgendaItem, mat.item_id, "议题").meeting_id
        setup.delete_material(s, actor, material_id)
    _tell_room(meeting_id)
    return _ok()


@endpoint("POST", "/meetings/<int:meeting_id>/carry-over", "carryOver",
          "将暂缓决策的议题列入本次会议议程（保留历次审议记录）", "议题",
          request=CarryOverIn, response_key="item", response=ItemOut, status=201)
def carry_over(meeting_id: int):
    actor = _staff()
    data = _payload(CarryOverIn)
    with unit_of_work() as s:
        item = setup.carry_over(s, actor, meeting_id, data.item_id)
        s.flush()
        out = _item(s, item)
    _tell_room(meeting_id)
    return _ok(201, item=out)


# ---------------------------------------------------------------- the live room: every staff action

ACTION_RULE = "/meetings/<int:meeting_id>/actions/<name>"


def staff_actions() -> list[str]:
    """The actions the secretary may call, in registry order (each has its own path in the OpenAPI document)."""
    return [name for name, a in ACTIONS.items() if "staff" in a.roles]


@bp.post(ACTION_RULE, endpoint="action")
def action(meeting_id: int, name: str):
    """Run one live-room action: same payload, same rules, same refusals as on the secretary's console."""
    actor = _staff()
    data = _json_body() if name in ACTIONS else None
    outcome = perform(name, actor, meeting_id, data)
    current_app.extensions["yishi.broadcaster"].after(outcome)
    return _ok(**{k: v for k, v in outcome.ack.items() if k != "ok"})


# ---------------------------------------------------------------- HTTP-level refusals as JSON


def _http_error(err: HTTPException):
    if err.code == 404:
        body = NotFound(what="该接口").to_dict()
    elif err.code == 405:
        body = {"ok": False, "error": {"code": "method_not_allowed",
                                       "message": f"该接口不支持 {request.method} 方法。"}}
    elif err.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        body = {"ok": False, "error": {"code": "payload_too_large",
                                       "message": f"上传内容过大（上限 {limit // (1024 * 1024)} MB）。"}}
    elif err.code and err.code >= 500:
        if err.code == 500:
            log.error("API request failed: %s %s", request.method, request.path,
                      exc_info=getattr(err, "original_exception", None))
        body = {"ok": False, "error": {"code": "server_error", "message": HTTP_ERROR_CODES["server_error"][1]}}
    else:
        body = InvalidPayload(detail=err.description or err.name).to_dict()
    resp = jsonify(body)
    resp.status_code = err.code or 500
    if err.code == 405 and getattr(err, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(err.valid_methods)
    return resp


@bp.record_once
def _json_http_errors(state) -> None:
    """HTTP errors under /api/ (unknown path, wrong method, upload too large, server error) answer in JSON.

    Registered on the app because Flask does not route 404/405 to a blueprint's own handlers; any other path
    keeps whatever handler was there before.
    """
    app = state.app
    previous = app.error_handler_spec[None][None].get(HTTPException)

    def handler(err: HTTPException):
        if request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/"):
            return _http_error(err)
        return previous(err) if previous else err

    app.register_error_handler(HTTPException, handler)


@bp.record_once
def _refuse_unsafe_requests(state) -> None:
    """Every request of the app (pages too): a path, query string, form field or User-Agent (stored as the
    device) holding a character no stored text may hold is refused before any view reads it — a NUL would
    otherwise reach PostgreSQL, which refuses it in text with an error. JSON bodies are checked field by field
    by :class:`meeting.schemas.Payload`, which names the field; so are the forms' fields, except NUL here."""

    def check() -> None:
        where = None
        if unsafe_char(request.path) is not None:
            where = "地址"
        elif any(unsafe_char(k) is not None or unsafe_char(v) is not None
                 for k, v in request.args.items(multi=True)):
            where = "查询参数"
        elif unsafe_char(request.headers.get("User-Agent", "")) is not None:
            where = "User-Agent"
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
                "\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            where = "表单"
        if where is not None:
            raise InvalidPayload(detail=f"{where}含有不允许的控制字符")

    state.app.before_request(check)
