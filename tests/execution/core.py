"""Helpers of the execution core tests: a meeting decided in the real room, its minutes approved through
minutes.service, accounts of every role, signed-in HTTP clients. Imported by the test modules (not a conftest, so
that the supervision tests keep theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from execution.models import AccountLink, Unit
from execution.service import AssignmentIn, create_assignment, unit_by_name
from meeting.actors import Actor
from meeting.db import unit_of_work
from minutes import service as minutes_service
from tests.factories import STAFF, sign_in

DECIDED = "原则同意城南片区老旧小区改造方案，由区住建局牵头，区财政局、区自然资源局配合，2024年3月31日前完成。"
DAY = date(2023, 12, 9)  # the factory's meetings are on 9 December 2023
SECRETARY = Actor(kind="user", name="王秘书", user_id=None, role="secretary", device="pytest")
OFFICE = Actor(kind="account", name="督查室", user_id=None, role="supervisor", device="pytest")
PASSWORD = "correct horse battery"


@dataclass
class Decided:
    meeting_id: int
    ids: list[int]
    passed: int  # passed, with the decided text in the minutes
    deferred: int
    confidential: int  # passed, confidential


def _vote(factory, m, item, ids):
    factory.act("open_item", m, {"item_id": item})
    factory.act("call_opinions", m, {"item_id": item})
    factory.all_agree(m, item, ids, chair=ids[0])
    factory.act("close_item", m, {"item_id": item})


def decided_meeting(factory, *, approve: bool = True) -> Decided:
    """Seven members; item 1 passes (texts written), item 2 deferred, item 3 (confidential) passes."""
    body, ids = factory.body(7)
    m = factory.meeting(body.id, session_number=12).id
    factory.present(m, ids)
    factory.act("open_meeting", m)
    a = factory.item(m, title="关于城南片区老旧小区改造方案的议题", category="major_decision").id
    b = factory.item(m, title="关于区体育中心改扩建项目的议题", category="major_project").id
    c = factory.item(m, title="关于某涉密事项的议题", category="other", confidential=True).id
    _vote(factory, m, a, ids)
    factory.act("defer_item", m, {"item_id": b, "reason": "用地手续尚未完备"})
    _vote(factory, m, c, ids)
    factory.act("close_meeting", m)
    with factory.app.app_context(), unit_of_work() as s:
        minutes_service.edit_texts(s, STAFF, m, a, minutes_service.MinutesItemIn(decided=DECIDED))
        minutes_service.edit_texts(
            s, STAFF, m, c, minutes_service.MinutesItemIn(decided="同意，由区保密局负责，年底前完成。")
        )
        if approve:
            minutes_service.approve(s, STAFF, m)
    return Decided(m, ids, a, b, c)


def assignment_in(d: Decided, **kw) -> AssignmentIn:
    data = dict(
        title="城南片区老旧小区改造",
        decided_text=DECIDED,
        category="major_decision",
        decided_on=DAY,
        lead_unit="区住建局",
        supporting_units=["区财政局", "区自然资源局"],
        responsible_leader="成员02",
        deadline=date(2024, 3, 31),
        meeting_id=d.meeting_id,
        item_id=d.passed,
    )
    data.update(kw)
    return AssignmentIn(**data)


def create(app, data: AssignmentIn, actor: Actor = SECRETARY):
    with app.app_context(), unit_of_work() as s:
        return create_assignment(s, actor, data)


def account(
    factory,
    username: str,
    role: str,
    *,
    unit: str | None = None,
    person_id: int | None = None,
    display_name: str | None = None,
):
    """A user of that role linked to its unit (created if new) or person."""
    user = factory.user(username, PASSWORD, display_name=display_name or username, role=role)
    with factory.app.app_context(), unit_of_work() as s:
        unit_id = unit_by_name(s, unit, create=True).id if unit else None
        if role in ("unit", "leader"):
            s.add(AccountLink(user_id=user.id, unit_id=unit_id, person_id=person_id))
    return user


def actor_of(user, role: str) -> Actor:
    return Actor(
        kind="user" if role in ("admin", "secretary") else "account",
        name=user.display_name,
        user_id=user.id,
        role=role,
        device="pytest",
    )


def client(app, username: str):
    c = app.test_client()
    resp = sign_in(c, username, PASSWORD)
    assert resp.status_code in (302, 303), resp.data
    return c


def unit_id(app, name: str) -> int:
    with app.app_context(), unit_of_work() as s:
        from sqlmodel import select

        return s.exec(select(Unit).where(Unit.name == name)).one().id
