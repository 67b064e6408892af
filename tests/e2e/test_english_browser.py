"""The page scripts speak the page's language in real Chromium: their strings come from the translation catalogue
(meeting/js_strings.py, a JSON data block in the locale of the request), so a console and a tablet opened in
English show the scripts' English texts, and the same pages in Chinese their Chinese ones."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.test_browser_room import LAPTOP, TABLET, connected, sign_in

MEMBER = "李红梅"
CJK = re.compile(r"[\u3400-\u9fff]")


def delivered(page) -> dict:
    return json.loads(page.locator("#yishi-strings").text_content())


def test_the_console_and_the_tablet_in_english_and_in_chinese(server, new_page):
    problems: list[str] = []
    console = new_page(*LAPTOP)
    console.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    sign_in(console, server)
    console.goto(server.url(f"/meetings/{server.meeting_id}/console?lang=en"))
    connected(console)
    strings = delivered(console)["console"]
    expect(console.locator("#meeting-status")).to_have_text(strings["meetingStatus"]["scheduled"])
    assert strings["meetingStatus"]["scheduled"] == "Not started"

    tablet = new_page(*TABLET, has_touch=True)
    tablet.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    tablet.goto(server.tablet_url(MEMBER) + "?lang=en")
    connected(tablet)
    expect(tablet.locator("#ask")).to_have_text("Tap “Check in” to confirm you are here.")
    tablet.get_by_test_id("check-in").click()
    expect(tablet.locator("#ask")).to_have_text("You are checked in. The meeting will begin shortly.")
    expect(tablet.locator("#me-attendance")).to_have_text(re.compile(r"^(Present|Late)$"))  # the catalogue's label
    assert not CJK.search(tablet.locator("#ask").text_content())

    # the same pages in Chinese (the session remembers the choice)
    console.goto(server.url(f"/meetings/{server.meeting_id}/console?lang=zh"))
    connected(console)
    expect(console.locator("#meeting-status")).to_have_text("未开始")
    tablet.goto(server.tablet_url(MEMBER) + "?lang=zh")
    connected(tablet)
    expect(tablet.locator("#ask")).to_have_text("您已签到，会议即将开始，请稍候。")
    expect(tablet.locator("#me-attendance")).to_have_text(re.compile(r"^(出席|迟到)$"))
    assert problems == []
