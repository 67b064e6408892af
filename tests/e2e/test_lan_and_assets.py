"""The closed intranet: every asset (the Socket.IO client included) comes from the app itself, and the README's
LAN set-up (``--host 0.0.0.0``) prints links tablets can reach and serves them."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_every_asset_is_served_by_the_app_itself(server, new_page):
    pages = []
    console = new_page(1366, 768)
    console.goto(server.url(f"/login?next=/meetings/{server.meeting_id}/console"))
    console.locator("input[name=username]").fill(server.links.username)
    console.locator("input[name=password]").fill(server.links.password)
    pages.append(console)
    tablet = new_page(768, 1024)
    projector = new_page(1920, 1080)
    pages += [tablet, projector]

    requests: list[str] = []
    problems: list[str] = []
    for page in pages:
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))

    console.locator("button[type=submit]").click()
    console.wait_for_url(re.compile(rf"/meetings/{server.meeting_id}/console"))
    tablet.goto(server.tablet_url("李红梅"))
    projector.goto(server.projector_url)
    for page in pages:
        page.wait_for_function("() => window.YishiRoom && YishiRoom.current && YishiRoom.current.connected")
        expect(page.get_by_test_id("conn-banner")).to_be_hidden()

    origin = urlsplit(server.base_url).netloc
    foreign = [u for u in requests if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != origin]
    assert not foreign, f"fetched from elsewhere (no internet in the meeting room): {foreign}"
    assert not problems, problems
    assert any(u.endswith("/static/vendor/socket.io/socket.io.min.js") for u in requests)
    # Chinese fonts come from the system: nothing to download
    assert not [u for u in requests if re.search(r"\.(woff2?|ttf|otf)(\?|$)", u)]


def test_lan_links_and_serving_on_all_interfaces(server):
    links, printed = server.demo(host="0.0.0.0")  # what the secretary runs for tablets on the LAN
    assert "0.0.0.0" not in printed, printed
    hosts = {urlsplit(u).netloc for u in re.findall(r"http://\S+", printed)}
    assert len(hosts) == 1, hosts
    lan = hosts.pop()
    assert lan.endswith(f":{server.port}")

    server.stop()
    server.start(host="0.0.0.0")
    for base in (f"http://{lan}", server.base_url):
        name = next(iter(links.members))
        with urllib.request.urlopen(f"{base}/t/{links.members[name]}", timeout=10) as resp:
            page = resp.read().decode()
        assert resp.status == 200 and name in page and links.title in page


def test_the_printed_links_sheet_carries_the_cards_only(server, new_page, screenshot):
    """The sheet handed out has no navigation bar, button or form (print CSS); on screen, a server listening on
    127.0.0.1 only (the test server) says that tablets cannot use these links."""
    page = new_page(1366, 768)
    page.goto(server.url(f"/login?next=/meetings/{server.meeting_id}/links"))
    page.locator("input[name=username]").fill(server.links.username)
    page.locator("input[name=password]").fill(server.links.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/meetings/{server.meeting_id}/links"))
    expect(page.get_by_test_id("loopback-warning")).to_be_visible()
    expect(page.get_by_test_id("loopback-warning")).to_contain_text("--host 0.0.0.0")
    page.get_by_test_id("issue-all").click()
    expect(page.get_by_test_id("links-sheet")).to_be_visible()
    expect(page.locator(".topbar")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_test_id("loopback-warning")).to_be_hidden()
    expect(page.get_by_test_id("links-status")).to_be_hidden()
    cards = page.locator(".link-card")
    assert cards.count() == len(server.members) + len(server.observers) + 1
    for i in range(cards.count()):
        expect(cards.nth(i)).to_be_visible()
        expect(cards.nth(i).locator("img.qr")).to_be_visible()
    visible = page.evaluate(
        """() => [...document.querySelectorAll('button, nav, form, header.topbar, a[href*="/console"]')]
              .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert visible == [], visible
    screenshot(page, "print", full_page=True)
