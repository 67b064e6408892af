"""The JSON API under /api/v1: same services, same rules, same typed refusals as the console and the tablets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import select

from meeting.actions import ACTIONS
from meeting.auth import new_api_token
from meeting.db import read_only, unit_of_work
from meeting.models import Body, Event, Seat, User
from meeting.openapi import error_classes, error_codes
from tests.factories import event_log

ROOT = Path(__file__).resolve().parents[2]
STAFF_ACTIONS = [name for name, a in ACTIONS.items() if "staff" in a.roles]


# ---------------------------------------------------------------- helpers


@pytest.fixture
def api_token(app):
    """An API token for a secretary account, made the way ``python run.py create-api-token`` makes it."""
    with app.app_context(), unit_of_work() as s:
        user = User(username="oa", display_name="办公系统", password_hash="!api-only")
        s.add(user)
        s.flush()
        return new_api_token(s, user, "oa")


@pytest.fixture
def api(app, api_token):
    """An HTTP client that sends ``Authorization: Bearer ysk_…`` with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
    return client


def ok(resp, status=200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    data = resp.get_json()
    assert data["ok"] is True
    return data


def refused(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    data = resp.get_json()
    assert data["ok"] is False and data["error"]["code"] == code, data
    assert re.search(r"[\u4e00-\u9fff]", data["error"]["message"]), "refusals speak Chinese"
    return data["error"]


def act(client, meeting_id, name, payload=None, **kw):
    return client.post(f"/api/v1/meetings/{meeting_id}/actions/{name}", json=payload or {}, **kw)


def event_kinds(app, meeting_id) -> list[str]:
    return [e.kind for e in event_log(app, meeting_id)]


def set_up_meeting(api, n=5, kind="executive"):
    """Body, n people as members, a meeting: all through the API. Returns (meeting detail, person ids)."""
    body = ok(api.post("/api/v1/bodies", json={"name": "某某区人民政府", "decision_mode": "majority"}), 201)["body"]
    ids = [
        ok(api.post("/api/v1/people", json={"name": f"成员{i}", "title": "副区长"}), 201)["person"]["id"]
        for i in range(1, n + 1)
    ]
    ok(api.put(f"/api/v1/bodies/{body['id']}/members", json={"person_ids": ids}))
    meeting = ok(
        api.post(
            "/api/v1/meetings",
            json={
                "body_id": body["id"],
                "kind": kind,
                "session_number": 12,
                "starts_at": "2023-12-09T09:00:00",
                "place": "区政府第一会议室",
            },
        ),
        201,
    )["meeting"]
    return meeting, ids


# ---------------------------------------------------------------- authentication


def test_a_bearer_token_authenticates_and_the_log_names_the_api_client(app, api):
    data = ok(api.post("/api/v1/people", json={"name": "张三", "title": "副区长", "unit": "区政府"}), 201)
    assert data["person"]["name"] == "张三" and data["person"]["created_at"].endswith("Z")
    with app.app_context(), read_only() as s:
        ev = s.exec(select(Event).where(Event.kind == "person.created")).one()
    assert (ev.actor_kind, ev.actor_name) == ("api", "办公系统")


def test_a_wrong_token_is_refused_with_invalid_token(app, http):
    err = refused(http.get("/api/v1/bodies", headers={"Authorization": "Bearer ysk_not-a-token"}), 401, "invalid_token")
    assert err["message"]


def test_anonymous_requests_are_refused_and_change_nothing(app, http):
    refused(http.get("/api/v1/bodies"), 401, "not_signed_in")
    refused(http.post("/api/v1/bodies", json={"name": "某某区人民政府"}), 401, "not_signed_in")
    with app.app_context(), read_only() as s:
        assert s.exec(select(Body)).all() == []


def test_a_session_post_without_the_csrf_header_is_refused_and_changes_nothing(app, staff_http):
    refused(staff_http.post("/api/v1/bodies", json={"name": "某某区人民政府"}), 403, "permission_denied")
    assert ok(staff_http.get("/api/v1/bodies"))["bodies"] == []  # the session itself works for reading


def test_a_session_post_with_the_csrf_header_works(app, staff_http):
    body = ok(
        staff_http.post("/api/v1/bodies", json={"name": "某某区人民政府"}, headers={"X-CSRF-Token": staff_http.csrf}),
        201,
    )["body"]
    assert body["decision_mode"] == "majority" and body["profile"] == "taobei-2023"
    with app.app_context(), read_only() as s:
        assert s.exec(select(Event).where(Event.kind == "body.created")).one().actor_kind == "user"


def test_an_old_script_s_profile_seed003_is_accepted_and_stored_under_today_s_name(app, staff_http):
    headers = {"X-CSRF-Token": staff_http.csrf}
    body = ok(
        staff_http.post("/api/v1/bodies", json={"name": "某某区人民政府", "profile": "seed003"}, headers=headers), 201
    )["body"]
    assert body["profile"] == "taobei-2023"  # the legacy alias is mapped on input, never shown back
    with app.app_context(), read_only() as s:
        assert s.exec(select(Body.profile)).all() == ["taobei-2023"]


# ---------------------------------------------------------------- a whole meeting through the API


def test_a_whole_meeting_runs_through_the_api(app, api, factory):
    meeting, ids = set_up_meeting(api, n=5)
    mid, chair = meeting["id"], ids[0]
    assert meeting["title"] == "某某区人民政府第12次常务会议"
    assert meeting["starts_at"] == "2023-12-09T01:00:00Z"  # 09:00 in Shanghai, stored and given in UTC
    item = ok(
        api.post(
            f"/api/v1/meetings/{mid}/items",
            json={"title": "关于某某片区改造的议题", "category": "major_decision", "presenter": "李副区长"},
        ),
        201,
    )["item"]
    assert item["missing_steps"] == ["legality_review"]
    item = ok(
        api.put(
            f"/api/v1/items/{item['id']}/steps",
            json={"step": "legality_review", "state": "done", "note": "司法局已审查"},
        )
    )["item"]
    assert item["missing_steps"] == []

    for pid in ids:
        ack = ok(act(api, mid, "roll_call", {"person_id": pid, "attendance": "present"}))
        assert ack["attendance"] == "present"
    ok(act(api, mid, "open_meeting"))
    ok(act(api, mid, "open_item", {"item_id": item["id"]}))
    ok(act(api, mid, "call_opinions", {"item_id": item["id"]}))
    for n, pid in enumerate(ids[1:] + [chair]):  # members on their tablets, the chair last
        out = factory.act(
            "give_opinion",
            mid,
            {"client_id": f"tablet-{n:04d}", "item_id": item["id"], "round": 1, "stance": "agree"},
            actor=factory.seat_actor(mid, pid, chair_id=chair),
        )
        assert out.ack["ok"]
    result = ok(act(api, mid, "close_item", {"item_id": item["id"]}))
    assert result["result"] == "passed" and result["tally"]["agree"] == 5

    state = ok(api.get(f"/api/v1/meetings/{mid}/state"))["state"]
    assert state["last_closed"]["result"] == "passed" and state["meeting"]["status"] == "in_session"
    events = ok(api.get(f"/api/v1/meetings/{mid}/events?limit=1000"))["events"]
    kinds = [e["kind"] for e in events]
    expected = (
        ["meeting.created", "item.added", "item.step_set"]
        + ["attendance.set"] * 5
        + ["meeting.opened", "item.opened", "item.opinions_called"]
        + ["opinion.given"] * 5
        + ["item.closed"]
    )
    assert kinds == expected
    closed = events[-1]
    assert closed["payload"]["result"] == "passed" and closed["at"].endswith("Z")
    assert closed["actor"]["kind"] == "api" and closed["actor"]["name"] == "办公系统"
    assert [e["actor"]["kind"] for e in events if e["kind"] == "opinion.given"] == ["member"] * 4 + ["chair"]


def test_the_event_log_pages_with_after_and_limit(app, api):
    meeting, ids = set_up_meeting(api, n=5)
    for pid in ids:
        ok(act(api, meeting["id"], "roll_call", {"person_id": pid, "attendance": "present"}))
    seen, after, pages = [], 0, 0
    while True:
        page = ok(api.get(f"/api/v1/meetings/{meeting['id']}/events?after={after}&limit=2"))
        seen += page["events"]
        after, pages = page["next_after"], pages + 1
        if not page["has_more"]:
            break
    assert [e["kind"] for e in seen] == event_kinds(app, meeting["id"])
    assert pages == 3 and len({e["id"] for e in seen}) == 6
    refused(api.get(f"/api/v1/meetings/{meeting['id']}/events?limit=0"), 400, "invalid_payload")


def test_query_strings_are_read_through_their_models_with_the_same_refusals(api):
    meeting, _ = set_up_meeting(api, n=3)
    events = f"/api/v1/meetings/{meeting['id']}/events"
    said = {
        query: refused(api.get(f"{events}?{query}"), 400, "invalid_payload")["message"]
        for query in ("limit=0", "limit=1001", "after=abc", "after=--5", "after=%D9%A1", "limit=1_0")
    }
    assert said["limit=0"] == said["limit=1001"] == "limit: 应在 1–1000 之间"
    assert {said[q] for q in ("after=abc", "after=--5", "after=%D9%A1")} == {"after: 应为整数"}
    assert ok(api.get(f"{events}?limit=&after=&unknown=1"))["has_more"] is False  # empty is absent, unknown ignored
    assert (
        ok(api.get(f"/api/v1/meetings?body_id={meeting['body_id']}&status=scheduled"))["meetings"][0]["id"]
        == meeting["id"]
    )
    assert ok(api.get("/api/v1/meetings?status=closed"))["meetings"] == []
    assert (
        refused(api.get("/api/v1/relations?person_id=0"), 400, "invalid_payload")["message"]
        == "person_id: 应在 1–2147483647 之间"
    )


def test_an_api_action_reaches_the_live_room(app, socketio, staff_http, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    tablet = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    console.get_received(), tablet.get_received()
    ok(
        act(
            staff_http,
            m.id,
            "roll_call",
            {"person_id": ids[1], "attendance": "present"},
            headers={"X-CSRF-Token": staff_http.csrf},
        )
    )
    states = [msg["args"][0] for msg in console.get_received() if msg["name"] == "state"]
    assert states and states[-1]["attendance"]["present"] == 1
    mine = [msg["args"][0] for msg in tablet.get_received() if msg["name"] == "me"]
    assert mine and mine[-1]["attendance"] == "present"
    console.disconnect(), tablet.disconnect()


# ---------------------------------------------------------------- refusals: typed, Chinese, nothing changes


def test_open_meeting_without_quorum_is_refused_and_the_meeting_stays_scheduled(app, api):
    meeting, ids = set_up_meeting(api, n=9)
    for pid in ids[:4]:
        ok(act(api, meeting["id"], "roll_call", {"person_id": pid, "attendance": "present"}))
    err = refused(act(api, meeting["id"], "open_meeting"), 409, "not_quorate")
    assert "应到会9人，实到4人" in err["message"] and err["source"]
    assert ok(api.get(f"/api/v1/meetings/{meeting['id']}"))["meeting"]["status"] == "scheduled"
    assert "meeting.opened" not in event_kinds(app, meeting["id"])


@pytest.mark.parametrize(
    "payload",
    [
        {"person_id": 1, "attendance": "maybe"},
        {"person_id": "someone", "attendance": "present"},
        {"attendance": "present"},
        {"person_id": 1, "attendance": "present", "extra": True},
        [1, 2],
    ],
)
def test_a_malformed_payload_is_invalid_payload_and_changes_nothing(app, api, payload):
    meeting, _ = set_up_meeting(api, n=5)
    before = event_kinds(app, meeting["id"])
    refused(act(api, meeting["id"], "roll_call", payload), 400, "invalid_payload")
    assert event_kinds(app, meeting["id"]) == before


def test_a_body_that_is_not_json_is_invalid_payload(api):
    resp = api.post("/api/v1/bodies", data="{not json", content_type="application/json")
    refused(resp, 400, "invalid_payload")


def test_an_unknown_action_is_404(api):
    meeting, _ = set_up_meeting(api, n=5)
    refused(act(api, meeting["id"], "dissolve_the_body"), 404, "not_found")


def test_a_member_only_action_is_refused_to_the_secretary(app, api):
    meeting, _ = set_up_meeting(api, n=5)
    refused(
        act(
            api,
            meeting["id"],
            "give_opinion",
            {"client_id": "secretary-1", "item_id": 1, "round": 1, "stance": "agree"},
        ),
        403,
        "permission_denied",
    )


def test_a_setup_refusal_is_typed_and_creates_nothing(app, api):
    body = ok(api.post("/api/v1/bodies", json={"name": "尚无成员的班子"}), 201)["body"]
    refused(
        api.post(
            "/api/v1/meetings",
            json={"body_id": body["id"], "kind": "executive", "session_number": 1, "starts_at": "2023-12-09T09:00:00"},
        ),
        409,
        "invalid_state",
    )
    assert ok(api.get("/api/v1/meetings"))["meetings"] == []
    refused(api.get("/api/v1/bodies/999"), 404, "not_found")


def test_unknown_paths_and_methods_answer_in_json(api):
    refused(api.get("/api/v1/no-such-thing"), 404, "not_found")
    resp = api.delete("/api/v1/bodies")
    refused(resp, 405, "method_not_allowed")
    assert "GET" in resp.headers["Allow"]


# ---------------------------------------------------------------- setting up


def test_personal_links_are_given_once_by_issue_links_and_nowhere_else(app, api):
    """Tokens are stored hashed: issueLinks answers with them once; no other answer carries a token or its hash;
    issuing again invalidates the earlier links."""
    from meeting.auth import token_actor
    from meeting.errors import InvalidToken

    meeting, ids = set_up_meeting(api, n=5)
    mid = meeting["id"]
    ok(
        api.post(f"/api/v1/meetings/{mid}/observers", json={"name": "赵代表", "unit": "区人大", "role": "人大代表"}),
        201,
    )
    links = ok(api.post(f"/api/v1/meetings/{mid}/links", json={"all": True}))["links"]
    assert [x["kind"] for x in links] == ["member"] * 5 + ["observer", "projector"]
    assert [x["person_id"] for x in links[:5]] == ids
    assert all(x["link"].endswith(f"/t/{x['token']}") for x in links)
    with app.app_context(), read_only() as s:
        hashes = [seat.token_hash for seat in s.exec(select(Seat).where(Seat.meeting_id == mid))]
        assert token_actor(s, links[0]["token"]).kind == "chair"
    detail = ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]
    assert "token" not in detail["roster"][0] and "link" not in detail["roster"][0] and "projector_token" not in detail
    everything_else = "".join(
        api.get(url).get_data(as_text=True)
        for url in (
            f"/api/v1/meetings/{mid}",
            "/api/v1/meetings",
            f"/api/v1/meetings/{mid}/state",
            f"/api/v1/meetings/{mid}/events?limit=1000",
            "/api/v1/people",
            "/api/v1/bodies",
        )
    )
    for secret in [*(x["token"] for x in links), *hashes]:
        assert secret not in everything_else
    assert "password" not in everything_else and "argon2" not in everything_else

    again = ok(api.post(f"/api/v1/meetings/{mid}/links", json={"person_ids": [ids[1]]}))["links"]
    assert [x["person_id"] for x in again] == [ids[1]] and again[0]["token"] != links[1]["token"]
    with app.app_context(), read_only() as s:
        with pytest.raises(InvalidToken):
            token_actor(s, links[1]["token"])
        assert token_actor(s, again[0]["token"]).person_id == ids[1]
        assert token_actor(s, links[2]["token"]).person_id == ids[2]  # the others are untouched


def test_bodies_people_and_relations_are_kept_through_the_api(app, api):
    meeting, ids = set_up_meeting(api, n=3)
    body_id = meeting["body_id"]
    body = ok(api.put(f"/api/v1/bodies/{body_id}", json={"name": "某某区人民政府", "decision_mode": "head_decides"}))
    assert body["body"]["decision_mode"] == "head_decides"
    members = ok(api.get(f"/api/v1/bodies/{body_id}"))["body"]["members"]
    assert [m["person_id"] for m in members] == ids and members[0]["seniority"] == 1
    ok(api.put(f"/api/v1/people/{ids[1]}", json={"name": "成员二", "title": "常务副区长"}))
    rel = ok(api.post("/api/v1/relations", json={"person_a_id": ids[1], "person_b_id": ids[2], "type": "SPOUSE"}), 201)[
        "relation"
    ]
    refused(
        api.post("/api/v1/relations", json={"person_a_id": ids[0], "person_b_id": ids[2], "type": "OTHER"}),
        400,
        "invalid_payload",
    )  # OTHER needs a reason (公务员法 第76条)
    assert [r["id"] for r in ok(api.get(f"/api/v1/relations?person_id={ids[2]}"))["relations"]] == [rel["id"]]
    ok(api.delete(f"/api/v1/relations/{rel['id']}"))
    assert ok(api.get("/api/v1/relations"))["relations"] == []


def test_agenda_items_are_edited_reordered_and_deleted(app, api):
    meeting, ids = set_up_meeting(api, n=5)
    mid = meeting["id"]
    a = ok(api.post(f"/api/v1/meetings/{mid}/items", json={"title": "甲", "category": "other"}), 201)["item"]
    b = ok(
        api.post(
            f"/api/v1/meetings/{mid}/items",
            json={"title": "乙", "category": "personnel", "subjects": [{"person_id": ids[4], "action": "拟任"}]},
        ),
        201,
    )["item"]
    assert b["subjects"] == [{"person_id": ids[4], "name": "成员5", "action": "拟任"}]
    agenda = ok(api.put(f"/api/v1/meetings/{mid}/agenda/order", json={"item_ids": [b["id"], a["id"]]}))["agenda"]
    assert [(i["id"], i["position"]) for i in agenda] == [(b["id"], 1), (a["id"], 2)]
    edited = ok(api.put(f"/api/v1/items/{a['id']}", json={"title": "甲（修改）", "category": "other"}))["item"]
    assert edited["title"] == "甲（修改）"
    ok(api.delete(f"/api/v1/items/{b['id']}"))
    assert [i["title"] for i in ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["agenda"]] == ["甲（修改）"]


def test_materials_are_uploaded_as_multipart(app, api):
    import io

    meeting, _ = set_up_meeting(api, n=5)
    item = ok(api.post(f"/api/v1/meetings/{meeting['id']}/items", json={"title": "甲", "category": "other"}), 201)[
        "item"
    ]
    resp = api.post(
        f"/api/v1/items/{item['id']}/materials",
        data={"file": (io.BytesIO(b"%PDF-1.4 test"), "方案.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    mat = ok(resp, 201)["material"]
    assert mat["filename"] == "方案.pdf" and mat["size"] == 13 and mat["url"] == f"/materials/{mat['id']}"
    download = api.get(mat["url"])
    assert download.data == b"%PDF-1.4 test"
    download.close()
    fake = api.post(
        f"/api/v1/items/{item['id']}/materials",
        data={"file": (io.BytesIO(b"MZ"), "x.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    refused(fake, 400, "invalid_payload")
    refused(
        api.post(f"/api/v1/items/{item['id']}/materials", data={}, content_type="multipart/form-data"),
        400,
        "invalid_payload",
    )


def test_a_deferred_item_is_offered_and_carried_to_the_next_meeting(app, api):
    meeting, ids = set_up_meeting(api, n=5)
    mid = meeting["id"]
    item = ok(api.post(f"/api/v1/meetings/{mid}/items", json={"title": "待议", "category": "other"}), 201)["item"]
    for pid in ids:
        ok(act(api, mid, "roll_call", {"person_id": pid, "attendance": "present"}))
    ok(act(api, mid, "open_meeting"))
    ok(act(api, mid, "open_item", {"item_id": item["id"]}))
    refused(act(api, mid, "defer_item", {"item_id": item["id"], "reason": ""}), 400, "invalid_payload")
    assert ok(act(api, mid, "defer_item", {"item_id": item["id"], "reason": "情况尚不清楚"}))["result"] == "deferred"
    deferred = ok(api.get(f"/api/v1/bodies/{meeting['body_id']}/deferred-items"))["items"]
    assert [d["id"] for d in deferred] == [item["id"]] and deferred[0]["result"] == "deferred"
    nxt = ok(
        api.post(
            "/api/v1/meetings",
            json={
                "body_id": meeting["body_id"],
                "kind": "executive",
                "session_number": 13,
                "starts_at": "2023-12-16T09:00:00",
            },
        ),
        201,
    )["meeting"]
    carried = ok(api.post(f"/api/v1/meetings/{nxt['id']}/carry-over", json={"item_id": item["id"]}), 201)["item"]
    assert carried["carried_from_item_id"] == item["id"] and carried["meeting_id"] == nxt["id"]
    assert ok(api.get(f"/api/v1/bodies/{meeting['body_id']}/deferred-items"))["items"] == []
    refused(api.post(f"/api/v1/meetings/{nxt['id']}/carry-over", json={"item_id": item["id"]}), 409, "conflict")


def test_a_meeting_is_corrected_before_it_opens_and_not_after(app, api, factory):
    meeting, ids = set_up_meeting(api, n=5)
    mid = meeting["id"]
    body = {
        "body_id": meeting["body_id"],
        "kind": "special",
        "session_number": 3,
        "starts_at": "2023-12-16T14:30:00",
        "place": "区政府第二会议室",
        "chair_person_id": ids[1],
        "recorder_name": "李秘书",
    }
    screen = app.extensions["socketio"].test_client(app, auth={"token": factory.tokens(mid)[ids[2]]})
    screen.get_received()
    out = ok(api.put(f"/api/v1/meetings/{mid}", json=body))["meeting"]
    assert out["title"] == "某某区人民政府第3次专题会议" and out["starts_at"] == "2023-12-16T06:30:00Z"
    assert (out["chair_person_id"], out["delegated_by_person_id"], out["place"], out["recorder_name"]) == (
        ids[1],
        ids[0],
        "区政府第二会议室",
        "李秘书",
    )
    assert [r["person_id"] for r in ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["roster"]] == ids
    assert event_kinds(app, mid)[-1] == "meeting.updated"
    states = [e["args"][0] for e in screen.get_received() if e["name"] == "state"]
    assert states and states[-1]["meeting"]["place"] == "区政府第二会议室"  # tablets already open hear of it
    screen.disconnect()

    before = event_kinds(app, mid)
    outsider = ok(api.post("/api/v1/people", json={"name": "局外人"}), 201)["person"]["id"]
    err = refused(api.put(f"/api/v1/meetings/{mid}", json=body | {"chair_person_id": outsider}), 400, "invalid_payload")
    assert "主持人须为本次会议成员" in err["message"]
    refused(api.put(f"/api/v1/meetings/{mid}", json=body | {"body_id": 999}), 400, "invalid_payload")
    refused(
        api.put(f"/api/v1/meetings/{mid}", json=body | {"copy_observers_from_meeting_id": mid}), 400, "invalid_payload"
    )
    refused(api.put(f"/api/v1/meetings/{mid}", json={"place": "别处"}), 400, "invalid_payload")
    refused(api.put("/api/v1/meetings/999", json=body), 404, "not_found")
    assert event_kinds(app, mid) == before

    for pid in ids:
        ok(act(api, mid, "roll_call", {"person_id": pid, "attendance": "present"}))
    ok(act(api, mid, "open_meeting"))
    err = refused(api.put(f"/api/v1/meetings/{mid}", json=body | {"place": "别处"}), 409, "invalid_state")
    assert "会议已开始" in err["message"]
    assert ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["place"] == "区政府第二会议室"


def test_a_material_is_withdrawn_only_while_its_item_is_pending(app, api):
    import io

    meeting, ids = set_up_meeting(api, n=5)
    mid = meeting["id"]
    items = [
        ok(api.post(f"/api/v1/meetings/{mid}/items", json={"title": t, "category": "other"}), 201)["item"]
        for t in ("甲", "乙")
    ]
    mats = [
        ok(
            api.post(
                f"/api/v1/items/{it['id']}/materials",
                data={"file": (io.BytesIO(b"%PDF-1.4 " + t.encode()), f"{t}.pdf", "application/pdf")},
                content_type="multipart/form-data",
            ),
            201,
        )["material"]
        for it, t in zip(items, "ab")
    ]
    ok(api.delete(f"/api/v1/materials/{mats[1]['id']}"))
    assert ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["agenda"][1]["materials"] == []
    assert event_kinds(app, mid)[-1] == "material.deleted"
    refused(api.delete(f"/api/v1/materials/{mats[1]['id']}"), 404, "not_found")

    for pid in ids:
        ok(act(api, mid, "roll_call", {"person_id": pid, "attendance": "present"}))
    ok(act(api, mid, "open_meeting"))
    ok(act(api, mid, "open_item", {"item_id": items[0]["id"]}))
    before = event_kinds(app, mid)
    refused(api.delete(f"/api/v1/materials/{mats[0]['id']}"), 409, "invalid_state")
    assert [m["id"] for m in ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["agenda"][0]["materials"]] == [
        mats[0]["id"]
    ]
    assert event_kinds(app, mid) == before


def test_the_scan_of_a_written_opinion_is_not_withdrawn_through_the_api(app, api, staff_http, factory):
    meeting, ids = set_up_meeting(api, n=3)
    mid = meeting["id"]
    item = ok(api.post(f"/api/v1/meetings/{mid}/items", json={"title": "甲", "category": "other"}), 201)["item"]
    wid = ok(act(api, mid, "written_opinion", {"item_id": item["id"], "person_id": ids[2], "stance": "agree"}))[
        "written_opinion_id"
    ]
    import io

    resp = staff_http.post(
        f"/meetings/{mid}/written-opinions/{wid}/scan",
        data={"file": (io.BytesIO(b"%PDF-1.4 scan"), "scan.pdf", "application/pdf")},
        headers={"X-CSRF-Token": staff_http.csrf},
        content_type="multipart/form-data",
    )
    scan_id = resp.get_json()["material_id"]
    refused(api.delete(f"/api/v1/materials/{scan_id}"), 409, "invalid_state")
    assert [m["kind"] for m in ok(api.get(f"/api/v1/meetings/{mid}"))["meeting"]["agenda"][0]["materials"]] == [
        "written_opinion"
    ]


def test_the_new_routes_are_in_the_document_and_the_guide(spec):
    put = spec["paths"]["/api/v1/meetings/{meeting_id}"]["put"]
    assert put["operationId"] == "updateMeeting"
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MeetingIn"}
    assert put["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["meeting"] == {
        "$ref": "#/components/schemas/MeetingOut"
    }
    delete = spec["paths"]["/api/v1/materials/{material_id}"]["delete"]
    assert delete["operationId"] == "deleteMaterial" and "409" in delete["responses"]
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "| GET, PUT | `/meetings/{meeting_id}` |" in guide and "| DELETE | `/materials/{material_id}` |" in guide


# ---------------------------------------------------------------- the OpenAPI document


@pytest.fixture
def spec(http):
    resp = http.get("/api/v1/openapi.json")  # public: no sign-in
    assert resp.status_code == 200
    return json.loads(resp.get_data(as_text=True))


def test_the_document_is_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] == "议事 Yishi API" and spec["info"]["version"]
    assert set(spec["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    op_ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(op_ids) == len(set(op_ids)), "operationIds are unique"
    assert all(op.get("summary") for item in spec["paths"].values() for op in item.values())


def test_every_staff_action_has_a_path_from_the_registry(spec):
    for name in STAFF_ACTIONS:
        op = spec["paths"][f"/api/v1/meetings/{{meeting_id}}/actions/{name}"]["post"]
        action = ACTIONS[name]
        assert op["operationId"] == f"action_{name}" and op["summary"] == action.summary
        assert op["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{action.payload.__name__}"
        }
        assert action.rule in op["description"]
    documented = {p.rsplit("/", 1)[-1] for p in spec["paths"] if "/actions/" in p}
    assert documented == set(STAFF_ACTIONS), "member-only actions (give_opinion, check_in) are not offered"


def test_the_document_is_valid_openapi_3_1(spec):
    from openapi_spec_validator import OpenAPIV31SpecValidator

    errors = [e.message for e in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert errors == []


def test_every_route_of_the_blueprint_is_documented_and_nothing_else(app, spec):
    documented = {(m.upper(), p) for p, item in spec["paths"].items() for m in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint == "api.action":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    actions = {("POST", f"/api/v1/meetings/{{meeting_id}}/actions/{name}") for name in STAFF_ACTIONS}
    assert routed - documented == set(), "routes the document does not list"
    assert documented - routed - actions == set(), "paths the document lists that no route serves"


def test_query_and_form_parameters_come_from_the_models_the_routes_read(spec):
    from execution.api import AssignmentsQuery
    from execution.schemas import SignOffIn
    from meeting.api import EventsQuery

    events = spec["paths"]["/api/v1/meetings/{meeting_id}/events"]["get"]["parameters"]
    query = {p["name"]: p["schema"] for p in events if p.get("in") == "query"}
    assert set(query) == set(EventsQuery.model_fields)
    assert query["limit"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
    ledger = spec["paths"]["/api/v1/execution/assignments"]["get"]["parameters"]
    assert [p["name"] for p in ledger] == list(AssignmentsQuery.model_fields)
    assert {p["name"]: p["schema"] for p in ledger}["due_before"] == {"type": "string", "format": "date"}
    form = spec["paths"]["/api/v1/execution/assignments/{assignment_id}/signoff"]["post"]["requestBody"]
    fields = form["content"]["multipart/form-data"]["schema"]
    assert set(fields["properties"]) == {*SignOffIn.model_fields, "files"}
    assert "signed_on" in fields["required"]


def test_every_ref_resolves_within_the_document(spec):
    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    found = list(refs(spec))
    assert len(found) > 50
    for ref in found:
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node, dict) and node, ref


def test_the_error_schema_lists_every_error_code(spec):
    codes = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert {cls.code for cls in error_classes()} <= set(codes)
    assert {"not_quorate", "invalid_payload", "invalid_token", "chair_not_last", "server_error"} <= set(codes)
    for status in {cls.http_status for cls in error_classes()}:
        assert f"Error{status}" in spec["components"]["responses"]


def test_request_schemas_come_from_the_payload_models(spec):
    from meeting.schemas import RollCallIn

    roll_call = spec["components"]["schemas"]["RollCallIn"]
    assert roll_call["required"] == ["person_id", "attendance"] and roll_call["additionalProperties"] is False
    assert set(roll_call["properties"]) == set(RollCallIn.model_fields)
    assert spec["components"]["schemas"]["Attendance"]["enum"] == ["expected", "present", "late", "absent", "left"]


# ---------------------------------------------------------------- docs/api.md


def test_the_guide_mentions_every_action_and_every_error_code():
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in ACTIONS:
        assert f"`{name}`" in guide, name
    for code in error_codes():
        assert f"`{code}`" in guide, code
    assert "create-api-token" in guide and "X-CSRF-Token" in guide and "Authorization: Bearer" in guide


def test_the_guide_lists_every_route_of_the_api(spec):
    guide = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    table = {}
    for methods, path in re.findall(r"^\| ([A-Z, ]+) \| `(/[^`]*)` \|", guide, flags=re.MULTILINE):
        table.setdefault(path, set()).update(m.strip() for m in methods.split(","))
    for path, item in spec["paths"].items():
        if "/actions/" in path:
            continue  # one row for all of them: POST /meetings/{meeting_id}/actions/{name}
        short = path.removeprefix("/api/v1")
        assert short in table, short
        assert {m.upper() for m in item} <= table[short], (short, set(item), table[short])
