"""An item that cannot be opened is no dead end (issue 15, point 1): 暂缓审议 (defer_item on an item not yet opened:
it comes back to the body's next meeting) and 撤回议题 (withdraw_item) are its conclusion for 散会 and the minutes;
an item on the agenda of an opened meeting is never deleted. Through the action registry and real Socket.IO
clients; a refusal changes no row."""

from __future__ import annotations

import json

import pytest

from meeting import setup
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidState, ItemOnOpenedAgenda, ItemsNotConcluded
from meeting.models import AgendaItem, Event, Round
from meeting.verify import verify_meeting
from minutes import service as minutes_service
from tests.factories import STAFF, rows
from tests.meeting.test_events import assert_refused, drain, got, secretary, tablet
from tests.meeting.test_room import one, refused, state, world


def _stuck(factory, n=5):
    """A meeting in session whose second item misses its 合法性审查 and cannot be opened; the first is decided."""
    body, ids = factory.body(n)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    done = factory.item(m.id, title="关于已审议事项的议题")
    stuck = factory.item(
        m.id, title="关于某某工程立项的议题", category="major_project", prepared=False, submitting_unit="区住建局"
    )
    factory.act("open_item", m.id, {"item_id": done.id})
    factory.act("call_opinions", m.id, {"item_id": done.id})
    factory.all_agree(m.id, done, ids, ids[0])
    factory.act("close_item", m.id, {"item_id": done.id})
    return body, ids, m, stuck


def test_an_unopenable_item_blocks_close_until_it_is_deferred(app, factory):
    body, ids, m, stuck = _stuck(factory)
    refused(ItemsNotConcluded, factory.act, "close_meeting", m.id)
    ack = factory.act("defer_item", m.id, {"item_id": stuck.id, "reason": "合法性审查尚未完成"}).ack
    assert ack == {"ok": True, "result": "deferred"}
    item = one(app, AgendaItem, stuck.id)
    assert item.status == "deferred"
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "item.deferred"][-1]
    assert json.loads(ev.payload)["before_opening"] is True
    entry = next(it for it in state(app, m.id)["agenda"] if it["id"] == stuck.id)
    assert entry["result_label"] == "暂缓审议"
    assert factory.act("close_meeting", m.id).ack["ok"] is True
    # it comes back as a proposed item of the body's next meeting, and carried over it links back
    nxt = factory.meeting(body.id, session_number=2)
    with app.app_context(), read_only() as s:
        assert [d.id for d in setup.deferred_items(s, body.id, exclude_meeting_id=nxt.id)] == [stuck.id]
    with app.app_context(), unit_of_work() as s:
        again = setup.carry_over(s, STAFF, nxt.id, stuck.id)
        assert again.carried_from_item_id == stuck.id and again.status == "pending"
    # the minutes list it, with the reason
    with app.app_context(), read_only() as s:
        mins = minutes_service.structured(s, m.id)
    it = next(x for x in mins.items if x.id == stuck.id)
    assert it.decided and it.result_label == "暂缓审议"
    assert it.set_aside == "该议题暂缓审议，列入以后的会议。理由：合法性审查尚未完成。"


def test_withdrawn_item_is_concluded_recorded_and_never_carried(app, factory):
    body, ids, m, stuck = _stuck(factory)
    ack = factory.act("withdraw_item", m.id, {"item_id": stuck.id, "reason": "提交单位需补充合法性审查"}).ack
    assert ack == {"ok": True, "result": "withdrawn"}
    assert one(app, AgendaItem, stuck.id).status == "withdrawn"
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "item.withdrawn"][-1]
    p = json.loads(ev.payload)
    assert p["reason"] == "提交单位需补充合法性审查" and p["submitting_unit"] == "区住建局"
    rnd = rows(app, Round, item_id=stuck.id)[-1]
    assert rnd.result == "withdrawn" and rnd.defer_reason == "提交单位需补充合法性审查"
    entry = next(it for it in state(app, m.id, "public")["agenda"] if it["id"] == stuck.id)
    assert entry["status"] == "withdrawn" and entry["result_label"] == "撤回"
    assert factory.act("close_meeting", m.id).ack["ok"] is True
    with app.app_context(), read_only() as s:
        assert setup.deferred_items(s, body.id) == []
        mins = minutes_service.structured(s, m.id)
        report = verify_meeting(s, m.id)
    it = next(x for x in mins.items if x.id == stuck.id)
    assert it.decided and it.result_label == "撤回"
    assert it.set_aside == "该议题由区住建局撤回。理由：提交单位需补充合法性审查。"
    assert report.ok, report.problems


@pytest.mark.parametrize("action", ["defer_item", "withdraw_item"])
def test_set_aside_needs_a_reason(app, factory, action):
    _, _, m, stuck = _stuck(factory)
    before = world(app)
    from meeting.errors import InvalidPayload

    refused(InvalidPayload, factory.act, action, m.id, {"item_id": stuck.id, "reason": ""})
    assert world(app) == before


def test_withdraw_only_an_item_not_yet_opened(app, factory):
    body, ids, m, stuck = _stuck(factory)
    decided = rows(app, AgendaItem, meeting_id=m.id)[0]
    before = world(app)
    refused(InvalidState, factory.act, "withdraw_item", m.id, {"item_id": decided.id, "reason": "撤回"})
    live = factory.item(m.id, title="关于正在审议事项的议题")
    factory.act("open_item", m.id, {"item_id": live.id})
    before = world(app)
    refused(InvalidState, factory.act, "withdraw_item", m.id, {"item_id": live.id, "reason": "撤回"})
    assert world(app) == before


def test_withdraw_refused_before_the_meeting_opens(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    before = world(app)
    from meeting.errors import MeetingNotInSession

    refused(MeetingNotInSession, factory.act, "withdraw_item", m.id, {"item_id": item.id, "reason": "撤回"})
    assert world(app) == before


def test_an_item_on_an_opened_agenda_is_not_deleted(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    early = factory.item(m.id, title="会前删除的议题")
    with app.app_context(), unit_of_work() as s:  # before the meeting opens the secretary may still delete it
        setup.delete_item(s, STAFF, early.id)
    item = factory.item(m.id, category="major_project", prepared=False)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    before = world(app)
    with app.app_context(), unit_of_work() as s:
        err = refused(ItemOnOpenedAgenda, setup.delete_item, s, STAFF, item.id)
    assert "暂缓审议" in err.message and "撤回" in err.message
    assert "白洮政发〔2023〕14号" in err.source and "seed" not in err.source
    assert world(app) == before


def test_delete_over_the_api_is_refused_once_opened(app, factory, staff_http):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    resp = staff_http.delete(f"/api/v1/items/{item.id}", headers={"X-CSRF-Token": staff_http.csrf})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "item_on_opened_agenda"
    assert one(app, AgendaItem, item.id) is not None


def test_chair_and_secretary_set_aside_over_sockets_a_member_may_not(app, socketio, factory, staff_http):
    body, ids, m, stuck = _stuck(factory)
    other = factory.item(m.id, title="关于另一事项的议题", category="major_project", prepared=False)
    toks = factory.tokens(m.id)
    chair, member = tablet(socketio, app, toks[ids[0]]), tablet(socketio, app, toks[ids[2]])
    sec = secretary(socketio, app, staff_http, m.id)
    drain(chair, member, sec)
    before = world(app)
    assert_refused(
        member.emit("withdraw_item", {"item_id": stuck.id, "reason": "撤回"}, callback=True), "permission_denied"
    )
    assert_refused(
        member.emit("defer_item", {"item_id": stuck.id, "reason": "暂缓"}, callback=True), "permission_denied"
    )
    assert world(app) == before
    ack = chair.emit("withdraw_item", {"item_id": stuck.id, "reason": "提交单位撤回"}, callback=True)
    assert ack["ok"] is True
    ack = sec.emit("defer_item", {"item_id": other.id, "reason": "合法性审查尚未完成"}, callback=True)
    assert ack["ok"] is True
    states = got(member, "state")
    agenda = {it["id"]: it for it in states[-1]["agenda"]}
    assert agenda[stuck.id]["status"] == "withdrawn" and agenda[other.id]["result_label"] == "暂缓审议"
    assert sec.emit("close_meeting", {}, callback=True)["ok"] is True
    assert not member.is_connected() and not chair.is_connected()  # 散会: the personal links end at once
    if sec.is_connected():
        sec.disconnect()
