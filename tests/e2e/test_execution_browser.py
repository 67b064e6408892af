"""The execution ledger in real Chromium against ``python run.py serve``: a unit's account files a progress report
on a tablet (768×1024), and the supervision office records the leader's signed paper and closes the assignment on a
laptop (1366×768). The data is made over HTTP as a user would (the demo administrator is the office)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LAPTOP = (1366, 768)
TABLET = (768, 1024)
DECIDED = "原则同意城南片区老旧小区改造方案，由区住建局牵头，区财政局配合，2030年6月30日前完成。"


def _login(page: Page, server, username: str, password: str, lands: str) -> None:
    page.goto(server.url("/login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(lands))


def _setup(secretary) -> int:
    """The office (demo admin): one assignment and the lead unit's account, through the JSON API."""
    resp = secretary.api(
        "POST",
        "/execution/assignments",
        {
            "title": "城南片区老旧小区改造",
            "decided_text": DECIDED,
            "category": "major_decision",
            "decided_on": "2023-12-09",
            "lead_unit": "区住建局",
            "supporting_units": ["区财政局"],
            "responsible_leader": "李红梅",
            "deadline": "2030-06-30",
        },
    )
    assert resp.status_code == 201, resp.text
    assignment = resp.json()["assignment"]
    unit_id = next(u["unit_id"] for u in assignment["units"] if u["role"] == "lead")
    resp = secretary.api(
        "POST",
        "/execution/accounts",
        {
            "username": "zhujian",
            "display_name": "住建局李科长",
            "password": "zhujian-2024",
            "role": "unit",
            "unit_id": unit_id,
        },
    )
    assert resp.status_code == 201, resp.text
    return assignment["id"]


def test_unit_reports_progress_and_office_closes(server, secretary, new_page, screenshot, tmp_path):
    assignment_id = _setup(secretary)
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 acceptance report")
    scan = tmp_path / "领导签字件.pdf"
    scan.write_bytes(b"%PDF-1.4 signed by the leader")

    # the unit, on a tablet: its home lists the assignment; it files a progress report marked completed
    unit = new_page(*TABLET, has_touch=True)
    _login(unit, server, "zhujian", "zhujian-2024", r"/execution/unit$")
    expect(unit.get_by_test_id("ledger").first).to_contain_text("城南片区老旧小区改造")
    unit.get_by_role("link", name=re.compile(r"\d{4}-001")).first.click()
    unit.wait_for_url(re.compile(rf"/execution/assignments/{assignment_id}$"))
    form = unit.get_by_test_id("progress-form")
    expect(form).to_be_visible()
    form.locator("textarea[name=content]").fill("改造全部完成，已组织验收")
    form.locator("textarea[name=problems]").fill("无")
    form.locator("input[name=files]").set_input_files(str(evidence))
    form.locator("input[name=completes]").check()
    screenshot(unit, "unit-progress")
    form.get_by_role("button", name="报送").click()
    expect(unit.locator(".flash.ok")).to_contain_text("已报送办结情况")
    expect(unit.get_by_test_id("progress-list")).to_contain_text("改造全部完成，已组织验收")
    expect(unit.get_by_test_id("progress-list")).to_contain_text("验收报告.pdf")
    expect(unit.locator("[data-status]").first).to_have_text("已办结")

    # the office, on a laptop: records the leader's signed paper with its scan, then closes (销号)
    office = new_page(*LAPTOP)
    _login(office, server, server.links.username, server.links.password, r"/")
    office.goto(server.url(f"/execution/assignments/{assignment_id}"))
    sign = office.get_by_test_id("signoff-form")
    sign.locator("input[name=files]").set_input_files(str(scan))
    sign.locator("textarea[name=opinion]").fill("同意销号")
    sign.get_by_role("button", name="登记领导签字").click()
    expect(office.get_by_test_id("signoff")).to_contain_text("分管领导李红梅")
    office.once("dialog", lambda dialog: dialog.accept())
    office.get_by_test_id("close").click()
    expect(office.locator(".flash.ok")).to_contain_text("已销号")
    expect(office.get_by_test_id("closed")).to_be_visible()
    screenshot(office, "office-closed")

    # the closed row stays in the ledger, with its status in words
    office.goto(server.url("/execution/"))
    row = office.locator("tr[data-number]").filter(has_text="城南片区老旧小区改造")
    expect(row).to_contain_text("已销号")
    screenshot(office, "ledger", full_page=True)
    unit.goto(server.url("/execution/unit"))
    expect(unit.locator("[data-status]").first).to_have_text("已销号")
