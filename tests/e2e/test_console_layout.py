"""The secretary's console as a laptop shows it (1366×768) and as a big screen does (1920×1080): every member's state
in view without scrolling, the check that every tablet is connected, and notices that never cover a control."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .test_browser_room import sign_in

LAPTOP = (1366, 768)
WIDE = (1920, 1080)
NOT_CONNECTED = ("刘海军", "吴国平")


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _all_rows_in_view(page: Page, rows: int) -> None:
    """Every roster row, and its roll-call buttons whole, lie inside the people column's visible box and the
    window, neither scrolled (measured in one pass: the roster is redrawn as the room changes)."""
    m = page.evaluate(
        """() => {
          const box = e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; };
          const col = document.querySelector('.col-people');
          return {
            scrollY: window.scrollY, colScroll: col.scrollTop, col: box(col), height: window.innerHeight,
            rows: [...document.querySelectorAll('#roster-body tr')].map(box),
            buttons: [...document.querySelectorAll('#roster-body button.roll')].map(box),
          };
        }"""
    )
    assert m["scrollY"] == 0 and m["colScroll"] == 0
    assert len(m["rows"]) == rows
    for i, row in enumerate(m["rows"]):
        assert row["bottom"] <= m["col"]["bottom"] + 0.5, (
            f"row {i + 1} ends at {row['bottom']}, the column at {m['col']}"
        )
        assert row["bottom"] <= m["height"], f"row {i + 1} ends at {row['bottom']}, below the window ({m['height']})"
    for b in m["buttons"]:
        assert b["right"] <= m["col"]["right"] + 0.5, f"a roll-call button is cut off: {b}, the column {m['col']}"


def test_the_laptop_console_shows_every_member_and_who_has_no_tablet(server, secretary, new_page, connect):
    page = new_page(*LAPTOP)
    sign_in(page, server)
    members = [n for n in server.members if n not in NOT_CONNECTED]
    sockets = {name: connect(token=server.members[name], label=name) for name in members}
    check = page.get_by_test_id("device-check")
    # before the meeting: the two whose tablets never joined are named, nobody else
    expect(check).to_contain_text("平板未连接（2）")
    text = check.text_content()
    assert all(name in text for name in NOT_CONNECTED)
    assert not any(name in text for name in members)
    _all_rows_in_view(page, len(server.members))

    page.get_by_test_id(f"roster-{_person_id(page, '刘海军')}").locator("button.roll").nth(2).click()  # 请假
    page.get_by_test_id("dialog-reason").fill("赴省里参加培训")
    page.get_by_test_id("dialog-ok").click()
    expect(page.get_by_test_id(f"attendance-{_person_id(page, '刘海军')}")).to_have_text("请假")
    # on leave, he needs no tablet: only 吴国平 is missing now
    expect(check).to_have_text("平板未连接（1）：吴国平")
    # everyone connects: the check says so
    for name in NOT_CONNECTED:
        sockets[name] = connect(token=server.members[name], label=name)
    expect(check).to_contain_text(f"平板：{len(server.members) - 1} 台全部已连接")  # 刘海军 on leave: not expected

    for s in sockets.values():
        s.call("check_in")
    _all_rows_in_view(page, len(server.members))

    # a notice (an item opened) and a refusal (散会 with items still undecided) cover no control of the page
    page.get_by_test_id("open-meeting").click()
    expect(page.locator("#meeting-status")).to_contain_text("会议进行中")
    page.locator(".agenda-item button.primary").first.click()  # 开始审议
    _covers_nothing(page, page.get_by_test_id("notice-message"))
    page.get_by_test_id("close-meeting").click()
    if page.get_by_test_id("dialog-ok").is_visible():
        page.get_by_test_id("dialog-ok").click()
    _covers_nothing(page, page.get_by_test_id("error-message"))


def _covers_nothing(page: Page, toast) -> None:
    expect(toast).to_be_visible()
    t = toast.bounding_box()
    for control in page.locator("button:visible, a:visible, input:visible, select:visible, textarea:visible").all():
        if control.evaluate("b => !!b.closest('.toasts')"):
            continue
        b = control.bounding_box()
        if b and b["width"] and b["height"]:
            assert not _boxes_overlap(t, b), f"the notice {t} covers {control.text_content()!r} {b}"


def test_on_a_big_screen_the_roster_shows_each_members_line_whole(server, secretary, new_page, connect):
    page = new_page(*WIDE)
    sign_in(page, server)
    for name, token in server.members.items():
        connect(token=token, label=name).call("check_in")
    expect(page.get_by_test_id("device-check")).to_contain_text("全部已连接")
    _all_rows_in_view(page, len(server.members))
    cut = page.locator("#roster-body .r-sub").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert cut == 0


def _person_id(page: Page, name: str) -> int:
    return page.evaluate(
        "(name) => YishiRoom.current.state.roster.find(p => p.name === name).person_id",
        name,
    )
