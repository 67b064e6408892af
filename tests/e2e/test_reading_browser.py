"""会前阅读 in the browser, on a tablet (768×1024), before the meeting opens: a member goes from his tablet to the
agenda with every item's materials and opens one; a member recused from an item sees it without its materials, and
its file, asked for directly, is refused by the server."""

from __future__ import annotations

from playwright.sync_api import expect

from .test_pdf_viewer import PAGES, api, chinese_pdf, upload

TABLET = (768, 1024)
RECUSED = "王志强"  # the subject's father (the demo's relation): recused from the personnel item
READER = "李红梅"


def test_members_read_the_materials_ahead_and_a_recused_member_gets_none_of_that_item(
    server, secretary, new_page, screenshot
):
    meeting = api(secretary, "GET", f"/meetings/{server.meeting_id}")["meeting"]
    assert meeting["status"] == "scheduled"  # not opened: reading ahead
    agenda = {it["category"]: it["id"] for it in meeting["agenda"]}
    funds = upload(secretary, agenda["large_funds"], "城市更新项目请示.pdf", chinese_pdf(PAGES), "application/pdf")
    personnel = upload(secretary, agenda["personnel"], "干部考察材料.pdf", chinese_pdf(PAGES[:1]), "application/pdf")
    person = {seat["name"]: seat["person_id"] for seat in meeting["roster"]}[RECUSED]
    resp = secretary.action("add_recusal", {"item_id": agenda["personnel"], "person_id": person, "reason": "父子"})
    assert resp.status_code in (200, 409), resp.text  # 409: the demo's relation registered it already

    tablet = new_page(*TABLET, has_touch=True)
    tablet.goto(server.tablet_url(READER))
    tablet.get_by_test_id("reading-link").click()
    expect(tablet.get_by_test_id("reading-agenda")).to_be_visible()
    for item_id in agenda.values():
        expect(tablet.get_by_test_id(f"reading-item-{item_id}")).to_be_visible()
    link = tablet.get_by_test_id(f"reading-material-{funds['id']}")
    expect(link).to_be_visible()
    expect(tablet.get_by_test_id(f"reading-material-{personnel['id']}")).to_be_visible()
    assert tablet.evaluate("() => document.scrollingElement.scrollWidth") <= TABLET[0]  # nothing wider than the tablet
    box = link.bounding_box()
    assert box and box["height"] >= 32, box  # a finger can hit it
    got = tablet.request.get(server.url(link.get_attribute("href")))
    assert got.status == 200 and got.body().startswith(b"%PDF")
    screenshot(tablet, "reading", full_page=True)

    other = new_page(*TABLET, has_touch=True)
    other.goto(server.tablet_url(RECUSED) + "/reading")
    expect(other.get_by_test_id(f"reading-recused-{agenda['personnel']}")).to_be_visible()
    expect(other.get_by_test_id(f"reading-material-{personnel['id']}")).to_have_count(0)
    expect(other.get_by_test_id(f"reading-material-{funds['id']}")).to_be_visible()
    refused = other.request.get(server.url(f"/materials/{personnel['id']}?token={server.members[RECUSED]}"))
    assert refused.status == 403 and not refused.body().startswith(b"%PDF")
    screenshot(other, "reading-recused", full_page=True)

    other.get_by_test_id("reading-back").click()  # back to the room page
    expect(other.get_by_test_id("reading-link")).to_be_visible()
