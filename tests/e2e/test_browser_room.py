"""The room in real Chromium against ``python run.py serve`` (each async mode): the secretary's console at laptop
size, member tablets at tablet size, the projector on the big screen. Members who are not on a browser speak
through python-socketio clients to keep the test short. Screenshots go to tests/e2e/screenshots/ (git-ignored;
the README's pictures are refreshed from them)."""

from __future__ import annotations

import json
import re
import uuid

from playwright.sync_api import Page, expect

LAPTOP = (1366, 768)
TABLET = (768, 1024)
BIG_SCREEN = (1920, 1080)
SIZES = {"console": (LAPTOP, TABLET), "tablet": (TABLET, LAPTOP), "projector": (BIG_SCREEN, LAPTOP, TABLET)}

CHAIR = "张建国"
RECUSED = "王志强"
ON_BROWSER = ("李红梅", "赵丽华")  # two member tablets in Chromium, plus the chair's
MARKED_BY_SECRETARY = (RECUSED, "刘海军")  # present by the console's roll call; they speak over python-socketio
CHECK_IN_BY_SOCKET = ("陈晓东", "杨秀英", "周文斌", "吴国平")


def initial_state(page: Page) -> dict:
    """The room state the server rendered into the page (``<script id="initial-state">``)."""
    return json.loads(page.locator("#initial-state").text_content())["state"]


def connected(page: Page) -> None:
    page.wait_for_function("() => window.YishiRoom && YishiRoom.current && YishiRoom.current.connected === true")


def sign_in(page: Page, server) -> None:
    page.goto(server.url(f"/login?next=/meetings/{server.meeting_id}/console"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/meetings/{server.meeting_id}/console"))
    connected(page)


def open_tablet(new_page, server, name: str) -> Page:
    page = new_page(*TABLET, has_touch=True)
    page.goto(server.tablet_url(name))
    connected(page)
    return page


def give_opinion(tablet: Page, stance: str, reason: str = "") -> None:
    """同意 / 不同意 / 缓议 → the confirmation step (reason box) → confirm → "已记录 HH:MM:SS"."""
    tablet.get_by_test_id(f"opinion-{stance}").click()
    expect(tablet.get_by_test_id("opinion-confirm")).to_be_visible()
    if reason:
        tablet.get_by_test_id("opinion-reason").fill(reason)
    tablet.get_by_test_id("opinion-confirm").click()
    expect(tablet.get_by_test_id("my-status")).to_contain_text(re.compile(r"已记录 \d{2}:\d{2}:\d{2}"))


def shoot_all_sizes(screenshot, page: Page, view: str) -> None:
    original = page.viewport_size
    for width, height in SIZES[view.split("-")[0]]:
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, view)
    page.set_viewport_size(original)


def test_live_room(server, new_page, connect, screenshot):
    """At laptop size the secretary signs in, takes the roll, opens the meeting and the large-funds item and calls
    for opinions; two member tablets speak (同意; 不同意 with a reason) through the confirmation step, six members
    over python-socketio, the chair's tablet last; the console announces 通过 and the projector shows it."""
    console = new_page(*LAPTOP)
    sign_in(console, server)
    state = initial_state(console)
    funds = next(it["id"] for it in state["agenda"] if it["category"] == "large_funds")
    pid = {r["name"]: r["person_id"] for r in state["roster"]}

    tablets = {name: open_tablet(new_page, server, name) for name in (*ON_BROWSER, CHAIR)}
    projector = new_page(*BIG_SCREEN)
    projector.goto(server.projector_url)
    connected(projector)
    sockets = {
        name: connect(token=server.members[name], label=name) for name in (*MARKED_BY_SECRETARY, *CHECK_IN_BY_SOCKET)
    }

    # attendance: three tablets check in, four members check in over sockets, the secretary marks two present
    for page in tablets.values():
        page.get_by_test_id("check-in").click()
        expect(page.get_by_test_id("check-in")).to_be_hidden()
    for name in CHECK_IN_BY_SOCKET:
        assert sockets[name].call("check_in")["ok"] is True
    for name in MARKED_BY_SECRETARY:
        console.get_by_test_id(f"rollcall-present-{pid[name]}").click()
        expect(console.get_by_test_id(f"attendance-{pid[name]}")).to_have_text("出席")
    expect(console.get_by_test_id("quorum-present")).to_have_text("9")
    expect(console.get_by_test_id("quorum-n")).to_have_text("9")
    expect(console.get_by_test_id(f"roster-{pid[CHAIR]}")).to_contain_text(CHAIR)
    shoot_all_sizes(screenshot, console, "console-rollcall")

    console.get_by_test_id("open-meeting").click()
    expect(console.get_by_test_id("open-meeting")).to_be_hidden()
    console.get_by_test_id(f"open-item-{funds}").click()
    expect(console.get_by_test_id("current-title")).to_contain_text("老旧小区改造")
    console.get_by_test_id("call-opinions").click()
    expect(console.get_by_test_id("current-status")).to_have_text("征求意见中")

    # a refusal explains itself in one Chinese sentence and changes nothing
    console.get_by_test_id("close-item").click()
    expect(console.get_by_test_id("error-message")).to_be_visible()
    expect(console.get_by_test_id("error-message")).to_contain_text("未发表意见")
    console.get_by_test_id("error-message").get_by_role("button").click()
    expect(console.get_by_test_id("error-message")).to_be_hidden()

    # the chair's tablet may not speak yet
    chair = tablets[CHAIR]
    expect(chair.get_by_test_id("opinion-agree")).to_be_visible()
    expect(chair.get_by_test_id("opinion-agree")).to_be_disabled()
    expect(chair.locator("#opinion-hint")).to_contain_text("最后发表")

    # two member tablets: 同意, then 不同意 with a reason, each through the confirmation step
    lhm, zlh = tablets["李红梅"], tablets["赵丽华"]
    lhm.get_by_test_id("opinion-agree").click()
    expect(lhm.get_by_test_id("opinion-confirm")).to_contain_text("同意")
    shoot_all_sizes(screenshot, lhm, "tablet-confirm")
    lhm.get_by_test_id("opinion-confirm").click()
    expect(lhm.get_by_test_id("my-status")).to_contain_text("已记录")
    expect(lhm.get_by_test_id("my-status")).to_contain_text("同意")

    zlh.get_by_test_id("opinion-disagree").click()
    zlh.get_by_test_id("opinion-confirm").click()  # no reason yet: the tablet asks for one, nothing is sent
    expect(zlh.locator("#composer-problem")).to_contain_text("必须说明理由")
    expect(zlh.get_by_test_id("my-status")).not_to_contain_text("已记录")
    zlh.get_by_test_id("opinion-reason").fill("建议压减规模，分两年实施。")
    zlh.get_by_test_id("opinion-confirm").click()
    expect(zlh.get_by_test_id("my-status")).to_contain_text("已记录")
    expect(zlh.get_by_test_id("my-status")).to_contain_text("不同意")

    # the other six over python-socketio
    for name in (*MARKED_BY_SECRETARY, *CHECK_IN_BY_SOCKET):
        ack = sockets[name].call(
            "give_opinion",
            {"client_id": uuid.uuid4().hex, "item_id": funds, "round": 1, "stance": "agree", "reason": ""},
        )
        assert ack["ok"] is True, (name, ack)

    expect(projector.get_by_test_id("projector-progress")).to_contain_text("8 / 9")
    shoot_all_sizes(screenshot, projector, "projector-progress")
    expect(console.get_by_test_id("console-progress")).to_contain_text("8 / 9")
    shoot_all_sizes(screenshot, console, "console-opinions")

    # now the chair speaks, last
    expect(chair.get_by_test_id("opinion-agree")).to_be_enabled()
    give_opinion(chair, "agree", "同意，请区住建局抓紧实施。")

    console.get_by_test_id("close-item").click()
    expect(console.get_by_test_id("console-result")).to_have_text("通过")
    shoot_all_sizes(screenshot, console, "console-result")

    expect(projector.get_by_test_id("projector-result")).to_be_visible()
    expect(projector.get_by_test_id("projector-result")).to_contain_text("通过")
    expect(projector.get_by_test_id("projector-result")).to_contain_text("同意 8")
    expect(projector.get_by_test_id("projector-result")).not_to_contain_text("李红梅")  # counts, never names
    shoot_all_sizes(screenshot, projector, "projector-result")

    expect(lhm.get_by_test_id("last-result")).to_contain_text("通过")
    shoot_all_sizes(screenshot, lhm, "tablet-result")


def test_recused_notice(server, secretary, new_page, connect, screenshot):
    """王志强 (the subject's father) sees a calm 本议题您需回避 instead of the personnel item, and no buttons."""
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    personnel = next(it["id"] for it in sec.room["agenda"] if it["category"] == "personnel")
    wang = open_tablet(new_page, server, RECUSED)
    other = open_tablet(new_page, server, "李红梅")
    for name, token in server.members.items():
        if name not in (RECUSED, "李红梅"):
            connect(token=token, label=name).call("check_in")
    for page in (wang, other):
        page.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == 9, what="9 present")
    for name, payload in (
        ("open_meeting", {}),
        ("open_item", {"item_id": personnel}),
        ("call_opinions", {"item_id": personnel}),
    ):
        assert sec.call(name, payload)["ok"] is True, name

    notice = wang.get_by_test_id("recused-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("本议题您需回避")
    expect(wang.locator("#item")).to_be_hidden()  # no title, summary or materials of the item
    expect(wang.get_by_test_id("opinion-agree")).to_be_hidden()
    expect(wang.locator("#item-title")).to_have_text("")  # the item was never rendered on this tablet
    expect(wang.locator("#item-summary")).to_have_text("")
    shoot_all_sizes(screenshot, wang, "tablet-recused")

    expect(other.get_by_test_id("recused-notice")).to_be_hidden()
    expect(other.get_by_test_id("opinion-agree")).to_be_visible()
    expect(other.get_by_test_id("opinion-agree")).to_be_enabled()


def test_connection_banner_and_resend(server, secretary, new_page, connect, screenshot):
    """The server goes away: the tablet says 连接中断，正在重连…, an opinion given meanwhile stays 待确认 (never
    已记录); the server comes back on the same port and database: the tablet reconnects by itself, resends, and
    the opinion is recorded once."""
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    funds = next(it["id"] for it in sec.room["agenda"] if it["category"] == "large_funds")
    for name, token in server.members.items():
        if name != "李红梅":
            connect(token=token, label=name).call("check_in")
    tablet = open_tablet(new_page, server, "李红梅")
    tablet.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == 9, what="9 present")
    for name, payload in (
        ("open_meeting", {}),
        ("open_item", {"item_id": funds}),
        ("call_opinions", {"item_id": funds}),
    ):
        assert sec.call(name, payload)["ok"] is True, name
    expect(tablet.get_by_test_id("opinion-agree")).to_be_visible()
    expect(tablet.get_by_test_id("opinion-agree")).to_be_enabled()
    banner = tablet.get_by_test_id("conn-banner")
    expect(banner).to_be_hidden()

    server.stop()
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("连接中断，正在重连")

    # an opinion given while offline is shown as pending, never as recorded
    tablet.get_by_test_id("opinion-agree").click()
    tablet.get_by_test_id("opinion-confirm").click()
    status = tablet.get_by_test_id("my-status")
    expect(status).to_contain_text("待确认")
    expect(status).not_to_contain_text("已记录")
    screenshot(tablet, "tablet-offline")

    server.start()  # same port, same database: the tablet reconnects by itself and resends
    expect(banner).to_be_hidden(timeout=15_000)
    expect(status).to_contain_text("已记录", timeout=15_000)

    again = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary-2")
    opinions = again.room["current"]["opinions"]
    assert [(o["name"], o["stance"], o["version"]) for o in opinions] == [("李红梅", "agree", 1)]


def test_acting_chair_presides_on_his_tablet(server, secretary, new_page, connect):
    """The chair recused from an item (a recusal the secretary adds by hand): the deputy first in seniority
    presides over it — his tablet shows the chair's card, and once the others have spoken he defers it there."""
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    roster = sec.room["roster"]
    chair_id = next(r["person_id"] for r in roster if r["is_chair"])
    acting = next(r for r in roster if not r["is_chair"])  # the roster is in seat seniority
    item = next(it["id"] for it in sec.room["agenda"] if it["category"] != "personnel")
    page = open_tablet(new_page, server, acting["name"])
    others = {
        name: connect(token=token, label=name) for name, token in server.members.items() if name != acting["name"]
    }
    for client in others.values():
        client.call("check_in")
    page.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == len(roster), what="everyone present")
    assert sec.call("add_recusal", {"item_id": item, "person_id": chair_id, "reason": "与该事项有利害关系"})["ok"]
    for name, payload in (("open_meeting", {}), ("open_item", {"item_id": item}), ("call_opinions", {"item_id": item})):
        assert sec.call(name, payload)["ok"] is True, name
    # (no check that his card is still hidden here: he may defer at any point before the result, and his card
    # shows as soon as the state naming him arrives — asserting it hidden only raced that state)
    round_ = 1  # a fresh item
    for name, client in others.items():
        if name == CHAIR:
            continue
        ack = client.call(
            "give_opinion",
            {"client_id": uuid.uuid4().hex, "item_id": item, "round": round_, "stance": "agree", "reason": ""},
        )
        assert ack["ok"] is True, (name, ack)
    expect(page.get_by_test_id("chair-defer")).to_be_visible()
    page.get_by_test_id("chair-defer").click()
    page.get_by_test_id("defer-reason").fill("情况尚需进一步核实")
    page.get_by_test_id("defer-confirm").click()
    sec.wait_for(lambda c: (c.room.get("last_closed") or {}).get("result") == "deferred", what="deferred")
