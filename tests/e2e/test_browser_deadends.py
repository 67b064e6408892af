"""No dead ends in the room (issue 15), in real Chromium against ``python run.py serve``: an item missing its
合法性审查 cannot be opened; the chair defers it (暂缓审议) from his tablet at 768×1024, the secretary withdraws
another (撤回议题) on the console at 1366×768, and 宣布散会 then succeeds. The chair's tablet names the members present
whose tablets are offline."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_browser_room import CHAIR, LAPTOP, TABLET, connected, open_tablet, sign_in

STUCK = "关于某某片区改造工程立项的议题"


def test_unopenable_item_deferred_on_the_chairs_tablet_then_the_meeting_closes(
    server, secretary, new_page, connect, screenshot
):
    resp = secretary.api(
        "POST",
        f"/meetings/{server.meeting_id}/items",
        {"title": STUCK, "category": "major_project", "submitting_unit": "区住建局"},  # no 合法性审查 recorded
    )
    assert resp.status_code == 201, resp.text
    stuck = resp.json()["item"]["id"]
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    demo_items = [it["id"] for it in sec.room["agenda"] if it["id"] != stuck]
    offline = None
    for name, token in server.members.items():
        if name == CHAIR:
            continue
        client = connect(token=token, label=name)
        client.call("check_in")
        if offline is None:  # checks in, then its tablet goes away: present but offline
            offline = (name, client.me["person_id"])
            client.close()
    chair = open_tablet(new_page, server, CHAIR)
    chair.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == len(server.members), what="all present")
    assert sec.call("open_meeting")["ok"] is True

    console = new_page(*LAPTOP)
    sign_in(console, server)
    # the item cannot be opened: the console says why
    console.get_by_test_id(f"open-item-{stuck}").click()
    expect(console.get_by_test_id("error-message")).to_contain_text("合法性审查")
    # 宣布散会 is refused while items have no conclusion
    console.get_by_test_id("close-meeting").click()
    console.get_by_test_id("dialog-ok").click()
    expect(console.get_by_test_id("error-message")).to_contain_text("尚有议题未作结论")

    # the chair's tablet: who is offline, and the items not yet opened
    room = chair.get_by_test_id("chair-room")
    expect(room).to_be_visible()
    expect(chair.get_by_test_id(f"offline-{offline[1]}")).to_have_text(offline[0])
    chair.get_by_test_id(f"chair-shelve-{stuck}").click()
    chair.get_by_test_id("set-aside-confirm").click()
    expect(chair.get_by_test_id("error-message")).to_contain_text("理由")  # a reason is required
    chair.get_by_test_id("set-aside-reason").fill("合法性审查尚未完成")
    screenshot(chair, "chair-shelve")
    chair.get_by_test_id("set-aside-confirm").click()
    expect(chair.get_by_test_id(f"chair-pending-{stuck}")).to_have_count(0)
    expect(console.get_by_test_id(f"item-status-{stuck}")).to_have_text("暂缓审议")

    # the secretary withdraws one demo item on the console, and defers the others there too
    first, *rest = demo_items
    console.get_by_test_id(f"withdraw-{first}").click()
    console.get_by_test_id("dialog-reason").fill("提交单位撤回，补充材料后另行提交")
    console.get_by_test_id("dialog-ok").click()
    expect(console.get_by_test_id(f"item-status-{first}")).to_have_text("撤回")
    for item in rest:
        console.get_by_test_id(f"shelve-{item}").click()
        console.get_by_test_id("dialog-reason").fill("本次会议时间不足")
        console.get_by_test_id("dialog-ok").click()
        expect(console.get_by_test_id(f"item-status-{item}")).to_have_text("暂缓审议")
    screenshot(console, "console-set-aside")

    console.get_by_test_id("close-meeting").click()
    console.get_by_test_id("dialog-ok").click()
    sec.wait_for(lambda c: c.room["meeting"]["status"] == "closed", what="the meeting closed")
    results = {it["id"]: it["result_label"] for it in sec.room["agenda"]}
    assert results[stuck] == "暂缓审议" and results[first] == "撤回"


def test_console_offers_set_aside_only_for_items_not_yet_opened(server, secretary, new_page, connect):
    """At tablet size too: the console's agenda offers 暂缓审议 / 撤回议题 for an item not yet opened, not for the
    open one, and not before the meeting opens."""
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    items = [it["id"] for it in sec.room["agenda"]]
    for name, token in server.members.items():
        connect(token=token, label=name).call("check_in")
    sec.wait_for(lambda c: c.room["attendance"]["present"] == len(server.members), what="all present")
    console = new_page(*TABLET)
    sign_in(console, server)
    expect(console.get_by_test_id(f"shelve-{items[0]}")).to_have_count(0)  # the meeting has not opened
    assert sec.call("open_meeting")["ok"] is True
    assert sec.call("open_item", {"item_id": items[0]})["ok"] is True
    connected(console)
    expect(console.get_by_test_id(f"withdraw-{items[1]}")).to_be_visible()
    expect(console.get_by_test_id(f"withdraw-{items[0]}")).to_have_count(0)


def test_secretary_records_for_an_offline_member_whose_tablet_comes_back_and_corrects_it(
    server, secretary, new_page, connect, screenshot
):
    """代录: a member's tablet is dead; the chair's tablet names him offline; the secretary records his spoken opinion on
    the console (marked 代录); his tablet comes back, shows 代录 and he corrects it himself."""
    sec = connect(cookie=secretary.cookie_header, meeting_id=server.meeting_id, label="secretary")
    funds = next(it["id"] for it in sec.room["agenda"] if it["category"] == "large_funds")
    dead = None
    for name, token in server.members.items():
        if name == CHAIR:
            continue
        client = connect(token=token, label=name)
        client.call("check_in")
        if dead is None:
            dead = (name, client.me["person_id"])
            client.close()  # his tablet goes dark after checking in
    chair = open_tablet(new_page, server, CHAIR)
    chair.get_by_test_id("check-in").click()
    sec.wait_for(lambda c: c.room["attendance"]["present"] == len(server.members), what="all present")
    for name, payload in (
        ("open_meeting", {}),
        ("open_item", {"item_id": funds}),
        ("call_opinions", {"item_id": funds}),
    ):
        assert sec.call(name, payload)["ok"] is True, name
    expect(chair.get_by_test_id(f"offline-{dead[1]}")).to_have_text(dead[0])

    console = new_page(*LAPTOP)
    sign_in(console, server)
    console.get_by_test_id(f"proxy-{dead[1]}").click()
    console.get_by_test_id("dialog-stance").select_option("disagree")
    console.get_by_test_id("dialog-ok").click()
    expect(console.get_by_test_id("dialog-problem")).to_contain_text("理由")  # 不同意 needs a reason
    console.get_by_test_id("dialog-reason").fill("资金来源尚不明确")
    console.get_by_test_id("dialog-ok").click()
    expect(console.get_by_test_id(f"proxy-mark-{dead[1]}")).to_be_visible()
    expect(console.get_by_test_id(f"opinion-row-{dead[1]}")).to_contain_text("资金来源尚不明确")
    screenshot(console, "console-proxy")

    tablet = open_tablet(new_page, server, dead[0])  # the tablet comes back
    mark = tablet.get_by_test_id("my-proxy")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("代录")
    expect(tablet.get_by_test_id("my-status")).to_contain_text("不同意")
    screenshot(tablet, "tablet-proxy")
    expect(chair.get_by_test_id(f"offline-{dead[1]}")).to_have_count(0)  # online again
    tablet.get_by_test_id("opinion-change").click()
    tablet.get_by_test_id("opinion-agree").click()
    tablet.get_by_test_id("opinion-confirm").click()
    status = tablet.get_by_test_id("my-status")
    expect(status).not_to_contain_text("待确认")  # acknowledged
    expect(status).not_to_contain_text("不同意")
    expect(status).to_contain_text("同意")
    expect(mark).to_have_count(0)
    expect(console.get_by_test_id(f"proxy-mark-{dead[1]}")).to_have_count(0)

    def his(c):
        ops = c.progress[-1].get("opinions", []) if c.progress else []
        return next((o for o in ops if o["person_id"] == dead[1] and o["version"] == 2), None)

    opinion = sec.wait_for(his, what="the corrected opinion in the secretary's progress")
    assert opinion["stance"] == "agree" and opinion["proxy_by"] == ""
