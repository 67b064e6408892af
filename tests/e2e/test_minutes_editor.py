"""The secretary's minutes editor in real Chromium at laptop size (1366×768) against ``python run.py serve``, and the
chair's tablet (768×1024) after it. The demo meeting: item 1 (personnel) and item 3 deferred, item 2 (large funds)
passed by the members' opinions, the chair last.

What is typed is never lost: item 2's refused save (an over-long 牵头单位) keeps its text and says why while item 1
saves; a save based on a version another tab has saved over is refused with "已被他人修改" and both texts shown; a
reload offers each unsaved draft back; the preview follows each save; the chair's tablet names the item still
without 会议议定 instead of offering approval, and offers it once the text is written. Every wait is Playwright's
polling with a deadline."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LAPTOP = (1366, 768)
TABLET = (768, 1024)
CHAIR = "张建国"
FUNDS = "关于2024年老旧小区改造专项资金安排的议题"
MISSING_FUNDS = f"第2项《{FUNDS}》尚无会议议定"
SAVED = re.compile(r"^已保存 \d{2}:\d{2}$")


def _act(secretary, name: str, payload: dict | None = None) -> dict:
    resp = secretary.action(name, payload)
    assert resp.status_code == 200 and resp.json().get("ok"), (name, resp.status_code, resp.text)
    return resp.json()


def _decide_the_demo_meeting(server, secretary, connect) -> list[dict]:
    """Everyone present; items 1 and 3 deferred; item 2 passed by every member's opinion, the chair's last."""
    state = secretary.api("GET", f"/meetings/{server.meeting_id}/state").json()["state"]
    for row in state["roster"]:
        _act(secretary, "roll_call", {"person_id": row["person_id"], "attendance": "present"})
    _act(secretary, "open_meeting")
    agenda = state["agenda"]
    personnel, funds, decision = (it["id"] for it in agenda)
    _act(secretary, "defer_item", {"item_id": personnel, "reason": "考察材料尚未齐全"})
    _act(secretary, "defer_item", {"item_id": decision, "reason": "需进一步征求意见"})
    _act(secretary, "open_item", {"item_id": funds})
    _act(secretary, "call_opinions", {"item_id": funds})
    tablets = {name: connect(token=token, label=name) for name, token in server.members.items()}
    for name, tablet in tablets.items():
        if name != CHAIR:
            _, ack = tablet.opinion(funds, "agree", "")
            assert ack["ok"] is True, (name, ack)
    _, ack = tablets[CHAIR].opinion(funds, "agree", "同意")
    assert ack["ok"] is True, ack
    closed = _act(secretary, "close_item", {"item_id": funds})
    assert closed["result"] == "passed", closed
    _act(secretary, "close_meeting")
    return agenda


def _sign_in(page: Page, server, path: str) -> None:
    page.goto(server.url(f"/login?next={path}"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(path) + "$"))


def _decided(secretary, meeting_id: int) -> dict[int, str]:
    items = secretary.api("GET", f"/meetings/{meeting_id}/minutes").json()["minutes"]["items"]
    return {it["number"]: it["texts"]["decided"] for it in items}


def test_the_editor_never_loses_text_and_the_chair_is_told_what_is_missing(
    server, secretary, connect, new_page, screenshot
):
    mid = server.meeting_id
    agenda = _decide_the_demo_meeting(server, secretary, connect)
    page = new_page(*LAPTOP)
    refused_by_csp = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and refused_by_csp.append(msg.text))
    page.on("dialog", lambda d: d.accept())  # "leave with unsaved text?" on reload: yes (the drafts are kept)
    path = f"/minutes/meetings/{mid}"
    _sign_in(page, server, path)
    t = page.get_by_test_id

    # each item's result and category beside its boxes; what is missing before approval
    expect(t("item-result-2")).to_contain_text("大额资金使用")
    expect(t("item-result-2")).to_contain_text("通过")
    expect(t("item-result-2")).to_contain_text("同意9票")
    expect(t("item-result-1")).to_contain_text("暂缓")
    expect(t("missing-decisions")).to_contain_text(MISSING_FUNDS)
    expect(t("approve")).to_be_disabled()
    expect(t("preview")).to_contain_text(
        "会议议定：原则同意2024年老旧小区改造专项资金安排。"
    )  # the default sentence while nothing is written

    # item 2: a refused save (牵头单位 too long) keeps the text and says why
    t("lead_unit-2").fill("区" * 101)
    t("decided-2").fill("原则同意专项资金安排方案")
    expect(t("save-state-2")).to_contain_text("未保存：", timeout=15_000)
    expect(t("save-state-2")).to_contain_text("牵头单位过长")
    # item 1 meanwhile: saved, and item 2's unsaved text is still in its boxes
    t("decided-1").fill("该事项暂缓决策，待组织考察后再议")
    expect(t("save-state-1")).to_have_text(SAVED, timeout=15_000)
    expect(t("decided-2")).to_have_value("原则同意专项资金安排方案")
    expect(t("lead_unit-2")).to_have_value("区" * 101)
    expect(t("save-state-2")).to_contain_text("未保存：")
    expect(t("preview")).to_contain_text("会议议定：该事项暂缓决策，待组织考察后再议。")  # the preview follows
    assert _decided(secretary, mid) == {1: "该事项暂缓决策，待组织考察后再议", 2: "", 3: ""}

    # two tabs: another one saves item 3 first; this page's save, based on the older version, is refused
    other = secretary.api(
        "PUT", f"/meetings/{mid}/minutes/items/{agenda[2]['id']}", {"decided": "另一标签页写的议定", "base_version": ""}
    )
    assert other.status_code == 200, other.text
    t("decided-3").fill("本页写的议定")
    expect(t("save-state-3")).to_contain_text("未保存：已被他人修改", timeout=15_000)
    expect(t("conflict-3")).to_be_visible()
    expect(t("conflict-3")).to_contain_text("另一标签页写的议定")
    expect(t("decided-3")).to_have_value("本页写的议定")
    screenshot(page, "refused-and-stale", full_page=True)
    assert _decided(secretary, mid)[3] == "另一标签页写的议定"

    # the chair's tablet: told what is missing, not asked to approve
    chair = new_page(*TABLET, has_touch=True)
    chair.goto(server.tablet_url(CHAIR))
    expect(chair.get_by_test_id("tablet-minutes")).to_be_visible(timeout=15_000)
    expect(chair.get_by_test_id("minutes-missing")).to_contain_text(MISSING_FUNDS)
    expect(chair.get_by_test_id("minutes-approve")).to_be_hidden()
    expect(chair.get_by_test_id("minutes-status")).to_have_text(
        "会议纪要草稿已生成，待会议秘书写完会议议定后请您审定。"
    )
    screenshot(chair, "chair-told-what-is-missing", full_page=True)

    # a reload: the server's texts in the boxes, each unsaved draft offered back
    page.reload()
    expect(t("decided-2")).to_have_value("")
    expect(t("draft-offer-2")).to_be_visible()
    expect(t("decided-3")).to_have_value("另一标签页写的议定")
    expect(t("draft-offer-3")).to_be_visible()
    expect(t("draft-offer-1")).to_be_hidden()  # item 1's draft reached the server: nothing to offer
    t("draft-restore-2").click()
    expect(t("decided-2")).to_have_value("原则同意专项资金安排方案")
    expect(t("lead_unit-2")).to_have_value("区" * 101)
    expect(t("save-state-2")).to_contain_text("牵头单位过长", timeout=15_000)
    t("lead_unit-2").fill("区住建局")
    expect(t("save-state-2")).to_have_text(SAVED, timeout=15_000)
    expect(t("preview")).to_contain_text("会议议定：原则同意专项资金安排方案。由区住建局牵头。")
    expect(t("missing-decisions")).to_be_hidden()
    expect(t("approve")).to_be_enabled()

    # item 3's draft was typed on a version saved over since: restored, refused as stale, both shown; mine kept
    t("draft-restore-3").click()
    expect(t("decided-3")).to_have_value("本页写的议定")
    expect(t("conflict-3")).to_contain_text("另一标签页写的议定", timeout=15_000)
    t("conflict-mine-3").click()
    expect(t("save-state-3")).to_have_text(SAVED, timeout=15_000)
    expect(t("conflict-3")).to_be_hidden()
    assert _decided(secretary, mid) == {
        1: "该事项暂缓决策，待组织考察后再议",
        2: "原则同意专项资金安排方案",
        3: "本页写的议定",
    }
    screenshot(page, "all-saved", full_page=True)

    # nothing left to offer after another reload; the chair is now asked
    page.reload()
    for n in (1, 2, 3):
        expect(t(f"draft-offer-{n}")).to_be_hidden()
        expect(t(f"save-state-{n}")).to_have_text(SAVED)
    chair.reload()
    expect(chair.get_by_test_id("minutes-missing")).to_be_hidden(timeout=15_000)
    expect(chair.get_by_test_id("minutes-approve")).to_be_enabled()
    expect(chair.get_by_test_id("minutes-status")).to_have_text("会议纪要草稿已生成，请您审定。")
    assert not refused_by_csp, refused_by_csp  # the page's script and styles load as files: nothing inline refused
