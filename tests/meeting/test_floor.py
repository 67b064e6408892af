"""发言申请 and the speaker's time (meeting/room/floor.py), over real Socket.IO clients: members ask from their
tablets, the secretary gives the floor in the order asked, the console and every tablet are told; refusals change
nothing; each step is an event of the record."""

from __future__ import annotations

import pytest

from meeting.db import read_only, unit_of_work
from meeting.errors import FloorNoItem, FloorNotFound, FloorNotPresent, FloorNotUsed, Recused
from meeting.models import Body, FloorRequest
from tests.factories import event_log, rows

from .test_room import refused as assert_refused


def snapshot_record(app, meeting_id):
    """What a refusal must leave as it was: the requests and the event log."""
    return (
        [r.model_dump() for r in rows(app, FloorRequest, meeting_id=meeting_id)],
        [e.id for e in event_log(app, meeting_id)],
    )


def _uses_floor(app, body_id, *, requests=True, limit=5):
    with app.app_context(), unit_of_work() as s:
        body = s.get(Body, body_id)
        body.floor_requests, body.speaking_limit_minutes = requests, limit
        s.add(body)


def _states(client):
    return [m["args"][0] for m in client.get_received() if m["name"] == "state"]


def _floor_events(app, meeting_id):
    return [e.kind for e in event_log(app, meeting_id) if e.kind.startswith("floor.")]


def test_members_ask_the_secretary_gives_the_floor_in_turn_and_every_screen_is_told(app, socketio, staff_http, factory):
    body, ids, m, item = factory.running(5, 5, call=False)
    _uses_floor(app, body.id)
    toks = factory.tokens(m.id)
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    tablets = {p: socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:4]}
    console.get_received()

    # three ask, in this order; asking again keeps one's place
    for place, p in enumerate(ids[1:4], start=1):
        ack = tablets[p].emit("request_floor", {"item_id": item.id}, callback=True)
        assert ack["ok"] is True and ack["place"] == place, ack
    again = tablets[ids[1]].emit("request_floor", {"item_id": item.id}, callback=True)
    assert again["ok"] is True and again["place"] == 1
    floor = _states(console)[-1]["floor"]
    assert floor["requests"] is True and floor["limit_seconds"] == 300 and floor["item_id"] == item.id
    assert [q["person_id"] for q in floor["queue"]] == ids[1:4] and floor["speaker"] is None
    member_view = _states(tablets[ids[3]])[-1]["floor"]
    assert [q["person_id"] for q in member_view["queue"]] == ids[1:4]  # a tablet reads its own place from it

    # the secretary gives the floor to the first; then to the second, which ends the first's time
    first = floor["queue"][0]["request_id"]
    assert console.emit("give_floor", {"item_id": item.id, "request_id": first}, callback=True)["ok"] is True
    floor = _states(console)[-1]["floor"]
    assert floor["speaker"]["person_id"] == ids[1] and floor["speaker"]["since"]
    assert [q["person_id"] for q in floor["queue"]] == ids[2:4]
    second = floor["queue"][0]["request_id"]
    assert console.emit("give_floor", {"item_id": item.id, "request_id": second}, callback=True)["ok"] is True
    floor = _states(console)[-1]["floor"]
    assert floor["speaker"]["person_id"] == ids[2] and [q["person_id"] for q in floor["queue"]] == [ids[3]]
    with app.app_context(), read_only() as s:
        done = s.get(FloorRequest, first)
        assert done.ended_at is not None and done.ended_at >= done.granted_at

    # the third withdraws; a withdrawn request cannot be given the floor
    assert tablets[ids[3]].emit("withdraw_floor", {"item_id": item.id}, callback=True)["ok"] is True
    assert _states(console)[-1]["floor"]["queue"] == []
    third = tablets[ids[3]].emit("withdraw_floor", {"item_id": item.id}, callback=True)
    assert third["ok"] is False and third["error"]["code"] == "floor_not_found"

    # the floor to a member who did not ask (the presenter), then the end of the speech
    assert console.emit("give_floor", {"item_id": item.id, "person_id": ids[4]}, callback=True)["ok"] is True
    assert _states(console)[-1]["floor"]["speaker"]["person_id"] == ids[4]
    assert console.emit("end_floor", {"item_id": item.id}, callback=True)["ok"] is True
    assert _states(console)[-1]["floor"]["speaker"] is None
    assert console.emit("end_floor", {"item_id": item.id}, callback=True)["error"]["code"] == "floor_not_found"

    assert _floor_events(app, m.id) == [
        "floor.requested",
        "floor.requested",
        "floor.requested",
        "floor.given",
        "floor.ended",
        "floor.given",
        "floor.withdrawn",
        "floor.ended",
        "floor.given",
        "floor.ended",
    ]
    for c in (console, *tablets.values()):
        c.disconnect()


def test_a_body_without_requests_gets_no_floor_block_and_refuses_requests(app, factory):
    _, ids, m, item = factory.running(5, 5)
    before = snapshot_record(app, m.id)
    assert_refused(
        FloorNotUsed,
        lambda: factory.act("request_floor", m.id, {"item_id": item.id}, actor=factory.seat_actor(m.id, ids[1])),
    )
    assert snapshot_record(app, m.id) == before
    from meeting.state import build

    with app.app_context(), read_only() as s:
        assert build(s, m.id, "full")["floor"] is None


def test_a_timed_body_without_requests_still_times_the_speaker(app, factory):
    body, ids, m, item = factory.running(5, 5)
    _uses_floor(app, body.id, requests=False, limit=3)
    assert_refused(
        FloorNotUsed,
        lambda: factory.act("request_floor", m.id, {"item_id": item.id}, actor=factory.seat_actor(m.id, ids[1])),
    )
    assert factory.act("give_floor", m.id, {"item_id": item.id, "person_id": ids[2]}).ack["ok"] is True
    from meeting.state import build

    with app.app_context(), read_only() as s:
        floor = build(s, m.id, "member")["floor"]
    assert floor["requests"] is False and floor["limit_seconds"] == 180 and floor["speaker"]["person_id"] == ids[2]


@pytest.mark.parametrize("who", ["recused", "absent"])
def test_who_may_not_ask_is_refused_before_anything_changes(app, factory, who):
    body, ids = factory.body(6)
    _uses_floor(app, body.id)
    subject = factory.person("任免对象乙")
    factory.relation(ids[3], subject.id, "LINEAL")
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:5])
    factory.act("roll_call", m.id, {"person_id": ids[5], "attendance": "absent", "reason": "因公出差"})
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subject.id])
    factory.act("open_item", m.id, {"item_id": item.id})
    person, error = {"recused": (ids[3], Recused), "absent": (ids[5], FloorNotPresent)}[who]
    before = snapshot_record(app, m.id)
    assert_refused(
        error, lambda: factory.act("request_floor", m.id, {"item_id": item.id}, actor=factory.seat_actor(m.id, person))
    )
    assert_refused(error, lambda: factory.act("give_floor", m.id, {"item_id": item.id, "person_id": person}))
    assert snapshot_record(app, m.id) == before


def test_no_floor_without_an_item_under_way_nor_for_another_item(app, factory):
    body, ids, m, item = factory.running(5, 5)
    _uses_floor(app, body.id)
    other = factory.item(m.id, title="关于另一事项的议题")
    assert_refused(
        FloorNoItem,
        lambda: factory.act("request_floor", m.id, {"item_id": other.id}, actor=factory.seat_actor(m.id, ids[1])),
    )
    assert_refused(FloorNoItem, lambda: factory.act("give_floor", m.id, {"item_id": other.id, "person_id": ids[1]}))
    assert_refused(FloorNotFound, lambda: factory.act("give_floor", m.id, {"item_id": item.id, "request_id": 999}))


@pytest.mark.parametrize(
    "payload",
    [{}, {"request_id": 1, "person_id": 1}, {"person_id": "甲"}, {"request_id": 0}],
)
def test_a_malformed_give_floor_is_refused_with_a_plain_reason(app, factory, payload):
    body, ids, m, item = factory.running(5, 5)
    _uses_floor(app, body.id)
    from meeting.errors import InvalidPayload

    err = assert_refused(InvalidPayload, lambda: factory.act("give_floor", m.id, {"item_id": item.id, **payload}))
    assert "Value error" not in err.message
