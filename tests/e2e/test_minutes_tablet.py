"""After the meeting, in real Chromium at tablet size (768×1024) against ``python run.py serve`` (each async mode):
the chair's open tablet turns into the "会议已结束" page with the minutes card, reads the draft, approves after a
confirmation; a member's link lands on the same page, read-only; a meeting closed with an item never reached says
what is still open and does not let the chair approve. The secretary works over HTTP (tests/e2e/conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

TABLET = (768, 1024)
CHAIR = "张建国"
MEMBER = "李红梅"


def _state(secretary, meeting_id: int) -> dict:
    resp = secretary.api("GET", f"/meetings/{meeting_id}/state")
    assert resp.status_code == 200, resp.text
    return resp.json()["state"]


def _act(secretary, meeting_id: int, name: str, payload: dict | None = None) -> dict:
    resp = secretary.api("POST", f"/meetings/{meeting_id}/actions/{name}", payload or {})
    assert resp.status_code == 200 and resp.json().get("ok"), (name, resp.status_code, resp.text)
    return resp.json()


def _open_with_everyone(secretary, meeting_id: int) -> list[dict]:
    state = _state(secretary, meeting_id)
    for row in state["roster"]:
        _act(secretary, meeting_id, "roll_call", {"person_id": row["person_id"], "attendance": "present"})
    _act(secretary, meeting_id, "open_meeting")
    return state["agenda"]


def _tablet(new_page, url: str) -> Page:
    page = new_page(*TABLET, has_touch=True)
    page.goto(url)
    return page


def test_the_chair_approves_the_minutes_from_the_tablet(server, secretary, new_page, screenshot):
    mid = server.meeting_id
    chair = _tablet(new_page, server.tablet_url(CHAIR))
    chair.wait_for_function("() => window.YishiRoom && YishiRoom.current && YishiRoom.current.connected === true")
    expect(chair.get_by_test_id("tablet-minutes")).to_be_hidden()  # nothing of the minutes while the room is live

    for item in _open_with_everyone(secretary, mid):  # the chair defers every item; the secretary records it
        _act(secretary, mid, "defer_item", {"item_id": item["id"], "reason": "需进一步调研论证"})
    _act(secretary, mid, "close_meeting")

    # the open tablet becomes the page for after the meeting: no connection banner, the minutes await approval
    card = chair.get_by_test_id("tablet-minutes")
    expect(card).to_be_visible(timeout=15_000)
    expect(chair.locator("#ask")).to_have_text("会议已结束，谢谢。")
    expect(chair.get_by_test_id("minutes-status")).to_have_text("会议纪要草稿已生成，请您审定。")
    expect(chair.get_by_test_id("minutes-open-items")).to_be_hidden()
    expect(chair.get_by_test_id("conn-banner")).to_be_hidden()
    approve = chair.get_by_test_id("minutes-approve")
    expect(approve).to_be_enabled()
    box = approve.bounding_box()
    assert box["height"] >= 48 and box["width"] <= TABLET[0]
    screenshot(chair, "chair-minutes", full_page=True)

    # read the draft 纪要 on the tablet, and come back
    chair.get_by_test_id("minutes-read-summary").click()
    expect(chair.get_by_test_id("minutes-text")).to_contain_text("常务会议纪要")
    expect(chair.get_by_test_id("minutes-text")).to_contain_text(
        "会议议定：该议题暂缓审议，列入以后的会议。"
    )  # before opening
    screenshot(chair, "chair-reads-summary")
    chair.get_by_test_id("back-to-tablet").click()
    expect(chair.get_by_test_id("minutes-approve")).to_be_enabled()

    # approve: a confirmation first; cancelling changes nothing
    chair.get_by_test_id("minutes-approve").click()
    expect(chair.get_by_test_id("dialog")).to_be_visible()
    chair.get_by_test_id("dialog-cancel").click()
    expect(chair.get_by_test_id("dialog")).to_have_count(0)
    assert secretary.api("GET", f"/meetings/{mid}/minutes").json()["minutes"]["status"] == "draft"
    chair.get_by_test_id("minutes-approve").click()
    chair.get_by_test_id("dialog-ok").click()
    expect(chair.get_by_test_id("minutes-status")).to_contain_text(
        re.compile(
            r"已于 \d{4}年\d{1,2}月\d{1,2}日 "
            r"\d{2}:\d{2} 审定（张建国）"
        )
    )
    expect(chair.get_by_test_id("minutes-approve")).to_be_hidden()
    assert secretary.api("GET", f"/meetings/{mid}/minutes").json()["minutes"]["status"] == "approved"
    screenshot(chair, "chair-approved", full_page=True)

    # a member's link lands on the same page: read-only, the record to read, no approve button
    member = _tablet(new_page, server.tablet_url(MEMBER))
    expect(member.get_by_test_id("minutes-status")).to_contain_text("审定（张建国）")
    expect(member.get_by_test_id("minutes-approve")).to_be_hidden()
    expect(member.get_by_test_id("conn-banner")).to_be_hidden()
    member.get_by_test_id("minutes-read-record").click()
    expect(member.locator("h1")).to_contain_text("会议纪要")
    expect(member.locator("body")).to_contain_text("暂缓理由：需进一步调研论证")


def test_a_meeting_closed_with_an_item_not_reached_says_what_is_still_open(server, secretary, new_page, screenshot):
    """The room refuses to close while items were never concluded (naming them); once they are deferred it closes
    and the chair's tablet offers approval with nothing left open."""
    links, _ = server.demo()  # a second demo meeting in the same database
    mid = links.meeting_id
    agenda = _open_with_everyone(secretary, mid)
    _act(secretary, mid, "defer_item", {"item_id": agenda[0]["id"], "reason": "意见分歧较大"})
    resp = secretary.api("POST", f"/meetings/{mid}/actions/close_meeting", {})
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "items_not_concluded", resp.text
    for item in agenda[1:]:
        assert item["title"] in resp.json()["error"]["message"]
        _act(secretary, mid, "defer_item", {"item_id": item["id"], "reason": "时间不够，下次会议审议"})
    _act(secretary, mid, "close_meeting")

    chair = _tablet(new_page, server.url(f"/t/{links.members[CHAIR]}"))
    expect(chair.get_by_test_id("tablet-minutes")).to_be_visible()
    expect(chair.get_by_test_id("minutes-open-items")).to_be_hidden()
    expect(chair.get_by_test_id("minutes-approve")).to_be_enabled()
    expect(chair.get_by_test_id("minutes-read-summary")).to_be_visible()
    screenshot(chair, "chair-open-items", full_page=True)
