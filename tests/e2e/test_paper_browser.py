"""The paper for the meeting room in real Chromium, at tablet and laptop sizes: on screen a bar of buttons (print,
Word, back); printed (print media, and Chromium's own PDF) no navigation and no button, the sheet alone, and the
签到表 of the demo meeting on one A4 page. Runs against ``python run.py serve`` in each async mode (conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

SIZES = [(768, 1024), (1366, 768)]


def sign_in(page: Page, server, target: str) -> None:
    page.goto(server.url(f"/login?next={target}"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


@pytest.mark.parametrize("size", SIZES, ids=["tablet", "laptop"])
def test_paper_prints_without_navigation_or_buttons(server, new_page, screenshot, size):
    page = new_page(*size)
    setup = f"/meetings/{server.meeting_id}/setup"
    sign_in(page, server, setup)
    links = page.get_by_test_id("paper-links")
    expect(links).to_be_visible()
    links.get_by_role("link", name="签到表").click()
    page.wait_for_url(re.compile(r"/paper/sign-in$"))
    bar = page.get_by_test_id("paper-bar")
    expect(bar).to_be_visible()
    expect(bar.get_by_role("button", name="打印")).to_be_visible()
    expect(page.locator("header.topbar")).to_have_count(0)
    sheet = page.get_by_test_id("paper-sign-in")
    expect(sheet.locator("tr.person").first).to_be_visible()
    screenshot(page, "sign-in-screen")

    page.emulate_media(media="print")
    expect(bar).to_be_hidden()
    expect(sheet).to_be_visible()
    visible_buttons = page.evaluate(
        "() => [...document.querySelectorAll('button, a.button, nav')].filter(e => e.offsetParent !== null).length"
    )
    assert visible_buttons == 0
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert _pdf_pages(pdf) == 1, "the demo meeting's 签到表 is one A4 page"
    page.emulate_media(media="screen")

    page.goto(server.url(f"/minutes/meetings/{server.meeting_id}/paper/notice"))
    notice = page.get_by_test_id("paper-notice")
    expect(notice.locator("h1")).to_contain_text("的通知")
    page.emulate_media(media="print")
    expect(page.get_by_test_id("paper-bar")).to_be_hidden()
    assert _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) <= 2
