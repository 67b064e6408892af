"""The room over real websockets: nine python-socketio tablets, the secretary, the projector and an observer
against ``python run.py serve`` in each async mode (see conftest.py)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

CHAIR = "张建国"  # 区长, the head of the demo body, chairs the demo meeting
RECUSED = "王志强"  # father of the personnel item's subject (LINEAL)
RECONNECTS = "吴国平"


def item_id(state: dict, category: str) -> int:
    return next(it["id"] for it in state["agenda"] if it["category"] == category)


def current(client) -> dict:
    return client.room.get("current") or {}


def check_in_all(tablets: dict) -> None:
    with ThreadPoolExecutor(len(tablets)) as pool:
        acks = dict(zip(tablets, pool.map(lambda c: c.call("check_in"), tablets.values())))
    assert all(a.get("ok") and a.get("attendance") == "present" for a in acks.values()), acks


def open_for_opinions(act, item: int) -> None:
    """Secretary: open the meeting, open the item, call for opinions. ``act(name, payload)`` → acknowledgement."""
    for name, payload in (("open_meeting", {}), ("open_item", {"item_id": item}), ("call_opinions", {"item_id": item})):
        ack = act(name, payload)
        assert ack.get("ok") is True, (name, ack)


def api(secretary, status: int = 200):
    """The secretary's actions over the JSON API (session cookie + X-CSRF-Token), checking the HTTP status."""

    def act(name: str, payload: dict | None = None) -> dict:
        resp = secretary.action(name, payload)
        assert resp.status_code == status, (name, resp.status_code, resp.text[:500])
        assert resp.headers["Content-Type"].startswith("application/json")
        return resp.json()

    return act


def test_large_funds_item_passes_with_the_chair_speaking_last(server, secretary, connect):
    tablets = {name: connect(token=token, label=name) for name, token in server.members.items()}
    projector = connect(token=server.projector_token, label="projector")
    observer = connect(token=next(iter(server.observers.values())), label="observer")
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    everyone = [*tablets.values(), projector, observer, sec]

    state = sec.room
    assert state["view"] == "full" and state["meeting"]["id"] == server.meeting_id
    assert next(r["name"] for r in state["roster"] if r["is_chair"]) == CHAIR
    # the chair sees what the secretary sees; members and the public get their own views
    assert (tablets[CHAIR].room["view"], tablets["李红梅"].room["view"], projector.room["view"]) == (
        "full",
        "member",
        "public",
    )
    funds = item_id(state, "large_funds")

    # every tablet checks in at once; the console sees nine present and nine connected
    check_in_all(tablets)
    sec.wait_for(
        lambda c: c.room["attendance"]["present"] == 9 and all(r["connected"] for r in c.room["roster"]),
        what="9 present and connected",
    )
    # a session-authenticated API call without the page's CSRF token is refused and changes nothing
    forged = secretary.http.post(
        server.url(f"/api/v1/meetings/{server.meeting_id}/actions/open_meeting"), json={}, timeout=15
    )
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "permission_denied", forged.text
    assert sec.call("sync")["state"]["meeting"]["status"] == "scheduled"

    open_for_opinions(api(secretary), funds)
    for c in everyone:
        c.wait_for(
            lambda c: current(c).get("id") == funds and current(c).get("phase") == "opinions",
            what="the large-funds item in the opinions phase",
        )

    # the chair may not speak first (seed 003 §四(二)2): a typed refusal that changes nothing
    _, early = tablets[CHAIR].opinion(funds, "agree")
    assert early["ok"] is False and early["error"]["code"] == "chair_not_last", early
    assert "最后发表意见" in early["error"]["message"]

    # one member speaks, then the tablet's connection drops
    drops = tablets[RECONNECTS]
    client_id, first = drops.opinion(funds, "agree", "资金来源明确，同意。")
    assert first["ok"] is True and first["duplicate"] is False, first
    drops.drop()

    # the other seven at once
    stances = {
        "李红梅": ("agree", ""),
        RECUSED: ("agree", ""),
        "赵丽华": ("disagree", "建议压减规模，分两年实施。"),
        "刘海军": ("agree", ""),
        "陈晓东": ("defer", "待区财政局进一步论证资金来源。"),
        "杨秀英": ("agree", "改造惠及群众。"),
        "周文斌": ("agree", ""),
    }
    with ThreadPoolExecutor(len(stances)) as pool:
        acks = dict(zip(stances, pool.map(lambda kv: tablets[kv[0]].opinion(funds, *kv[1])[1], stances.items())))
    for name, ack in acks.items():
        assert ack["ok"] is True and ack["duplicate"] is False, (name, ack)
        assert ack["opinion"]["stance"] == stances[name][0] and ack["opinion"]["version"] == 1, (name, ack)

    # the same tablet comes back with the same token: its snapshot already shows its opinion
    snap = drops.connect()
    mine = snap["me"]["opinions"][str(funds)]
    assert (mine["stance"], mine["reason"], mine["version"]) == ("agree", "资金来源明确，同意。", 1)
    assert snap["state"]["current"]["progress"]["spoken"] == 8
    # …and the resend of the unacknowledged-looking opinion is recognised, never counted twice
    _, again = drops.opinion(funds, "agree", "资金来源明确，同意。", client_id=client_id)
    assert again["ok"] is True and again["duplicate"] is True and again["opinion"]["version"] == 1, again
    # a tablet's events are handled in the order it sent them: a correction sent without waiting for its
    # acknowledgement, then a sync, whose snapshot already holds the correction
    drops.sio.emit(
        "give_opinion",
        {
            "client_id": uuid.uuid4().hex,
            "item_id": funds,
            "round": 1,
            "stance": "agree",
            "reason": "资金来源明确，同意实施。",
        },
    )
    mine = drops.call("sync")["me"]["opinions"][str(funds)]
    assert (mine["stance"], mine["reason"], mine["version"]) == ("agree", "资金来源明确，同意实施。", 2), mine

    # coalesced progress reaches every screen: 8 of 9 have spoken, now the chair may
    members_view = [t for n, t in tablets.items() if n not in (RECONNECTS, CHAIR)]
    for c in [*members_view, tablets[CHAIR], projector, observer, sec]:
        c.wait_for(
            lambda c: any(
                p.get("item_id") == funds and p.get("spoken") == 8 and p.get("chair_may_speak") for p in c.progress
            ),
            what="progress 8/9, chair may speak",
        )
    assert all("opinions" not in p for c in (projector, observer, *members_view) for p in c.progress), (
        "who said what must not reach members or the public before the item closes"
    )
    # the secretary's list comes with the counts, or (a slow machine makes it dear) soon after them
    sec.wait_for(
        lambda c: any(p.get("spoken") == 8 and len(p.get("opinions", ())) == 8 for p in c.progress),
        what="the secretary's list of 8 opinions",
    )

    # the API refuses as the socket does: typed, with its HTTP status, changing nothing
    early_close = api(secretary, 409)("close_item", {"item_id": funds})
    assert early_close["ok"] is False and early_close["error"]["code"] == "invalid_state", early_close
    assert "主持人" in early_close["error"]["message"]

    _, last = tablets[CHAIR].opinion(funds, "agree", "同意，请区住建局抓紧实施。")
    assert last["ok"] is True and last["opinion"]["is_chair"] is True, last

    closed = api(secretary)("close_item", {"item_id": funds})
    assert closed["ok"] is True and closed["result"] == "passed", closed
    assert (closed["tally"]["agree"], closed["tally"]["disagree"], closed["tally"]["defer"]) == (7, 1, 1)
    assert closed["tally"]["n"] == 9

    for c in everyone:
        c.wait_for(
            lambda c: any((s.get("last_closed") or {}).get("result") == "passed" for s in c.states),
            what="a final state with the result 通过",
        )
        final = next(s for s in reversed(c.states) if (s.get("last_closed") or {}).get("result") == "passed")
        assert final["last_closed"]["id"] == funds and final["last_closed"]["result_label"] == "通过"
        assert final["last_closed"]["tally"]["agree"] == 7
        assert final["current"] is None
    full = next(s for s in reversed(sec.states) if s.get("last_closed"))["last_closed"]
    assert [o["name"] for o in full["opinions"]][-1] == CHAIR and len(full["opinions"]) == 9
    public = next(s for s in reversed(projector.states) if s.get("last_closed"))["last_closed"]
    assert "opinions" not in public


def test_recused_member_is_refused_on_the_personnel_item(server, secretary, connect):
    tablets = {name: connect(token=token, label=name) for name, token in server.members.items()}
    observer = connect(token=next(iter(server.observers.values())), label="observer")
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    personnel = item_id(sec.room, "personnel")
    wang_id = next(r["person_id"] for r in sec.room["roster"] if r["name"] == RECUSED)

    check_in_all(tablets)
    sec.wait_for(lambda c: c.room["attendance"]["present"] == 9, what="9 present")
    open_for_opinions(sec.call, personnel)  # this time the secretary acts over the socket

    wang = tablets[RECUSED]
    wang.wait_for(
        lambda c: current(c).get("id") == personnel and wang_id in current(c).get("recused_person_ids", []),
        what="the personnel item with 王志强 recused",
    )
    _, ack = wang.opinion(personnel, "agree")
    assert ack["ok"] is False and ack["error"]["code"] == "recused", ack
    assert "回避" in ack["error"]["message"]

    synced = wang.call("sync")
    assert synced["ok"] is True and personnel in synced["me"]["recused_item_ids"]
    assert str(personnel) not in synced["me"]["opinions"], "a refusal must change nothing"

    # an observer has no vote either; an ordinary member does
    _, refused = observer.opinion(personnel, "agree")
    assert refused["ok"] is False and refused["error"]["code"] == "observer_cannot_vote", refused
    _, ok = tablets["李红梅"].opinion(personnel, "agree")
    assert ok["ok"] is True, ok
    sec.wait_for(
        lambda c: any(p.get("spoken") == 1 and p.get("eligible") == 8 for p in c.progress),
        what="progress 1/8 (the recused member is not eligible)",
    )
