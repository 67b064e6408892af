"""The PDF reader on the tablet (768×1024): page buttons and "第 x / y 页", zoom, a watermark with the reader's name
and the time on every page, and 跟随翻页 — the secretary presents from the console, the tablets that follow turn with
him; one that turns a page himself stays where he is until he rejoins, then goes to the presenter's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .test_pdf_viewer import api, chinese_pdf, connected, upload

TABLET = (768, 1024)
LAPTOP = (1366, 768)
FIVE = [[f"第{n}页", f"城市更新项目 第{n}部分"] for n in "一二三四五"]


def _open_item_with_a_long_pdf(server, secretary) -> dict:
    meeting = api(secretary, "GET", f"/meetings/{server.meeting_id}")["meeting"]
    funds = next(it["id"] for it in meeting["agenda"] if it["category"] == "large_funds")
    pdf = upload(secretary, funds, "城市更新项目请示（五页）.pdf", chinese_pdf(FIVE), "application/pdf")
    for seat in meeting["roster"]:
        payload = {"person_id": seat["person_id"], "attendance": "present"}
        assert api(secretary, "POST", f"/meetings/{server.meeting_id}/actions/roll_call", payload)["ok"] is True
    for action, payload in (("open_meeting", {}), ("open_item", {"item_id": funds})):
        assert api(secretary, "POST", f"/meetings/{server.meeting_id}/actions/{action}", payload)["ok"] is True
    return pdf


def _console(server, new_page) -> Page:
    page = new_page(*LAPTOP)
    page.goto(server.url(f"/login?next=/meetings/{server.meeting_id}/console"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/meetings/{server.meeting_id}/console"))
    connected(page)
    return page


def _reading(server, new_page, name: str, pdf: dict, problems: list[str]) -> Page:
    tablet = new_page(*TABLET, has_touch=True)
    tablet.on("pageerror", lambda err: problems.append(f"{name}: {err}"))
    tablet.goto(server.tablet_url(name))
    connected(tablet)
    tablet.get_by_test_id(f"material-{pdf['id']}").click()
    expect(tablet.get_by_test_id("material-page-count")).to_have_text("第 1 / 5 页", timeout=15_000)
    return tablet


def _present(console: Page, pdf: dict, button: str, page: int) -> None:
    console.get_by_test_id(f"present-{button}-{pdf['id']}").click()
    expect(console.get_by_test_id(f"present-page-{pdf['id']}")).to_have_text(f"第 {page} 页")


def _heard(tablet: Page, pdf: dict, page: int) -> None:
    """The tablet has been told the presenter's page (followed or not)."""
    tablet.wait_for_function(
        "([id, page]) => window.YishiTablet.reader.presented()[id] === page", arg=[pdf["id"], page], timeout=10_000
    )


def test_tablets_follow_the_presenter_and_one_may_leave_and_rejoin(server, secretary, new_page, screenshot):
    pdf = _open_item_with_a_long_pdf(server, secretary)
    problems: list[str] = []
    first = "李红梅"
    second = next(n for n in reversed(list(server.members)) if n != first)
    console = _console(server, new_page)
    a = _reading(server, new_page, first, pdf, problems)
    b = _reading(server, new_page, second, pdf, problems)

    # the watermark: the reader's name and the time, over every page
    for tablet, name in ((a, first), (b, second)):
        marks = tablet.get_by_test_id("pdf-watermark")
        expect(marks).to_have_count(5)
        expect(marks.first).to_contain_text(name)
        expect(marks.first).to_contain_text(re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d"))
        expect(tablet.locator(".pdf-page canvas").first).to_be_attached(timeout=15_000)  # page 1 drawn
        on_top = tablet.evaluate(
            """() => { const c = document.querySelector('.pdf-page canvas');
                       const m = c.parentNode.querySelector('.pdf-watermark');
                       const rc = c.getBoundingClientRect(), rm = m.getBoundingClientRect(), st = getComputedStyle(m);
                       return st.position === 'absolute' && Number(st.zIndex) > 0 && st.pointerEvents === 'none'
                         && rm.left <= rc.left + 1 && rm.top <= rc.top + 1 && rm.right >= rc.right - 1
                         && rm.bottom >= rc.bottom - 1; }"""
        )
        assert on_top, "the watermark lies over the page's canvas"
        expect(tablet.get_by_test_id("reader-follow")).to_have_text("跟随翻页：开")

    # the console turns to page 3: both tablets show page 3
    _present(console, pdf, "next", 2)
    _present(console, pdf, "next", 3)
    for tablet in (a, b):
        expect(tablet.get_by_test_id("material-page-count")).to_have_text("第 3 / 5 页")
    screenshot(a, "following-page-3")

    # the second turns back to 2 himself: he no longer follows
    b.get_by_test_id("reader-prev").click()
    expect(b.get_by_test_id("material-page-count")).to_have_text("第 2 / 5 页")
    expect(b.get_by_test_id("reader-follow")).to_have_text("跟随翻页：关")

    # the console turns to 4: the first follows, the second stays at 2 (though told)
    _present(console, pdf, "next", 4)
    expect(a.get_by_test_id("material-page-count")).to_have_text("第 4 / 5 页")
    _heard(b, pdf, 4)
    expect(b.get_by_test_id("material-page-count")).to_have_text("第 2 / 5 页")
    screenshot(b, "not-following-page-2")

    # he rejoins: at once on the presenter's page
    b.get_by_test_id("reader-follow").click()
    expect(b.get_by_test_id("reader-follow")).to_have_text("跟随翻页：开")
    expect(b.get_by_test_id("material-page-count")).to_have_text("第 4 / 5 页")

    # a tablet that joins now, reading nothing: told where the presenter is, it opens the material at his page,
    # and follows on
    late = next(n for n in server.members if n not in (first, second, "张建国"))
    c = new_page(*TABLET, has_touch=True)
    c.on("pageerror", lambda err: problems.append(f"{late}: {err}"))
    c.goto(server.tablet_url(late))
    connected(c)
    expect(c.get_by_test_id("material-page-count")).to_have_text("第 4 / 5 页", timeout=15_000)
    _present(console, pdf, "next", 5)
    for tablet in (a, b, c):
        expect(tablet.get_by_test_id("material-page-count")).to_have_text("第 5 / 5 页")
    assert problems == []


def test_page_buttons_and_zoom(server, secretary, new_page, screenshot):
    pdf = _open_item_with_a_long_pdf(server, secretary)
    problems: list[str] = []
    tablet = _reading(server, new_page, "李红梅", pdf, problems)
    counter = tablet.get_by_test_id("material-page-count")
    tablet.get_by_test_id("reader-next").click()
    expect(counter).to_have_text("第 2 / 5 页")
    tablet.get_by_test_id("reader-next").click()
    expect(counter).to_have_text("第 3 / 5 页")
    tablet.get_by_test_id("reader-prev").click()
    expect(counter).to_have_text("第 2 / 5 页")

    def page_width() -> float:
        return tablet.evaluate("() => document.querySelector('.pdf-page').getBoundingClientRect().width")

    fit = page_width()
    assert abs(fit - (TABLET[0] - 16)) <= 2, fit
    tablet.get_by_test_id("reader-zoom-in").click()
    tablet.wait_for_function(f"() => document.querySelector('.pdf-page').getBoundingClientRect().width > {fit + 100}")
    expect(counter).to_have_text("第 2 / 5 页")  # the page being read stays in view
    # zoomed past the width, the page's left edge can still be scrolled to
    assert tablet.evaluate(
        "() => { const b = document.getElementById('viewer-body'); b.scrollLeft = 0;"
        " return document.querySelector('.pdf-page').getBoundingClientRect().left >= -1; }"
    )
    tablet.wait_for_function(  # drawn again at the new width, with ink
        "() => { const c = document.querySelector('.pdf-page canvas');"
        " return c && Math.abs(c.getBoundingClientRect().width - document.querySelector('.pdf-page')"
        ".getBoundingClientRect().width) <= 2; }",
        timeout=15_000,
    )
    screenshot(tablet, "zoomed")
    tablet.get_by_test_id("reader-zoom-out").click()
    tablet.get_by_test_id("reader-zoom-out").click()
    tablet.wait_for_function(f"() => document.querySelector('.pdf-page').getBoundingClientRect().width < {fit - 50}")
    tablet.get_by_test_id("reader-fit").click()
    tablet.wait_for_function(
        f"() => Math.abs(document.querySelector('.pdf-page').getBoundingClientRect().width - {fit}) <= 2"
    )
    assert problems == []


def test_a_member_named_presenter_leads_from_his_tablet(server, secretary, new_page):
    """The secretary names 李红梅 presenter on the console: her tablet says she presents, her 下一页 turns the room's
    tablets that follow; the console takes it back and her turns are her own again."""
    pdf = _open_item_with_a_long_pdf(server, secretary)
    problems: list[str] = []
    console = _console(server, new_page)
    lead = "李红梅"
    other = next(n for n in reversed(list(server.members)) if n != lead)
    a = _reading(server, new_page, lead, pdf, problems)
    b = _reading(server, new_page, other, pdf, problems)
    pick = console.get_by_test_id("presenter-pick")
    pick.select_option(label=lead)
    expect(a.get_by_test_id("reader-follow")).to_contain_text("您正在演示")
    a.get_by_test_id("reader-next").click()
    a.get_by_test_id("reader-next").click()
    for tablet in (a, b):
        expect(tablet.get_by_test_id("material-page-count")).to_have_text("第 3 / 5 页")
    expect(console.get_by_test_id(f"present-page-{pdf['id']}")).to_have_text("第 3 页")
    pick.select_option(value="")  # 本控制台
    expect(a.get_by_test_id("reader-follow")).to_have_text("跟随翻页：开")
    a.get_by_test_id("reader-prev").click()  # her own again: she stops following, the other stays
    expect(a.get_by_test_id("material-page-count")).to_have_text("第 2 / 5 页")
    _heard(b, pdf, 3)
    expect(b.get_by_test_id("material-page-count")).to_have_text("第 3 / 5 页")
    assert problems == []
