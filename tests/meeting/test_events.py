"""The Socket.IO layer with real ``socketio.test_client`` clients, several at once (threading mode, in-process).

Tablets, observers and the projector connect with ``auth={"token": …}``; the secretary with the Flask session of
a signed-in HTTP client and ``auth={"meeting_id": …}``. Every action is an event whose acknowledgement is
``{"ok": true, …}`` or a typed refusal ``{"ok": false, "error": {"code", "message", "source"}}``.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from meeting import setup
from meeting.db import read_only, unit_of_work
from meeting.models import Event, Opinion, OpinionRevision, Seat
from meeting.schemas import ObserverIn
from meeting.tokens import issue
from tests.factories import STAFF, rows
from tests.factories import client_id as cid

# ---------------------------------------------------------------- helpers


def tablet(socketio, app, token):
    client = socketio.test_client(app, auth={"token": token})
    assert client.is_connected(), "the personal link should connect"
    return client


def secretary(socketio, app, staff_http, meeting_id):
    client = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": meeting_id})
    assert client.is_connected(), "the signed-in secretary should connect"
    return client


def got(client, name=None):
    """Drain the client's queue; the args of every message (of ``name``, if given)."""
    return [
        msg["args"][0] if len(msg["args"]) == 1 else msg["args"]
        for msg in client.get_received()
        if name is None or msg["name"] == name
    ]


def names(client):
    return [msg["name"] for msg in client.get_received()]


def drain(*clients):
    for c in clients:
        c.get_received()


def op(item, stance="agree", reason="", client_id=None, round_=1):
    return {"client_id": client_id or cid(), "item_id": item.id, "round": round_, "stance": stance, "reason": reason}


def observer_token(factory, meeting_id):
    with factory.app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, meeting_id, ObserverIn(name="政协委员乙", role="政协委员"))
        s.flush()
        return issue(s, STAFF, meeting_id, observer_ids=[obs.id]).observers[0][1]


def projector_token(app, meeting_id):
    with app.app_context(), unit_of_work() as s:
        return issue(s, STAFF, meeting_id, projector=True).projector


def count(app, model, **where):
    return len(rows(app, model, **where))


def assert_refused(ack, code):
    assert ack["ok"] is False, ack
    assert ack["error"]["code"] == code, ack
    assert ack["error"]["message"], ack


@pytest.fixture
def live(app, socketio, factory, staff_http):
    """N = 9, all present, one item with opinions called; the secretary, the chair, three members, the projector
    and an observer connected, their connection messages drained."""
    body, ids, m, item = factory.running(9, 9)
    toks = factory.tokens(m.id)
    clients = {
        "secretary": secretary(socketio, app, staff_http, m.id),
        "chair": tablet(socketio, app, toks[ids[0]]),
        "m1": tablet(socketio, app, toks[ids[1]]),
        "m2": tablet(socketio, app, toks[ids[2]]),
        "m3": tablet(socketio, app, toks[ids[3]]),
        "projector": tablet(socketio, app, projector_token(app, m.id)),
        "observer": tablet(socketio, app, observer_token(factory, m.id)),
    }
    drain(*clients.values())
    return {"ids": ids, "m": m, "item": item, "toks": toks, **clients}


# ---------------------------------------------------------------- connecting


def test_tablet_receives_snapshot_on_connect(app, socketio, factory):
    _, ids, m, item = factory.running(9, 9)
    c = tablet(socketio, app, factory.tokens(m.id)[ids[2]])
    snap = got(c, "snapshot")
    assert len(snap) == 1
    assert snap[0]["state"]["view"] == "member"
    assert snap[0]["state"]["meeting"]["id"] == m.id
    assert snap[0]["state"]["current"]["id"] == item.id
    assert snap[0]["me"]["person_id"] == ids[2] and snap[0]["me"]["is_chair"] is False


@pytest.mark.parametrize(
    ("who", "view", "has_me"),
    [
        ("chair", "full", True),
        ("member", "member", True),
        ("observer", "public", False),
        ("projector", "public", False),
        ("secretary", "full", False),
    ],
)
def test_each_screen_gets_its_view(app, socketio, factory, staff_http, who, view, has_me):
    _, ids, m, item = factory.running(5, 5)
    if who == "secretary":
        c = secretary(socketio, app, staff_http, m.id)
    else:
        token = {
            "chair": lambda: factory.tokens(m.id)[ids[0]],
            "member": lambda: factory.tokens(m.id)[ids[1]],
            "observer": lambda: observer_token(factory, m.id),
            "projector": lambda: projector_token(app, m.id),
        }[who]()
        c = tablet(socketio, app, token)
    snap = got(c, "snapshot")[0]
    assert snap["state"]["view"] == view
    assert (snap["me"] is not None) is has_me


def test_token_in_query_string_also_connects(app, socketio, factory):
    _, ids, m, item = factory.running(5, 5)
    c = socketio.test_client(app, query_string=f"token={factory.tokens(m.id)[ids[1]]}")
    assert c.is_connected()
    assert got(c, "snapshot")[0]["me"]["person_id"] == ids[1]


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65, "'; DROP TABLE seat; --"])
def test_unknown_token_is_refused(app, socketio, factory, token):
    factory.running(5, 5)
    c = socketio.test_client(app, auth={"token": token})
    assert not c.is_connected()


def test_closed_meeting_token_is_refused(app, socketio, factory):
    _, ids, m, item = factory.running(5, 5, call=False)
    factory.act("defer_item", m.id, {"item_id": item.id, "reason": "材料不全"})
    toks = factory.tokens(m.id)
    pt = projector_token(app, m.id)
    ot = observer_token(factory, m.id)
    factory.act("close_meeting", m.id)
    for token in (toks[ids[0]], toks[ids[1]], pt, ot):
        assert not socketio.test_client(app, auth={"token": token}).is_connected()


def test_secretary_needs_a_session(app, socketio, factory, http):
    _, ids, m, item = factory.running(5, 5)
    assert not socketio.test_client(app, auth={"meeting_id": m.id}).is_connected()
    assert not socketio.test_client(app, flask_test_client=http, auth={"meeting_id": m.id}).is_connected()


@pytest.mark.parametrize("auth", [{}, {"meeting_id": "abc"}, {"meeting_id": 99999}, None])
def test_secretary_needs_a_known_meeting(app, socketio, factory, staff_http, auth):
    factory.running(5, 5)
    assert not socketio.test_client(app, flask_test_client=staff_http, auth=auth).is_connected()


def test_secretary_sees_who_is_connected(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(5, 5)
    sec = secretary(socketio, app, staff_http, m.id)
    roster = {r["person_id"]: r["connected"] for r in got(sec, "snapshot")[0]["state"]["roster"]}
    assert not any(roster.values())
    c = tablet(socketio, app, factory.tokens(m.id)[ids[3]])
    states = got(sec, "state")
    assert states and {r["person_id"]: r["connected"] for r in states[-1]["roster"]}[ids[3]] is True
    c.disconnect()
    states = got(sec, "state")
    assert states and {r["person_id"]: r["connected"] for r in states[-1]["roster"]}[ids[3]] is False
    with app.app_context(), read_only() as s:
        seat = s.exec(select(Seat).where(Seat.meeting_id == m.id, Seat.person_id == ids[3])).one()
    assert seat.connections == 0 and seat.last_seen_at is not None


def test_member_view_of_roster_hides_connection_and_absence_reason(app, socketio, factory):
    _, ids, m, item = factory.running(5, 4)
    factory.act("roll_call", m.id, {"person_id": ids[4], "attendance": "absent", "reason": "因病请假"})
    c = tablet(socketio, app, factory.tokens(m.id)[ids[1]])
    snap = got(c, "snapshot")[0]
    assert "因病请假" not in json.dumps(snap, ensure_ascii=False)
    assert all("connected" not in r for r in snap["state"]["roster"])


# ---------------------------------------------------------------- rooms stay apart


def test_two_meetings_rooms_stay_apart(app, socketio, factory, staff_http):
    _, ids_a, ma, item_a = factory.running(5, 5)
    _, ids_b, mb, item_b = factory.running(5, 5)
    ta, tb = factory.tokens(ma.id), factory.tokens(mb.id)
    a = {
        "sec": secretary(socketio, app, staff_http, ma.id),
        "m1": tablet(socketio, app, ta[ids_a[1]]),
        "m2": tablet(socketio, app, ta[ids_a[2]]),
        "proj": tablet(socketio, app, projector_token(app, ma.id)),
    }
    b = {
        "sec": secretary(socketio, app, staff_http, mb.id),
        "m1": tablet(socketio, app, tb[ids_b[1]]),
        "m2": tablet(socketio, app, tb[ids_b[2]]),
        "proj": tablet(socketio, app, projector_token(app, mb.id)),
    }
    drain(*a.values(), *b.values())

    ack = a["m1"].emit("give_opinion", op(item_a, "disagree", "甲会议的理由"), callback=True)
    assert ack["ok"] is True
    for c in b.values():
        assert c.get_received() == []
    for c in a.values():
        assert "progress" in names(c)

    ack = b["sec"].emit("roll_call", {"person_id": ids_b[3], "attendance": "left", "reason": "另有公务"}, callback=True)
    assert ack["ok"] is True
    for c in a.values():
        assert c.get_received() == []
    for c in b.values():
        assert "state" in names(c)


def test_member_token_cannot_reach_another_meetings_item(app, socketio, factory):
    _, ids_a, ma, item_a = factory.running(5, 5)
    _, ids_b, mb, item_b = factory.running(5, 5)
    c = tablet(socketio, app, factory.tokens(ma.id)[ids_a[1]])
    assert_refused(c.emit("give_opinion", op(item_b), callback=True), "not_found")
    assert count(app, Opinion) == 0


# ---------------------------------------------------------------- opinions over the socket


def test_opinion_ack_then_progress_with_opinions_only_for_full_view(app, live):
    reason = "该项目论证充分，同意实施-独特理由7731"
    ack = live["m1"].emit("give_opinion", op(live["item"], "agree", reason), callback=True)
    assert ack["ok"] is True and ack["duplicate"] is False
    assert ack["opinion"]["person_id"] == live["ids"][1] and ack["opinion"]["reason"] == reason
    assert count(app, Opinion, item_id=live["item"].id) == 1  # persisted before acknowledged

    for who in ("secretary", "chair"):
        prog = got(live[who], "progress")
        assert len(prog) == 1
        assert prog[0]["spoken"] == 1 and prog[0]["eligible"] == 9
        assert [(o["person_id"], o["reason"]) for o in prog[0]["opinions"]] == [(live["ids"][1], reason)]
        assert prog[0]["tally"]["agree"] == 1
    for who in ("m1", "m2", "m3", "projector", "observer"):
        msgs = live[who].get_received()
        prog = [x["args"][0] for x in msgs if x["name"] == "progress"]
        assert len(prog) == 1 and prog[0]["spoken"] == 1
        assert "opinions" not in prog[0] and "tally" not in prog[0]
        assert reason not in json.dumps(msgs, ensure_ascii=False)


def test_chair_early_is_refused_with_typed_ack(app, live):
    before = count(app, Event)
    ack = live["chair"].emit("give_opinion", op(live["item"]), callback=True)
    assert ack == {
        "ok": False,
        "error": {
            "code": "chair_not_last",
            "message": "会议主持人应当最后发表意见：尚有8名成员未发表意见。",
            "source": "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）2；《重大行政决策程序暂行条例》（国务院令第713号）第三十条",
        },
    }
    assert count(app, Event) == before and count(app, Opinion) == 0
    for who in ("secretary", "chair", "m1", "projector"):
        assert live[who].get_received() == []  # a refusal broadcasts nothing


def test_chair_last_is_accepted_and_everyone_gets_state(app, socketio, live):
    ids, toks = live["ids"], live["toks"]
    others = [live["m1"], live["m2"], live["m3"]] + [tablet(socketio, app, toks[p]) for p in ids[4:]]
    for c in others:
        assert c.emit("give_opinion", op(live["item"]), callback=True)["ok"] is True
    drain(*others, live["secretary"], live["projector"], live["chair"])
    ack = live["chair"].emit("give_opinion", op(live["item"], "agree", "同意"), callback=True)
    assert ack["ok"] is True and ack["opinion"]["is_chair"] is True
    # the chair's statement changes what the room may do next: full state to every view
    for c in (live["secretary"], live["projector"], others[0], live["chair"]):
        states = got(c, "state")
        assert states and states[-1]["current"]["progress"]["chair_has_spoken"] is True
    ack = live["m1"].emit("give_opinion", op(live["item"], "disagree", "改变"), callback=True)
    assert_refused(ack, "chair_has_spoken")


def test_recused_member_is_refused(app, socketio, factory):
    body, ids = factory.body(9)
    subj = factory.person("任免对象乙")
    factory.relation(ids[4], subj.id, "LINEAL")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj.id])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    c = tablet(socketio, app, factory.tokens(m.id)[ids[4]])
    assert got(c, "snapshot")[0]["me"]["recused_item_ids"] == [item.id]
    ack = c.emit("give_opinion", op(item), callback=True)
    assert_refused(ack, "recused")
    assert ack["error"]["source"]
    assert count(app, Opinion) == 0


def test_observer_is_refused(app, live):
    assert_refused(live["observer"].emit("give_opinion", op(live["item"]), callback=True), "observer_cannot_vote")
    assert_refused(
        live["observer"].emit("written_opinion", {"item_id": live["item"].id, "stance": "agree"}, callback=True),
        "observer_cannot_vote",
    )
    assert count(app, Opinion) == 0


def test_projector_is_refused(app, live):
    assert_refused(live["projector"].emit("give_opinion", op(live["item"]), callback=True), "permission_denied")


def test_absent_member_is_refused(app, socketio, factory):
    _, ids, m, item = factory.running(9, 8)
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "absent", "reason": "出差"})
    c = tablet(socketio, app, factory.tokens(m.id)[ids[8]])
    assert_refused(c.emit("give_opinion", op(item), callback=True), "absent_cannot_vote")
    # but the absent member's own link may send a written opinion
    ack = c.emit("written_opinion", {"item_id": item.id, "stance": "agree", "client_id": cid()}, callback=True)
    assert ack["ok"] is True
    assert got(c, "me")[-1]["written"][str(item.id)]["stance"] == "agree"


def test_missing_reason_is_refused(app, live):
    ack = live["m1"].emit("give_opinion", op(live["item"], "defer", ""), callback=True)
    assert_refused(ack, "reason_required")
    assert "缓议" in ack["error"]["message"]


def test_item_not_open_and_item_closed_are_refused(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(3, 3, call=False)
    c1 = tablet(socketio, app, factory.tokens(m.id)[ids[1]])
    assert_refused(c1.emit("give_opinion", op(item), callback=True), "item_not_open")
    sec = secretary(socketio, app, staff_http, m.id)
    assert sec.emit("call_opinions", {"item_id": item.id}, callback=True)["ok"] is True
    chair = tablet(socketio, app, factory.tokens(m.id)[ids[0]])
    c2 = tablet(socketio, app, factory.tokens(m.id)[ids[2]])
    for c in (c1, c2, chair):
        assert c.emit("give_opinion", op(item), callback=True)["ok"] is True
    ack = sec.emit("close_item", {"item_id": item.id}, callback=True)
    assert ack["ok"] is True and ack["result"] == "passed"
    assert_refused(c1.emit("give_opinion", op(item), callback=True), "item_closed")


def test_two_items_at_once_refused(app, live, factory):
    second = factory.item(live["m"].id, title="第二个议题")
    ack = live["secretary"].emit("open_item", {"item_id": second.id}, callback=True)
    assert_refused(ack, "another_item_open")
    assert ack["error"]["source"].startswith(
        "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）"
    )


def test_not_quorate_refused_over_socket(app, socketio, factory, staff_http):
    body, ids = factory.body(8)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:3])
    sec = secretary(socketio, app, staff_http, m.id)
    ack = sec.emit("open_meeting", {}, callback=True)
    assert_refused(ack, "not_quorate")
    assert "应到会8人" in ack["error"]["message"]
    assert sec.emit("roll_call", {"person_id": ids[3], "attendance": "present"}, callback=True)["ok"] is True
    assert sec.emit("open_meeting", callback=True) == {"ok": True}


def test_item_not_decidable_refused_over_socket(app, socketio, factory, staff_http):
    body, ids = factory.body(9)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:5])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel")
    sec = secretary(socketio, app, staff_http, m.id)
    assert_refused(sec.emit("open_item", {"item_id": item.id}, callback=True), "item_not_decidable")


def test_resend_after_reconnect_counts_once(app, socketio, live):
    payload = op(live["item"], "disagree", "风险评估不足")
    first = live["m2"].emit("give_opinion", payload, callback=True)
    assert first["ok"] is True and first["duplicate"] is False
    live["m2"].disconnect()  # the tablet lost the acknowledgement and reconnects
    again_client = tablet(socketio, app, live["toks"][live["ids"][2]])
    drain(live["secretary"])
    again = again_client.emit("give_opinion", payload, callback=True)
    assert again["ok"] is True and again["duplicate"] is True
    assert again["opinion"] == first["opinion"]
    assert count(app, Opinion, item_id=live["item"].id) == 1
    assert count(app, OpinionRevision) == 1
    assert "progress" not in names(live["secretary"])  # nothing new to tell the room
    tally = again_client.emit("sync", callback=True)["state"]["current"]["progress"]
    assert tally["spoken"] == 1


def test_reconnect_receives_snapshot_with_my_opinion(app, socketio, live):
    live["m3"].emit("give_opinion", op(live["item"], "defer", "需进一步调研"), callback=True)
    live["m3"].disconnect()
    c = tablet(socketio, app, live["toks"][live["ids"][3]])
    snap = got(c, "snapshot")
    assert len(snap) == 1
    mine = snap[0]["me"]["opinions"][str(live["item"].id)]
    assert (mine["stance"], mine["reason"], mine["version"], mine["round"]) == ("defer", "需进一步调研", 1, 1)
    assert snap[0]["state"]["current"]["progress"]["spoken"] == 1


def test_correction_over_socket_bumps_the_version(app, live):
    live["m1"].emit("give_opinion", op(live["item"], "agree"), callback=True)
    ack = live["m1"].emit("give_opinion", op(live["item"], "disagree", "更正"), callback=True)
    assert ack["opinion"]["version"] == 2 and ack["duplicate"] is False
    prog = got(live["secretary"], "progress")[-1]
    assert prog["spoken"] == 1 and prog["opinions"][0]["stance"] == "disagree"


# ---------------------------------------------------------------- malformed payloads and permissions


MALFORMED = [
    ("no payload", ()),
    ("string", ("同意",)),
    ("number", (42,)),
    ("list", ([1, 2, 3],)),
    ("empty object", ({},)),
    ("missing client_id", ({"item_id": 1, "round": 1, "stance": "agree"},)),
    ("missing stance", ({"client_id": "abcdefgh12", "item_id": 1, "round": 1},)),
    ("client_id not a string", ({"client_id": 12345678, "item_id": 1, "round": 1, "stance": "agree"},)),
    ("client_id too short", ({"client_id": "abc", "item_id": 1, "round": 1, "stance": "agree"},)),
    ("client_id odd characters", ({"client_id": "abc def/ghi", "item_id": 1, "round": 1, "stance": "agree"},)),
    ("item_id not a number", ({"client_id": "abcdefgh12", "item_id": "一", "round": 1, "stance": "agree"},)),
    ("item_id zero", ({"client_id": "abcdefgh12", "item_id": 0, "round": 1, "stance": "agree"},)),
    ("round zero", ({"client_id": "abcdefgh12", "item_id": 1, "round": 0, "stance": "agree"},)),
    ("unknown stance", ({"client_id": "abcdefgh12", "item_id": 1, "round": 1, "stance": "abstain"},)),
    ("stance object", ({"client_id": "abcdefgh12", "item_id": 1, "round": 1, "stance": {"a": 1}},)),
    ("extra field", ({"client_id": "abcdefgh12", "item_id": 1, "round": 1, "stance": "agree", "weight": 2},)),
    (
        "reason too long",
        ({"client_id": "abcdefgh12", "item_id": 1, "round": 1, "stance": "defer", "reason": "长" * 2001},),
    ),
]


@pytest.mark.parametrize("args", [x[1] for x in MALFORMED], ids=[x[0] for x in MALFORMED])
def test_malformed_opinion_payload_is_refused(app, live, args):
    before = count(app, Event)
    ack = live["m1"].emit("give_opinion", *args, callback=True)
    assert_refused(ack, "invalid_payload")
    assert ack["error"]["message"] and "请求格式" not in ack["error"]["message"]
    assert count(app, Event) == before and count(app, Opinion) == 0
    assert live["secretary"].get_received() == []


def test_two_payload_arguments_get_a_typed_refusal(app, live):
    """A tablet always gets an answer: an event sent with two arguments is refused, not dropped."""
    ack = live["m1"].emit("give_opinion", op(live["item"]), {"extra": True}, callback=True)
    assert_refused(ack, "invalid_payload")
    assert count(app, Opinion) == 0
    assert live["m1"].emit("sync", {}, {}, callback=True)["ok"] is True


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("roll_call", {"person_id": "x", "attendance": "present"}),
        ("roll_call", {"person_id": 1, "attendance": "sleeping"}),
        ("open_item", {"item": 1}),
        ("head_decide", {"item_id": 1, "adopt": "maybe"}),
        ("reconsider", {"item_id": 1, "agreeing_person_ids": "all", "reason": "x"}),
        ("defer_item", ["item", 1]),
    ],
)
def test_malformed_secretary_payload_is_refused(app, live, event, payload):
    assert_refused(live["secretary"].emit(event, payload, callback=True), "invalid_payload")


@pytest.mark.parametrize(
    ("who", "event", "payload"),
    [
        ("m1", "open_item", lambda r: {"item_id": r["item"].id}),
        ("m1", "close_item", lambda r: {"item_id": r["item"].id}),
        ("m1", "close_meeting", lambda r: {}),
        ("m1", "roll_call", lambda r: {"person_id": r["ids"][5], "attendance": "absent", "reason": "x"}),
        ("m1", "defer_item", lambda r: {"item_id": r["item"].id, "reason": "想缓"}),
        ("m1", "head_decide", lambda r: {"item_id": r["item"].id, "adopt": True}),
        ("chair", "add_recusal", lambda r: {"item_id": r["item"].id, "person_id": r["ids"][2], "reason": "x"}),
        ("chair", "reconsider", lambda r: {"item_id": r["item"].id, "agreeing_person_ids": r["ids"], "reason": "x"}),
        ("projector", "call_opinions", lambda r: {"item_id": r["item"].id}),
        ("observer", "open_meeting", lambda r: {}),
        ("secretary", "give_opinion", lambda r: op(r["item"])),
        ("secretary", "check_in", lambda r: {}),
    ],
)
def test_action_not_allowed_for_role_is_refused(app, live, who, event, payload):
    before = count(app, Event)
    ack = live[who].emit(event, payload(live), callback=True)
    assert_refused(ack, "permission_denied")
    assert ack["error"]["message"] == "您无权进行此操作。"
    assert count(app, Event) == before


def test_chair_may_defer_over_socket(app, live):
    ack = live["chair"].emit("defer_item", {"item_id": live["item"].id, "reason": "分歧较大，暂缓"}, callback=True)
    assert ack == {"ok": True, "result": "deferred"}
    assert got(live["projector"], "state")[-1]["last_closed"]["result"] == "deferred"


# ---------------------------------------------------------------- state pushes and sync


def test_sync_returns_the_snapshot(app, live):
    live["m1"].emit("give_opinion", op(live["item"], "agree", "我的理由"), callback=True)
    ack = live["m1"].emit("sync", callback=True)
    assert ack["ok"] is True
    assert ack["state"]["view"] == "member" and ack["state"]["current"]["progress"]["spoken"] == 1
    assert ack["me"]["opinions"][str(live["item"].id)]["reason"] == "我的理由"
    sec = live["secretary"].emit("sync", callback=True)
    assert sec["state"]["view"] == "full" and sec["me"] is None
    assert sec["state"]["current"]["opinions"][0]["reason"] == "我的理由"
    proj = live["projector"].emit("sync", {}, callback=True)
    assert proj["state"]["view"] == "public" and "我的理由" not in json.dumps(proj, ensure_ascii=False)


def test_secretary_action_sends_every_view_its_state(app, live):
    ack = live["secretary"].emit(
        "roll_call", {"person_id": live["ids"][8], "attendance": "left", "reason": "另有公务"}, callback=True
    )
    assert ack == {"ok": True, "attendance": "left"}
    views = {who: got(live[who], "state") for who in ("secretary", "chair", "m1", "projector", "observer")}
    assert {who: s[-1]["view"] for who, s in views.items()} == {
        "secretary": "full",
        "chair": "full",
        "m1": "member",
        "projector": "public",
        "observer": "public",
    }
    assert all(s[-1]["attendance"]["present"] == 8 for s in views.values())


def test_personal_block_goes_only_to_that_member(app, socketio, live):
    target = tablet(socketio, app, live["toks"][live["ids"][6]])
    drain(target)
    live["secretary"].emit(
        "roll_call", {"person_id": live["ids"][6], "attendance": "left", "reason": "接访"}, callback=True
    )
    mine = got(target, "me")
    assert len(mine) == 1 and mine[0]["attendance"] == "left" and mine[0]["person_id"] == live["ids"][6]
    for who in ("m1", "m2", "chair", "projector", "secretary"):
        assert "me" not in names(live[who])


def test_meeting_close_over_socket_ends_the_links(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(3, 3)
    sec = secretary(socketio, app, staff_http, m.id)
    c = tablet(socketio, app, factory.tokens(m.id)[ids[1]])
    assert_refused(sec.emit("close_meeting", callback=True), "another_item_open")
    assert sec.emit("defer_item", {"item_id": item.id, "reason": "暂缓"}, callback=True)["ok"] is True
    assert sec.emit("close_meeting", callback=True) == {"ok": True}
    # the link's socket is disconnected at once (the tablet reloads into the page for after the meeting)
    assert not c.is_connected()
    assert sec.is_connected()  # the secretary's console stays
    assert not socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]}).is_connected()


def _personnel_meeting(factory, related):
    body, ids = factory.body(9)
    subject = factory.person("拟任人选")
    factory.relation(ids[related], subject.id, "LINEAL")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(
        m.id, title="关于拟任人选的议题", category="personnel", subjects=[subject.id], summary="考察材料摘要"
    )
    factory.act("open_item", m.id, {"item_id": item.id})
    return ids, m, item


def test_item_detail_is_sent_to_members_but_refused_to_the_recused(app, socketio, factory):
    ids, m, item = _personnel_meeting(factory, related=2)
    tokens = factory.tokens(m.id)
    recused, member = tablet(socketio, app, tokens[ids[2]]), tablet(socketio, app, tokens[ids[3]])
    for client in (recused, member):
        snapshot = got(client, "snapshot")[-1]
        assert "考察材料摘要" not in json.dumps(snapshot["state"], ensure_ascii=False)
        assert snapshot["state"]["current"]["detail_version"]
    assert_refused(recused.emit("item_detail", {"item_id": item.id}, callback=True), "recused")
    ack = member.emit("item_detail", {"item_id": item.id}, callback=True)
    assert ack["ok"] is True and ack["summary"] == "考察材料摘要" and ack["materials"] == []
    assert_refused(member.emit("item_detail", {"item_id": "x"}, callback=True), "invalid_payload")
    recused.disconnect()
    member.disconnect()


def test_a_recused_chair_is_sent_the_member_view(app, socketio, factory):
    ids, m, item = _personnel_meeting(factory, related=0)  # the chair is the subject's relative
    chair = tablet(socketio, app, factory.tokens(m.id)[ids[0]])
    state = got(chair, "snapshot")[-1]["state"]
    assert state["view"] == "member" and "opinions" not in state["current"]
    chair.disconnect()


# ---------------------------------------------------------------- recusal and the public wire (issue 13)


def _recusal_room(app, socketio, factory, staff_http, related, *, decision_mode="majority"):
    """Five members, a personnel item whose subject is ``ids[related]``'s spouse; tablets connected before the item
    opens (so their first personal block names no recusal), then the item opened and opinions called."""
    body, ids = factory.body(5, decision_mode=decision_mode)
    subj = factory.person("任免对象")
    factory.relation(ids[related], subj.id, "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, title="关于任免对象任职的议题", category="personnel", subjects=[subj.id])
    toks = factory.tokens(m.id)
    c = {f"m{i}": tablet(socketio, app, toks[ids[i]]) for i in range(5)}
    c["secretary"] = secretary(socketio, app, staff_http, m.id)
    c["projector"] = tablet(socketio, app, projector_token(app, m.id))
    assert got(c[f"m{related}"], "snapshot")[-1]["me"]["recused_item_ids"] == []
    drain(*c.values())
    for event in ("open_item", "call_opinions"):  # through the secretary's socket: the room is told
        assert c["secretary"].emit(event, {"item_id": item.id}, callback=True)["ok"]
    return ids, m, item, c


def test_the_recused_member_never_sees_the_tally_of_the_item_he_left(app, socketio, factory, staff_http):
    ids, m, item, c = _recusal_room(app, socketio, factory, staff_http, related=3)
    mine = got(c["m3"], "me")
    assert mine and mine[-1]["recused_item_ids"] == [item.id]  # told at once when the item opened
    for p in (1, 2, 4):
        assert c[f"m{p}"].emit("give_opinion", op(item, "disagree", f"理由{p}"), callback=True)["ok"]
    assert c["m0"].emit("give_opinion", op(item), callback=True)["ok"]
    drain(*c.values())
    assert c["secretary"].emit("close_item", {"item_id": item.id}, callback=True)["ok"]
    theirs = got(c["m1"], "state")[-1]["last_closed"]
    assert theirs["id"] == item.id and theirs["tally"]["disagree"] == 3
    assert got(c["projector"], "state")[-1]["last_closed"]["tally"]["disagree"] == 3
    received = c["m3"].get_received()
    states = [x["args"][0] for x in received if x["name"] == "state"]
    assert states and all("tally" not in st["last_closed"] for st in states)
    last = states[-1]["last_closed"]
    assert last["id"] == item.id and last["result"] == "not_passed" and last["withheld"] is True
    assert "理由1" not in json.dumps(received, ensure_ascii=False)
    # and after a reconnect: the snapshot, and sync
    again = tablet(socketio, app, factory.tokens(m.id)[ids[3]])
    snap = got(again, "snapshot")[-1]
    assert snap["me"]["recused_item_ids"] == [item.id] and "tally" not in snap["state"]["last_closed"]
    synced = again.emit("sync", callback=True)
    assert "tally" not in synced["state"]["last_closed"]
    assert "tally" in c["m1"].emit("sync", callback=True)["state"]["last_closed"]
    for client in (*c.values(), again):
        client.disconnect()


def test_a_recused_chair_gets_no_tally_and_may_not_decide_over_socket(app, socketio, factory, staff_http):
    ids, m, item, c = _recusal_room(app, socketio, factory, staff_http, related=0, decision_mode="head_decides")
    chair = c["m0"]
    for p in (2, 3, 4):
        assert c[f"m{p}"].emit("give_opinion", op(item, "agree", f"独特理由{p}"), callback=True)["ok"]
    seen = chair.get_received()
    assert "独特理由" not in json.dumps(seen, ensure_ascii=False)
    assert all(
        "tally" not in x["args"][0] and "opinions" not in x["args"][0] and "can_still_pass" not in x["args"][0]
        for x in seen
        if x["name"] == "progress"
    )
    before = count(app, Event)
    assert_refused(chair.emit("head_decide", {"item_id": item.id, "adopt": True}, callback=True), "recused")
    assert_refused(chair.emit("defer_item", {"item_id": item.id, "reason": "再议"}, callback=True), "recused")
    assert count(app, Event) == before
    # the acting chair (ids[1], the deputy first in seniority) speaks last and decides from his tablet
    ack = c["m1"].emit("give_opinion", op(item, "agree", "同意"), callback=True)
    assert ack["ok"] is True and ack["opinion"]["is_chair"] is True
    ack = c["m1"].emit("head_decide", {"item_id": item.id, "adopt": True}, callback=True)
    assert ack["ok"] is True and ack["result"] == "head_adopted"
    states = got(chair, "state")
    assert states and all(not st["last_closed"] or "tally" not in st["last_closed"] for st in states)
    assert all("opinions" not in (st["last_closed"] or {}) for st in states)
    assert "opinions" in got(c["secretary"], "state")[-1]["last_closed"]
    for client in c.values():
        client.disconnect()


def test_the_public_wire_carries_no_presenter_unit_nor_can_still_pass(app, socketio, factory, staff_http):
    body, ids, m, _ = factory.running(5, 5, call=False)
    factory.act("defer_item", m.id, {"item_id": _.id, "reason": "另行研究"})
    item = factory.item(
        m.id, title="关于保密事项的议题", presenter="保密汇报人甲", submitting_unit="保密单位乙", confidential=True
    )
    toks = factory.tokens(m.id)
    sec = secretary(socketio, app, staff_http, m.id)
    member = tablet(socketio, app, toks[ids[1]])
    projector = tablet(socketio, app, projector_token(app, m.id))
    obs = tablet(socketio, app, observer_token(factory, m.id))
    for client in (projector, obs):
        text = json.dumps(got(client, "snapshot"), ensure_ascii=False)
        assert "保密汇报人甲" not in text and "保密单位乙" not in text
    drain(sec, member)
    for event in ("open_item", "call_opinions"):
        assert sec.emit(event, {"item_id": item.id}, callback=True)["ok"]
    assert member.emit("give_opinion", op(item, "disagree", "不同意"), callback=True)["ok"]
    for client in (projector, obs):
        received = client.get_received()
        text = json.dumps(received, ensure_ascii=False)
        assert "保密汇报人甲" not in text and "保密单位乙" not in text and "can_still_pass" not in text
        assert "presiding_person_id" not in text
        assert any(x["name"] == "progress" for x in received) and any(x["name"] == "state" for x in received)
    received = member.get_received()
    assert "can_still_pass" not in json.dumps(received) and any(x["name"] == "progress" for x in received)
    assert got(member, "snapshot") == []
    full = sec.get_received()
    assert any("can_still_pass" in x["args"][0] for x in full if x["name"] == "progress")
    assert any("can_still_pass" in x["args"][0]["current"]["progress"] for x in full if x["name"] == "state")
    for client in (sec, member, projector, obs):
        client.disconnect()
