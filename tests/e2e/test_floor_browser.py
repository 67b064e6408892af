"""发言申请 and the speaker's time in Chromium: the secretary turns them on for the body (laptop, 1366×768), two
members ask from their touch tablets (768×1024) and see their place, the secretary gives the floor in turn and the
console, the speaker's tablet and the projector show who speaks, timed; a withdrawal and the end of the speech."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .test_browser_room import LAPTOP, connected, open_tablet, sign_in

ASKING = ("李红梅", "赵丽华")


def _person_id(page, name: str) -> int:
    return page.evaluate("(n) => YishiRoom.current.state.roster.find(p => p.name === n).person_id", name)


def test_members_ask_for_the_floor_and_the_secretary_times_each_speaker(server, secretary, new_page, connect):
    console = new_page(*LAPTOP)
    sign_in(console, server)

    # the body's setting, on its own page
    console.goto(server.url("/bodies"))
    console.locator("a[href^='/bodies/']").first.click()
    console.locator("#body summary").click()  # 修改领导班子信息
    console.get_by_test_id("floor-requests").check()
    console.get_by_test_id("speaking-limit").fill("5")
    console.locator("form:has([data-testid=floor-requests]) button[type=submit]").click()
    console.locator("#body summary").click()
    expect(console.get_by_test_id("floor-requests")).to_be_checked()
    expect(console.get_by_test_id("speaking-limit")).to_have_value("5")

    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    funds = next(it["id"] for it in sec.room["agenda"] if it["category"] == "large_funds")
    for name, token in server.members.items():
        if name not in ASKING:
            connect(token=token, label=name).call("check_in")
    tablets = {name: open_tablet(new_page, server, name) for name in ASKING}
    for t in tablets.values():
        t.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == 9, what="9 present")
    for action, payload in (("open_meeting", {}), ("open_item", {"item_id": funds})):
        assert sec.call(action, payload)["ok"] is True, action
    console.goto(server.console_url)
    connected(console)
    projector = new_page(1920, 1080)
    projector.goto(server.projector_url)
    connected(projector)

    # they ask, in this order, and each sees his place
    for place, name in enumerate(ASKING, start=1):
        tablets[name].get_by_test_id("floor-request").click()
        expect(tablets[name].get_by_test_id("floor-mine")).to_have_text(f"您已申请发言，排在第{place}位。")
    queue = console.get_by_test_id("floor-queue")
    expect(queue).to_contain_text(ASKING[0])
    expect(queue.locator("li")).to_have_count(2)
    assert ASKING[0] in queue.locator("li").first.text_content()

    # the floor to the first: the console times him against 5 minutes, his tablet says he speaks, the other moves up
    console.get_by_test_id(f"floor-give-{_person_id(console, ASKING[0])}").click()
    speaker = console.get_by_test_id("floor-speaker")
    expect(speaker).to_contain_text(f"正在发言：{ASKING[0]}")
    expect(speaker).to_contain_text("限时5分钟")
    clock = console.get_by_test_id("floor-clock")
    expect(clock).to_have_text(re.compile(r"00:0[1-9]"), timeout=10_000)  # it runs
    expect(tablets[ASKING[0]].get_by_test_id("floor-speaker")).to_contain_text("您正在发言")
    expect(tablets[ASKING[0]].get_by_test_id("floor-request")).to_be_hidden()
    expect(tablets[ASKING[1]].get_by_test_id("floor-mine")).to_have_text("您已申请发言，排在第1位。")
    expect(projector.get_by_test_id("projector-floor")).to_contain_text(f"正在发言：{ASKING[0]}")

    # the second withdraws; the speech ends
    tablets[ASKING[1]].get_by_test_id("floor-withdraw").click()
    expect(tablets[ASKING[1]].get_by_test_id("floor-request")).to_be_visible()
    expect(console.get_by_test_id("floor-queue-empty")).to_be_visible()
    console.get_by_test_id("floor-end").click()
    expect(console.get_by_test_id("floor-speaker")).to_have_count(0)
    expect(projector.get_by_test_id("projector-floor")).to_be_hidden()
    expect(tablets[ASKING[0]].get_by_test_id("floor-request")).to_be_visible()  # he may ask again
