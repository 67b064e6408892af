"""``/api/v1`` routes of the leadership bodies, the people and their relations (what a meeting is set up from)."""

from __future__ import annotations

from pydantic import Field
from sqlmodel import col, select

from .. import setup
from ..db import read_only, unit_of_work
from ..models import Body, Person, Relation
from ..schemas import BodyIn, MembersIn, PersonIn, RelationIn
from .kit import Query, QueryInt, _ok, _payload, _staff, endpoint, query
from .models import BodyDetailOut, BodyOut, DeferredItemOut, PersonOut, RelationOut, dump
from .present import _body_detail, _item


class RelationsQuery(Query):
    person_id: QueryInt(1) | None = Field(None, description="只列出涉及此人的关系")


# ---------------------------------------------------------------- bodies


@endpoint(
    "GET",
    "/bodies",
    "listBodies",
    "领导班子列表",
    "领导班子",
    response_key="bodies",
    response=BodyOut,
    response_list=True,
)
def list_bodies():
    _staff()
    with read_only() as s:
        bodies = s.exec(select(Body).order_by(col(Body.id))).all()
        return _ok(bodies=[dump(BodyOut, b) for b in bodies])


@endpoint(
    "POST",
    "/bodies",
    "createBody",
    "新建领导班子（名称、类别、决策方式、规则配置）",
    "领导班子",
    request=BodyIn,
    response_key="body",
    response=BodyOut,
    status=201,
)
def create_body():
    actor = _staff()
    data = _payload(BodyIn)
    with unit_of_work() as s:
        body = setup.create_body(s, actor, data)
    return _ok(201, body=dump(BodyOut, body))


@endpoint(
    "GET",
    "/bodies/<int:body_id>",
    "getBody",
    "领导班子详情及成员名单（按排名）",
    "领导班子",
    response_key="body",
    response=BodyDetailOut,
)
def get_body(body_id: int):
    _staff()
    with read_only() as s:
        body = setup.get(s, Body, body_id, "领导班子")
        return _ok(body=_body_detail(s, body))


@endpoint(
    "PUT",
    "/bodies/<int:body_id>",
    "updateBody",
    "修改领导班子",
    "领导班子",
    request=BodyIn,
    response_key="body",
    response=BodyOut,
)
def update_body(body_id: int):
    actor = _staff()
    data = _payload(BodyIn)
    with unit_of_work() as s:
        body = setup.update_body(s, actor, body_id, data)
    return _ok(body=dump(BodyOut, body))


@endpoint(
    "PUT",
    "/bodies/<int:body_id>/members",
    "setMembers",
    "设置领导班子成员名单（按排名，第一位为主要负责人）",
    "领导班子",
    request=MembersIn,
    response_key="body",
    response=BodyDetailOut,
)
def set_members(body_id: int):
    actor = _staff()
    data = _payload(MembersIn)
    with unit_of_work() as s:
        setup.set_members(s, actor, body_id, data)
    with read_only() as s:
        return _ok(body=_body_detail(s, setup.get(s, Body, body_id, "领导班子")))


@endpoint(
    "GET",
    "/bodies/<int:body_id>/deferred-items",
    "listDeferredItems",
    "暂缓决策、尚未列入其他会议议程的议题（附历次审议情况）",
    "议题",
    response_key="items",
    response=DeferredItemOut,
    response_list=True,
)
def deferred_items(body_id: int):
    _staff()
    with read_only() as s:
        body = setup.get(s, Body, body_id, "领导班子")
        items = setup.deferred_items(s, body.id)
        return _ok(items=[_item(s, it, body.profile, history=True) for it in items])


# ---------------------------------------------------------------- people and relations


@endpoint(
    "GET", "/people", "listPeople", "人员列表", "人员", response_key="people", response=PersonOut, response_list=True
)
def list_people():
    _staff()
    with read_only() as s:
        return _ok(people=[dump(PersonOut, p) for p in s.exec(select(Person).order_by(col(Person.id)))])


@endpoint(
    "POST",
    "/people",
    "createPerson",
    "新增人员（姓名、职务、单位）",
    "人员",
    request=PersonIn,
    response_key="person",
    response=PersonOut,
    status=201,
)
def create_person():
    actor = _staff()
    data = _payload(PersonIn)
    with unit_of_work() as s:
        person = setup.create_person(s, actor, data)
    return _ok(201, person=dump(PersonOut, person))


@endpoint(
    "PUT",
    "/people/<int:person_id>",
    "updatePerson",
    "修改人员信息",
    "人员",
    request=PersonIn,
    response_key="person",
    response=PersonOut,
)
def update_person(person_id: int):
    actor = _staff()
    data = _payload(PersonIn)
    with unit_of_work() as s:
        person = setup.update_person(s, actor, person_id, data)
    return _ok(person=dump(PersonOut, person))


@endpoint(
    "GET",
    "/relations",
    "listRelations",
    "需回避的人员关系列表（可按 person_id 筛选）",
    "人员",
    response_key="relations",
    response=RelationOut,
    response_list=True,
    query=RelationsQuery,
)
def list_relations():
    _staff()
    person_id = query(RelationsQuery).person_id
    q = select(Relation).order_by(col(Relation.id))
    if person_id is not None:
        q = q.where((Relation.person_a_id == person_id) | (Relation.person_b_id == person_id))
    with read_only() as s:
        return _ok(relations=[dump(RelationOut, r) for r in s.exec(q)])


@endpoint(
    "POST",
    "/relations",
    "createRelation",
    "登记人员关系（SELF、SPOUSE、LINEAL、COLLATERAL_3、IN_LAW，或 OTHER 并写明理由）",
    "人员",
    request=RelationIn,
    response_key="relation",
    response=RelationOut,
    status=201,
    description="类型及其法律依据见 voting/relations.toml（公务员法 第74、76条）。",
)
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
