"""No input can break the record (issue 13, holes 3 and 4): unsafe characters refused at the boundary, every
integer bounded, one bad request in a burst refused alone, and the 5xx that fuzzing found answered as typed 4xx."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import pytest
from sqlmodel import select

from meeting import intake, room
from meeting.db import read_only
from meeting.errors import InvalidPayload
from meeting.models import Opinion, User
from meeting.room import Outcome
from meeting.schemas import OpinionIn, clean_text, parse, unsafe_char
from tests.factories import form_csrf, sign_in
from tests.snapshot import changed, dump_db

BAD_TEXTS = ["理由\x01", "\x00", "a\x0bb", "\ufffe", "\ud800", "正常\u202e文字", "\u2066隔离"]


def _opinion(item_id, reason="", stance="disagree", client_id=None):
    return {
        "client_id": client_id or uuid.uuid4().hex,
        "item_id": item_id,
        "round": 1,
        "stance": stance,
        "reason": reason,
    }


# ---------------------------------------------------------------- the one check


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_every_unsafe_character_is_refused_naming_the_field(app, text):
    with app.app_context(), pytest.raises(InvalidPayload) as err:
        parse(OpinionIn, _opinion(1, text))
    assert "理由" in err.value.message and "控制字符" in err.value.message
    assert clean_text(text + "ok") == "".join(c for c in text if unsafe_char(c) is None) + "ok"


@pytest.mark.parametrize("text", ["第一行\n第二行", "制表\t符", "回车\r\n", "《公务员法》第七十六条", "emoji 👍"])
def test_ordinary_text_passes(app, text):
    with app.app_context():
        assert parse(OpinionIn, _opinion(1, text)).reason == text.strip()


def test_nested_strings_and_keys_are_checked_too(app):
    from execution.service import AssignmentIn

    base = {
        "title": "事项",
        "decided_text": "内容",
        "category": "other",
        "decided_on": "2024-01-01",
        "lead_unit": "区住建局",
        "supporting_units": ["区财政局"],
    }
    with app.app_context():
        with pytest.raises(InvalidPayload) as err:
            parse(AssignmentIn, base | {"supporting_parts": {"区财政局\u202e": "资金"}})
        assert "控制字符" in err.value.message
        with pytest.raises(InvalidPayload):
            parse(AssignmentIn, base | {"milestones": [["节点\x07", "2024-02-01"]]})


# ---------------------------------------------------------------- hole 3: over Socket.IO and the API, nothing changes


def test_a_control_character_in_a_reason_is_refused_over_socketio_and_changes_nothing(app, socketio, factory):
    _, ids, m, item = factory.running(5, 5)
    toks = factory.tokens(m.id)
    client = socketio.test_client(app, auth={"token": toks[ids[1]]})
    before = dump_db(app)
    for text in BAD_TEXTS:
        ack = client.emit("give_opinion", _opinion(item.id, text), callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload", ack
        assert "理由" in ack["error"]["message"]
    ack = client.emit("written_opinion", {"item_id": item.id, "stance": "agree", "reason": "书面\x01"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
    assert changed(before, dump_db(app)) == {}
    ok = client.emit("give_opinion", _opinion(item.id, "资金来源尚不明确"), callback=True)
    assert ok["ok"] is True  # the same tablet, with an ordinary reason


def test_a_control_character_is_refused_over_the_api_and_changes_nothing(app, factory, staff_http):
    _, ids, m, item = factory.running(5, 5)
    h = {"X-CSRF-Token": staff_http.csrf}
    before = dump_db(app)
    for path, body in [
        (f"/api/v1/meetings/{m.id}/actions/defer_item", {"item_id": item.id, "reason": "材料不全\x01"}),
        (f"/api/v1/meetings/{m.id}/actions/set_notes", {"item_id": item.id, "notes": "\u202e备注"}),
        ("/api/v1/people", {"name": "张\x00三"}),
        ("/api/v1/bodies", {"name": "某某区\x1b人民政府"}),
        (f"/api/v1/meetings/{m.id}/observers", {"name": "李律师", "unit": "\x08"}),
    ]:
        resp = staff_http.post(path, json=body, headers=h)
        assert resp.status_code == 400, (path, resp.get_json())
        assert resp.get_json()["error"]["code"] == "invalid_payload"
    resp = staff_http.post(
        f"/api/v1/items/{item.id}/materials",
        headers=h,
        content_type="multipart/form-data",
        data={"file": (__import__("io").BytesIO(b"text"), "材料\x01.txt", "text/plain")},
    )
    assert resp.status_code == 400 and "文件名" in resp.get_json()["error"]["message"]
    assert changed(before, dump_db(app)) == {}


def test_nul_in_a_query_string_form_or_path_is_refused_not_a_server_error(app, http, staff_http):
    for resp in [
        staff_http.get("/api/v1/meetings?status=%00"),
        http.get("/minutes/archive?q=a%00b"),
        http.post(
            "/login",
            data={
                "username": "mi\x00shu",
                "password": "x",
                "csrf_token": form_csrf(http.get("/login").get_data(as_text=True)),
            },
        ),
        http.get("/t/abc%00def"),
    ]:
        assert resp.status_code == 400, resp.data[:300]


# ---------------------------------------------------------------- hole 4: bounded integers; a burst keeps its good requests


@pytest.mark.parametrize("value", [2**31, 2**63, 2**64, -1, 0, True, 1.5, "1" * 5000])
def test_ids_are_bounded_to_the_database_integer(app, value):
    with app.app_context(), pytest.raises(InvalidPayload):
        parse(OpinionIn, _opinion(value))


def test_a_huge_id_in_a_burst_is_refused_alone_over_sockets(app, socketio, factory):
    """Several real socketio clients' opinions reach the intake together; one names item 2**64. Only that one is
    refused (a typed error); the others are written and acknowledged."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    members = ids[1:5]
    clients = {p: socketio.test_client(app, auth={"token": toks[p]}) for p in members}
    bad = members[0]
    queue = app.extensions["yishi.intake"]
    gate = threading.Event()
    real_drain = queue._drain

    def drain_when_all_queued(meeting_id):
        gate.wait(20)
        real_drain(meeting_id)

    queue._drain = drain_when_all_queued
    acks, done = {}, {}

    def give(person):
        payload = _opinion(2**64 if person == bad else item.id, "理由", client_id=f"burst-{person:04d}")
        acks[person] = clients[person].emit("give_opinion", payload, callback=True)
        done[person] = True

    threads = [threading.Thread(target=give, args=(p,)) for p in members]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    # all in one batch: the good ones queued, and the bad one either refused already or queued with them
    while not (
        sum(len(q) for q in queue._queues.values()) >= len(members)
        or (done.get(bad) and sum(len(q) for q in queue._queues.values()) >= len(members) - 1)
    ):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    gate.set()
    for t in threads:
        t.join(30)
    assert acks[bad]["ok"] is False and acks[bad]["error"]["code"] == "invalid_payload", acks[bad]
    assert all(acks[p]["ok"] is True for p in members[1:]), acks
    with app.app_context(), read_only() as s:
        stored = {o.person_id for o in s.exec(select(Opinion).where(Opinion.item_id == item.id))}
    assert stored == set(members[1:])


def test_a_batch_that_raises_is_retried_one_by_one(app, factory, monkeypatch, caplog):
    """Whatever raises inside a batch (here a value the database cannot hold, slipped past validation): the
    batch is rolled back, each request retried alone, and only the bad one is refused — with a typed error."""
    _, ids, m, item = factory.running(6, 6)
    actors = [factory.seat_actor(m.id, p) for p in ids[1:5]]
    poison = "poison-000001"
    real_batch, real_one = intake.give_opinions, room.give_opinion

    def batch(s, meeting_id, requests):
        if any(data.client_id == poison for _, data in requests):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real_batch(s, meeting_id, requests)

    def one(s, actor, data):
        if data.client_id == poison:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real_one(s, actor, data)

    monkeypatch.setattr(intake, "give_opinions", batch)
    monkeypatch.setattr(room, "give_opinion", one)
    requests = [
        (a, OpinionIn(client_id=poison if i == 1 else f"fine-{i:08d}", item_id=item.id, round=1, stance="agree"))
        for i, a in enumerate(actors)
    ]
    queue = intake.OpinionIntake(app, app.extensions["socketio"])
    with app.app_context(), caplog.at_level(logging.WARNING):
        out = queue._persist(m.id, requests)
    assert isinstance(out[1], InvalidPayload)
    assert [isinstance(o, Outcome) and o.ack["ok"] for i, o in enumerate(out) if i != 1] == [True] * 3
    with app.app_context(), read_only() as s:
        stored = {o.person_id for o in s.exec(select(Opinion).where(Opinion.item_id == item.id))}
    assert stored == {ids[1], ids[3], ids[4]}


def test_huge_ids_in_urls_and_query_strings_are_typed_refusals(app, staff_http):
    for path in [
        "/api/v1/meetings/18446744073709551616",
        "/api/v1/meetings/2147483648/state",
        "/api/v1/execution/assignments/99999999999999999999",
        "/api/v1/meetings/1/events?after=18446744073709551616",
        "/api/v1/relations?person_id=-5",
        "/api/v1/execution/assignments?unit_id=18446744073709551616",
        "/api/v1/execution/assignments?due_before=0001-01-01",
    ]:
        resp = staff_http.get(path)
        assert 400 <= resp.status_code < 500, (path, resp.status_code, resp.data[:200])
        assert resp.get_json()["ok"] is False


@pytest.mark.parametrize(
    "query",
    [
        "year=-5",
        "year=99999",
        "year=2024",
        "body_id=18446744073709551616",
        "from=0001-01-01",
        "to=9999-12-31",
        "from=x",
    ],
)
def test_archive_filters_never_fail(http, query):
    assert http.get(f"/minutes/archive?{query}").status_code == 200


# ---------------------------------------------------------------- the other 5xx fuzzing found


def test_deeply_nested_json_is_a_typed_refusal(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(3, 3)
    deep = "[" * 50000 + "]" * 50000
    resp = staff_http.post(
        "/api/v1/people", data=deep, content_type="application/json", headers={"X-CSRF-Token": staff_http.csrf}
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_payload"
    nested: object = {}
    for _ in range(500):  # deep, but not beyond what the JSON decoder reads: the schema refuses it
        nested = {"a": nested}
    resp = staff_http.post(
        "/api/v1/people", json={"name": "张三", "title": nested}, headers={"X-CSRF-Token": staff_http.csrf}
    )
    assert resp.status_code == 400
    shallower: object = {}
    for _ in range(100):  # the test client's encoder recurses itself
        shallower = {"a": shallower}
    client = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    ack = client.emit("give_opinion", {**_opinion(item.id), "reason": shallower}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_payload"
    # 50,000 levels in a raw packet: the transport's decoder fails; the packet is dropped, the tablet stays
    socketio.server._handle_eio_message(client.eio_sid, '42["give_opinion",' + "[" * 50000 + "]" * 50000 + "]")
    assert client.is_connected()


def test_item_detail_without_an_ack_and_with_garbage_answers_or_stays_silent(app, socketio, factory, caplog):
    _, ids, m, item = factory.running(3, 3)
    client = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    with caplog.at_level(logging.ERROR):
        client.emit("item_detail", {"item_id": item.id})  # no ack callback
        client.emit("item_detail")
        for payload in [{"item_id": 2**64}, {"item_id": "x"}, [1, 2], "\x00"]:
            ack = client.emit("item_detail", payload, callback=True)
            assert ack["ok"] is False and ack["error"]["code"] in ("invalid_payload", "not_found"), ack
        assert client.emit("item_detail", {"item_id": item.id}, callback=True)["ok"] is True
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_empty_put_never_changes_an_account(app, factory, staff_http):
    office = factory.user("ducha", "correct horse battery", display_name="督查室", role="supervisor")
    target = factory.user("danwei", "correct horse battery", display_name="单位", role="unit")
    with app.app_context():
        from meeting.db import unit_of_work

        with unit_of_work() as s:
            u = s.get(User, target.id)
            u.active = False
            s.add(u)
    client = app.test_client()
    assert sign_in(client, "ducha").status_code in (302, 303)
    h = {"X-CSRF-Token": client.csrf}
    before = dump_db(app)
    for body in [None, {}, {"active": 1}, {"active": "true"}, {"active": 0}]:
        kw = {"json": body} if body is not None else {}
        resp = client.put(f"/api/v1/execution/accounts/{target.id}", headers=h, **kw)
        assert resp.status_code == 400, (body, resp.get_json())
    assert changed(before, dump_db(app)) == {}
    resp = client.put(f"/api/v1/execution/accounts/{target.id}", headers=h, json={"active": True})
    assert resp.status_code == 200 and resp.get_json()["account"]["active"] is True
    assert office.id != target.id


@pytest.mark.parametrize(
    "field, value",
    [
        ("starts_at", -1),
        ("starts_at", 0),
        ("starts_at", 1.5e9),
        ("starts_at", "0001-01-01T00:00"),
        ("session_number", True),
        ("session_number", 2**40),
    ],
)
def test_no_lax_coercion_in_meeting_times_and_numbers(app, factory, staff_http, field, value):
    body, _ = factory.body(3)
    payload = {
        "body_id": body.id,
        "kind": "executive",
        "session_number": 1,
        "starts_at": "2024-03-01T09:00",
        field: value,
    }
    before = dump_db(app)
    resp = staff_http.post("/api/v1/meetings", json=payload, headers={"X-CSRF-Token": staff_http.csrf})
    assert resp.status_code == 400, resp.get_json()
    assert changed(before, dump_db(app)) == {}


def test_strict_bools_in_the_api(app, factory, staff_http):
    _, ids, m, item = factory.running(3, 3)
    for value in (0, 1, "true", "yes", None):
        resp = staff_http.post(
            f"/api/v1/meetings/{m.id}/items",
            headers={"X-CSRF-Token": staff_http.csrf},
            json={"title": "议题", "category": "other", "confidential": value},
        )
        assert resp.status_code == 400, (value, resp.get_json())
    assert json.dumps(True)


# ---------------------------------------------------------------- log flooding


def test_an_unauthenticated_connection_sending_garbage_is_dropped_with_one_log_line(app, socketio, caplog, monkeypatch):
    server = socketio.server
    client = socketio.test_client(app, auth={"token": "not-a-token"})
    assert not client.is_connected()
    dropped = []
    monkeypatch.setattr(server.eio, "disconnect", lambda sid=None, **kw: dropped.append(sid))
    with caplog.at_level(logging.INFO):
        caplog.clear()
        for garbage in ["42[]", "4{not json", "9", "42" + "[" * 50000, "42[{}]", "45-[]", "4" + "[" * 3000]:
            server._handle_eio_message(client.eio_sid, garbage)
    assert dropped == [client.eio_sid]
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and "dropped" in lines[0].getMessage(), [r.getMessage() for r in lines]
    assert not [r for r in caplog.records if r.exc_info]


def test_an_authenticated_tablet_sending_garbage_keeps_its_seat(app, socketio, factory, caplog, monkeypatch):
    _, ids, m, item = factory.running(3, 3)
    client = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    dropped = []
    monkeypatch.setattr(socketio.server.eio, "disconnect", lambda sid=None, **kw: dropped.append(sid))
    with caplog.at_level(logging.WARNING):
        for garbage in ["42[]", "4{bad", "42[{}]", "42[[1]]"]:
            socketio.server._handle_eio_message(client.eio_sid, garbage)
    assert dropped == [] and client.is_connected()
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
    assert client.emit("give_opinion", _opinion(item.id, "理由"), callback=True)["ok"] is True
