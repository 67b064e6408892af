"""The role × action matrix of the live room, tried from outside: each cell a real Socket.IO client.

Every action of the one registry (meeting/actions.py) has a row in tests/access_matrix.py; each role connects as it
would in the room (the secretary with a signed-in session, seats, the observer and the projector with their
links) and sends the action. A cell marked allowed must get past the door (ok, or a refusal about the room's state);
a cell marked denied must be refused as not allowed, and the record must be exactly as before.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from meeting import setup
from meeting.actions import ACTIONS
from meeting.db import read_only, unit_of_work
from meeting.models import AgendaItem, Event, Meeting, Opinion, Recusal, Round, Seat, WrittenOpinion
from meeting.schemas import ObserverIn
from tests.access_matrix import DENIAL_CODES, ROOM_ACTIONS, ROOM_ROLES, render
from tests.factories import STAFF

RECORD = (Meeting, Seat, AgendaItem, Round, Opinion, WrittenOpinion, Recusal, Event)


def record(app) -> dict:
    with app.app_context(), read_only() as s:
        return {m.__name__: [r.model_dump() for r in s.exec(select(m).order_by(m.id))] for m in RECORD}


def room_world(factory, *, chair_recused: bool) -> dict:
    """Nine members; the chair (ids[0]) presides; ids[3] is related to the subject of the personnel item under
    way (and so is the chair, when ``chair_recused``); ids[8] is on leave. Opinions have been called."""
    body, ids = factory.body(9)
    subject = factory.person("任免对象甲")
    factory.relation(ids[3], subject.id, "LINEAL")
    if chair_recused:
        factory.relation(ids[0], subject.id, "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:8])
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "absent", "reason": "因公出差"})
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", title="关于任免某某同志职务的议题", subjects=[subject.id])
    later = factory.item(m.id, title="关于某某工程的议题")
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    with factory.app.app_context(), unit_of_work() as s:
        observer = setup.add_observer(s, STAFF, m.id, ObserverIn(name="人大代表甲", unit="区人大", role="人大代表"))
        pdf = b"%PDF-1.4\n%%EOF\n"  # a material of the item, for 跟随翻页 (turn_page)
        material = setup.store_material(
            s, STAFF, later.id, "材料.pdf", "application/pdf", pdf, Path(factory.app.config["MATERIALS_DIR"])
        ).id
    return {
        "material": material,
        "ids": ids,
        "meeting": m.id,
        "item": item.id,
        "later": later.id,
        "tokens": factory.tokens(m.id),
        "observer": factory.observer_token(m.id, observer.id),
        "projector": factory.projector_token(m.id),
    }


def payload(name: str, role: str, w: dict) -> dict:
    ids, item = w["ids"], w["item"]
    return {
        "roll_call": {"person_id": ids[5], "attendance": "left", "reason": "另有公务"},
        "check_in": {},
        "open_meeting": {},
        "close_meeting": {},
        "open_item": {"item_id": w["later"]},
        "call_opinions": {"item_id": item},
        "give_opinion": {"client_id": "m" + uuid.uuid4().hex, "item_id": item, "round": 1, "stance": "agree"},
        "written_opinion": {
            "item_id": item,
            "stance": "agree",
            "reason": "同意",
            **({"person_id": ids[8]} if role == "secretary" else {}),
        },
        "add_recusal": {"item_id": item, "person_id": ids[5], "reason": "曾与任免对象共事，申请回避"},
        "remove_recusal": {"item_id": item, "person_id": ids[3]},
        "close_item": {"item_id": item},
        "head_decide": {"item_id": item, "adopt": True, "reason": "同意"},
        "defer_item": {"item_id": item, "reason": "情况尚需进一步了解"},
        "reconsider": {"item_id": item, "agreeing_person_ids": ids[:6], "reason": "有新情况"},
        "set_notes": {"item_id": item, "notes": "记录人备注"},
        "request_floor": {"item_id": item},
        "withdraw_floor": {"item_id": item},
        "give_floor": {"item_id": item, "person_id": ids[2]},
        "end_floor": {"item_id": item},
        "record_opinion": {
            "client_id": "m" + uuid.uuid4().hex,
            "item_id": item,
            "round": 1,
            "stance": "agree",
            "person_id": ids[2],
        },
        "withdraw_item": {"item_id": item, "reason": "提交单位撤回"},  # refused for its state once past the door
        "turn_page": {"material_id": w["material"], "page": 2},
        "set_presenter": {"person_id": ids[2]},
    }[name]


def connect(socketio, app, staff_http, role: str, w: dict):
    ids = w["ids"]
    # in the world where the chair is recused, ids[1] — the deputy first in seniority — presides instead
    seat = {
        "chair": ids[0],
        "recused_chair": ids[0],
        "acting_chair": ids[1],
        "member": ids[2],
        "recused_member": ids[3],
        "absent_member": ids[8],
    }
    if role == "secretary":
        return socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": w["meeting"]})
    if role == "anonymous":
        return socketio.test_client(app, auth={"meeting_id": w["meeting"]})
    if role in seat:
        return socketio.test_client(app, auth={"token": w["tokens"][seat[role]]})
    return socketio.test_client(app, auth={"token": w[role]})


def test_every_action_of_the_registry_has_a_row():
    assert set(ROOM_ACTIONS) == set(ACTIONS)


def test_the_matrix_in_docs_is_in_step_with_the_rows():
    from tests.access_matrix import DOC

    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "run: python -m tests.access_matrix"


@pytest.mark.parametrize("role", ROOM_ROLES)
@pytest.mark.parametrize("name", list(ROOM_ACTIONS))
def test_room_action_cell(app, factory, socketio, staff_http, name, role):
    w = room_world(factory, chair_recused=role in ("recused_chair", "acting_chair"))
    client = connect(socketio, app, staff_http, role, w)
    before = record(app)
    allowed = role in ROOM_ACTIONS[name]
    if not client.is_connected():
        assert not allowed, f"{role} could not connect, but may {name}"
        assert role == "anonymous"
        assert record(app) == before
        return
    client.get_received()
    ack = client.emit(name, payload(name, role, w), callback=True)
    assert isinstance(ack, dict), ack
    code = None if ack.get("ok") else ack["error"]["code"]
    assert code != "server_error", ack
    if allowed:
        assert code not in DENIAL_CODES, f"{role} should be let through to {name}: {ack}"
    else:
        assert code in DENIAL_CODES, f"{role} must not {name}: {ack}"
        assert record(app) == before, f"a refused {name} by {role} changed the record"
    client.disconnect()
