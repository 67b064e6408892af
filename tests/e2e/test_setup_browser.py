"""Setting up in minutes, in real Chromium at laptop size (1366×768) against ``python run.py serve``: the secretary
imports a body's members from an Excel file with an error row, is told the row, fixes the file and imports it;
then creates the next meeting from the new-meeting page, copied from the last one."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from playwright.sync_api import expect

LAPTOP = (1366, 768)


def _xlsx(path, rows) -> str:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def test_import_members_with_an_error_row_then_copy_the_last_meeting(server, new_page, screenshot, tmp_path):
    page = new_page(*LAPTOP)
    page.goto(server.url("/login"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    # the demo meeting's body
    page.goto(server.url(f"/meetings/{server.meeting_id}/setup"))
    body_href = page.locator("a[href^='/bodies/']").first.get_attribute("href")
    body_id = int(re.search(r"/bodies/(\d+)", body_href).group(1))

    # from the body page to the import, the body chosen already
    page.goto(server.url(f"/bodies/{body_id}"))
    page.get_by_role("link", name="从 Excel 或粘贴名单批量导入成员").click()
    page.wait_for_url(re.compile(r"/people\?body_id="))
    form = page.locator("#import form")
    expect(form.locator("select[name=body_id]")).to_have_value(str(body_id))
    head = ["姓名", "单位", "职务", "角色"]
    bad = _xlsx(
        tmp_path / "名单.xlsx", [head, ["欧阳晓峰", "区人民政府", "副区长", "成员"], [None, "区人民政府", "副区长"]]
    )
    form.locator("input[name=file]").set_input_files(bad)
    form.get_by_role("button", name="导入").click()
    problems = page.locator("#import [role=alert]")
    expect(problems).to_contain_text("第3行：缺少姓名")
    expect(page.locator("[role=alert]", has_text="第3行：缺少姓名")).to_have_count(1)  # said once
    screenshot(page, "import-error")
    page.goto(server.url(f"/bodies/{body_id}"))
    expect(page.locator("#members")).not_to_contain_text("欧阳晓峰")  # nothing was stored

    page.goto(server.url(f"/people?body_id={body_id}"))
    good = _xlsx(
        tmp_path / "名单2.xlsx",
        [head, ["欧阳晓峰", "区人民政府", "副区长", "成员"], ["周文华", "区人民政府", "副区长"]],
    )
    form = page.locator("#import form")
    form.locator("input[name=file]").set_input_files(good)
    form.get_by_role("button", name="导入").click()
    page.wait_for_url(re.compile(rf"/bodies/{body_id}#members$"))
    expect(page.locator(".flash.ok")).to_contain_text("已导入2人")
    expect(page.locator("#members")).to_contain_text("欧阳晓峰")
    expect(page.locator("#members")).to_contain_text("周文华")

    # the next meeting, copied from the last one: one item ticked, then the one button
    page.goto(server.url(f"/meetings/new?body_id={body_id}"))
    expect(page.locator("[data-copy-lead]")).to_contain_text("已按上次会议")
    checklist = page.locator("#copy-items input[name=copy_item_ids]")
    expect(checklist.first).to_be_visible()
    checklist.first.check()
    screenshot(page, "new-meeting")
    page.get_by_role("button", name="创建会议").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/setup"))
    expect(page.locator(".flash.ok")).to_contain_text("已沿用1个议题")
    expect(page.locator("body")).to_contain_text("欧阳晓峰")  # the roster is the body's members, imported ones too
    assert int(re.search(r"/meetings/(\d+)/setup", page.url).group(1)) != server.meeting_id
