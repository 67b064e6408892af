"""代录 (issue 15, point 2): a dead tablet does not block the chair. The secretary records a present member's spoken
opinion on his behalf, under the same rules (voting/speaking.py); it is marked 代录 (who, when) in the record, on
the console and in the minutes; the member's tablet, when it comes back, shows it and may confirm or correct it
until the chair speaks. Over real Socket.IO clients, several at once; a refusal changes no row."""

from __future__ import annotations

import json

from meeting.db import read_only
from meeting.models import Event, Opinion, Seat
from minutes import service as minutes_service
from tests.factories import client_id as cid
from tests.factories import rows
from tests.meeting.test_events import assert_refused, drain, got, op, secretary, tablet
from tests.meeting.test_room import world


def _proxy(item, person_id, stance="agree", reason="", round_=1):
    return {
        "client_id": cid(),
        "item_id": item.id,
        "round": round_,
        "stance": stance,
        "reason": reason,
        "person_id": person_id,
    }


def test_the_secretary_records_for_an_offline_member_who_then_corrects_it(app, socketio, factory, staff_http):
    body, ids, m, item = factory.running(5)
    toks = factory.tokens(m.id)
    chair = tablet(socketio, app, toks[ids[0]])
    others = {p: tablet(socketio, app, toks[p]) for p in ids[1:4]}  # ids[4]'s tablet is dead
    sec = secretary(socketio, app, staff_http, m.id)
    chair_state = chair.emit("sync", callback=True)["state"]
    offline = [r["person_id"] for r in chair_state["roster"] if not r["connected"]]
    assert offline == [ids[4]]  # the chair's full view names who is offline
    drain(sec, *others.values())
    for p, c in others.items():
        assert c.emit("give_opinion", op(item, "agree"), callback=True)["ok"]
    ack = sec.emit("record_opinion", _proxy(item, ids[4], "disagree", "资金来源不明确"), callback=True)
    assert ack["ok"] is True and ack["opinion"]["proxy_by"] == "王秘书"
    row = next(o for o in rows(app, Opinion, item_id=item.id) if o.person_id == ids[4])
    assert row.proxy_by == "王秘书" and row.proxy_at is not None and row.stance == "disagree"
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "opinion.given"][-1]
    payload = json.loads(ev.payload)
    assert payload["person_id"] == ids[4] and payload["proxy_by"] == "王秘书"
    # the console: the opinion is marked 代录
    sec_ops = got(sec, "progress")[-1]["opinions"]
    assert next(o for o in sec_ops if o["person_id"] == ids[4])["proxy_by"] == "王秘书"
    # the member's tablet comes back: it shows the opinion recorded for him, marked 代录
    back = tablet(socketio, app, toks[ids[4]])
    mine = got(back, "snapshot")[-1]["me"]["opinions"][str(item.id)]
    assert mine["stance"] == "disagree" and mine["proxy_by"] == "王秘书" and mine["proxy_at"]
    # … and corrects it himself: no longer 代录
    ack = back.emit("give_opinion", op(item, "agree"), callback=True)
    assert ack["ok"] is True and ack["opinion"]["version"] == 2 and ack["opinion"]["proxy_by"] == ""
    row = next(o for o in rows(app, Opinion, item_id=item.id) if o.person_id == ids[4])
    assert row.proxy_by == "" and row.proxy_at is None and row.stance == "agree"
    # the secretary may not overwrite what the member gave himself
    before = world(app)
    assert_refused(sec.emit("record_opinion", _proxy(item, ids[4], "defer", "再议"), callback=True), "invalid_state")
    assert world(app) == before
    assert chair.emit("give_opinion", op(item, "agree"), callback=True)["ok"] is True
    for c in (chair, back, sec, *others.values()):
        c.disconnect()


def test_proxy_follows_the_opinion_rules(app, socketio, factory, staff_http):
    body, ids, m, item = factory.running(5)
    sec = secretary(socketio, app, staff_http, m.id)
    before = world(app)
    # the chair last: the secretary cannot record the chair's opinion before the others have spoken
    assert_refused(sec.emit("record_opinion", _proxy(item, ids[0]), callback=True), "chair_not_last")
    # a reason for 不同意
    assert_refused(sec.emit("record_opinion", _proxy(item, ids[1], "disagree"), callback=True), "reason_required")
    # no seat in this meeting
    assert_refused(sec.emit("record_opinion", _proxy(item, 999999), callback=True), "not_found")
    assert world(app) == before
    factory.act("roll_call", m.id, {"person_id": ids[3], "attendance": "left", "reason": "另有公务"})
    before = world(app)
    assert_refused(sec.emit("record_opinion", _proxy(item, ids[3]), callback=True), "absent_cannot_vote")
    assert world(app) == before
    # a resend with the same client id counts once
    payload = _proxy(item, ids[1])
    assert sec.emit("record_opinion", payload, callback=True)["ok"] is True
    again = sec.emit("record_opinion", payload, callback=True)
    assert again["ok"] is True and again["duplicate"] is True
    # once the chair has spoken the recorded opinion is final: the member's tablet may not correct it
    for p in (ids[2], ids[4]):
        assert sec.emit("record_opinion", _proxy(item, p), callback=True)["ok"] is True
    assert sec.emit("record_opinion", _proxy(item, ids[0]), callback=True)["ok"] is True  # the chair, last
    member = tablet(socketio, app, factory.tokens(m.id)[ids[1]])
    assert_refused(member.emit("give_opinion", op(item, "disagree", "改变意见"), callback=True), "chair_has_spoken")
    assert factory.act("close_item", m.id, {"item_id": item.id}).ack["result"] == "passed"
    factory.act("close_meeting", m.id)
    with app.app_context(), read_only() as s:
        mins = minutes_service.structured(s, m.id)
    names = [o.name for o in mins.items[0].rounds[-1].opinions]
    assert all(n.endswith("（代录）") for n in names), names
    assert sum(o.proxy for o in mins.items[0].rounds[-1].opinions) == 4
    sec.disconnect() if sec.is_connected() else None
    assert rows(app, Seat, meeting_id=m.id)


def test_a_member_or_chair_may_not_record_for_another(app, socketio, factory):
    body, ids, m, item = factory.running(5)
    toks = factory.tokens(m.id)
    chair, member = tablet(socketio, app, toks[ids[0]]), tablet(socketio, app, toks[ids[1]])
    before = world(app)
    assert_refused(chair.emit("record_opinion", _proxy(item, ids[2]), callback=True), "permission_denied")
    assert_refused(member.emit("record_opinion", _proxy(item, ids[2]), callback=True), "permission_denied")
    assert world(app) == before
    chair.disconnect()
    member.disconnect()


def test_no_proxy_for_a_recused_member_and_the_record_is_unchanged(app, socketio, factory, staff_http):
    body, ids, m, item = factory.running(5)
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[2], "reason": "曾在申报单位任职"})
    sec = secretary(socketio, app, staff_http, m.id)
    before = world(app)
    assert_refused(sec.emit("record_opinion", _proxy(item, ids[2]), callback=True), "recused")
    assert world(app) == before
    sec.disconnect()
