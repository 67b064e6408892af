"""Helpers for the supervision office's tests: assignments through execution.service.create_assignment, accounts
through execution.units, signed-in HTTP clients, and a meeting decided in the real room with approved minutes."""

from __future__ import annotations

from datetime import date

from meeting.actors import Actor
from meeting.db import unit_of_work
from tests.factories import STAFF, sign_in

OFFICE = Actor(kind="account", name="督查室李主任", device="pytest", role="supervisor")
PASSWORD = "correct horse battery"


def run(app, fn):
    with app.app_context(), unit_of_work() as s:
        return fn(s)


def assignment(
    app,
    *,
    title="城南片区老旧小区改造",
    text="由区住建局牵头，区财政局配合，2024年3月31日前完成改造。",
    lead="区住建局",
    supporting=(),
    deadline=date(2024, 3, 31),
    decided_on=date(2024, 1, 10),
    public=False,
    category="major_decision",
    leader="张副区长",
    **kw,
) -> int:
    from execution.service import AssignmentIn, create_assignment

    def go(s):
        a = create_assignment(
            s,
            OFFICE,
            AssignmentIn(
                title=title,
                decided_text=text,
                category=category,
                decided_on=decided_on,
                lead_unit=lead,
                supporting_units=list(supporting),
                responsible_leader=leader,
                deadline=deadline,
                public=public,
                **kw,
            ),
        )
        return a.id

    return run(app, go)


def unit_id(app, name: str) -> int:
    from execution.service import unit_by_name

    return run(app, lambda s: unit_by_name(s, name, create=True).id)


def unit_account(app, username: str, unit: str) -> None:
    from execution.schemas import AccountIn
    from execution.units import create_account

    uid = unit_id(app, unit)
    run(
        app,
        lambda s: create_account(
            s,
            OFFICE,
            AccountIn(username=username, display_name=f"{unit}联络员", password=PASSWORD, role="unit", unit_id=uid),
        ),
    )


def client_for(app, factory, username: str, role: str | None = None, unit: str | None = None):
    """A test client signed in as ``username`` (created with ``role``, or as a unit account of ``unit``)."""
    if unit is not None:
        unit_account(app, username, unit)
    elif role is not None:
        factory.user(username, PASSWORD, display_name=f"{username}（{role}）", role=role)
    c = app.test_client()
    resp = sign_in(c, username, PASSWORD)
    assert resp.status_code in (302, 303), resp.data
    return c


def decided_meeting(factory, items) -> tuple[int, list[int]]:
    """A meeting of a five-member body where every item of ``items`` ((title, decided text, confidential), …)
    passes unanimously, the minutes carry the decided texts and are approved. Returns (meeting id, item ids)."""
    from meeting.models import Meeting
    from minutes import service as minutes
    from minutes.service import MinutesItemIn

    body, ids = factory.body(5)
    m = factory.meeting(body.id).id
    chair = run(factory.app, lambda s: s.get(Meeting, m).chair_person_id)
    factory.present(m, ids)
    factory.act("open_meeting", m)
    item_ids = []
    for title, _text, confidential in items:
        item = factory.item(m, title=title, category="major_decision", confidential=confidential).id
        factory.act("open_item", m, {"item_id": item})
        factory.act("call_opinions", m, {"item_id": item})
        factory.all_agree(m, item, ids, chair)
        factory.act("close_item", m, {"item_id": item})
        item_ids.append(item)

    def approve(s):
        for item, (_title, text, _c) in zip(item_ids, items, strict=True):
            minutes.edit_texts(s, STAFF, m, item, MinutesItemIn(decided=text))
        minutes.approve(s, STAFF, m)

    run(factory.app, approve)
    return m, item_ids
