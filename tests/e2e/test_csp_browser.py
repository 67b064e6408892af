"""The room under its Content-Security-Policy (meeting/headers.py) in real Chromium: the secretary's console at laptop
size, a member's tablet at tablet size and the projector go through a short meeting (check-in, the meeting and an
item opened, opinions called, an opinion given, a PDF material drawn by pdf.js), and the setting-up pages are
visited; the browser reports no CSP violation (``securitypolicyviolation`` events, from every document of every
page) and no console error or warning. A script injected at the end is refused, which shows that the policy is
enforced and that the listener hears it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_browser_room import BIG_SCREEN, LAPTOP, TABLET, connected, give_opinion, initial_state, sign_in
from tests.e2e.test_pdf_viewer import PAGES, chinese_pdf, upload

MEMBER = "李红梅"
# fired in every document before its own scripts run; the binding is Playwright's, outside the page's policy
LISTEN = """document.addEventListener('securitypolicyviolation', (e) => {
  window.__yishiViolation(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`
    + ` on ${location.pathname}`);
});"""
INJECT = """() => {
  const s = document.createElement('script');
  s.textContent = 'window.__injected = true;';
  document.body.appendChild(s);
  const b = document.createElement('button');
  b.setAttribute('onclick', 'window.__injected = true;');
  document.body.appendChild(b);
  b.click();
  return new Promise((resolve) => setTimeout(() => resolve(window.__injected === true), 300));
}"""


# pdf.js says so when a PDF's non-embedded font (STSong-Light) is not installed locally; it draws with the CMaps and
# a substitute font instead. A local() font is not fetched, so no policy is involved.
PDFJS_NOTES = re.compile(r"^Warning: Cannot load system font: ")


def watched(new_page, size, problems: list[str], violations: list[str], **kwargs):
    page = new_page(*size, **kwargs)
    page.context.expose_binding("__yishiViolation", lambda _source, text: violations.append(text))
    page.context.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text} ({m.location.get('url')})")
            if m.type in ("error", "warning") and not PDFJS_NOTES.match(m.text)
            else None
        ),
    )
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    return page


def strict(resp) -> None:
    """The page came with the policy: script only from our own origin, no inline, no eval."""
    csp = resp.headers.get("content-security-policy", "")
    script = re.search(r"script-src ([^;]*)", csp)
    assert script and "'self'" in script.group(1).split(), (resp.url, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (resp.url, csp)
    assert resp.headers.get("x-content-type-options") == "nosniff", resp.url


def test_meeting_runs_without_a_csp_violation(server, secretary, new_page, connect, screenshot):
    problems: list[str] = []
    violations: list[str] = []
    console = watched(new_page, LAPTOP, problems, violations)
    sign_in(console, server)
    strict(console.reload())
    connected(console)
    state = initial_state(console)
    funds = next(it["id"] for it in state["agenda"] if it["category"] == "large_funds")
    pdf = upload(secretary, funds, "城市更新项目请示.pdf", chinese_pdf(PAGES), "application/pdf")

    tablet = watched(new_page, TABLET, problems, violations, has_touch=True)
    strict(tablet.goto(server.tablet_url(MEMBER)))
    connected(tablet)
    projector = watched(new_page, BIG_SCREEN, problems, violations)
    strict(projector.goto(server.projector_url))
    connected(projector)

    # check-in: the tablet by its button, the others over sockets
    tablet.get_by_test_id("check-in").click()
    expect(tablet.get_by_test_id("check-in")).to_be_hidden()
    others = {name: connect(token=token, label=name) for name, token in server.members.items() if name != MEMBER}
    for sock in others.values():
        assert sock.call("check_in")["ok"] is True
    expect(console.get_by_test_id("quorum-present")).to_have_text(str(len(server.members)))

    console.get_by_test_id("open-meeting").click()
    expect(console.get_by_test_id("open-meeting")).to_be_hidden()
    console.get_by_test_id(f"open-item-{funds}").click()
    expect(console.get_by_test_id("current-title")).to_contain_text("老旧小区改造")
    console.get_by_test_id("call-opinions").click()
    expect(console.get_by_test_id("current-status")).to_have_text("征求意见中")

    # the member reads the PDF (pdf.js: a module, its worker, CMaps) and speaks
    tablet.get_by_test_id(f"material-{pdf['id']}").click()
    viewer = tablet.get_by_test_id("material-viewer")
    expect(viewer.locator("canvas")).to_have_count(2, timeout=15_000)
    expect(viewer.locator("iframe")).to_have_count(0)  # drawn by pdf.js, not the fallback
    tablet.get_by_test_id("material-close").click()
    expect(viewer).to_be_hidden()
    give_opinion(tablet, "disagree", "建议压减规模，分两年实施。")
    expect(console.get_by_test_id("console-progress")).to_contain_text(f"1 / {len(server.members)}")
    expect(projector.get_by_test_id("projector-progress")).to_contain_text(f"1 / {len(server.members)}")
    screenshot(console, "csp-console")

    # the secretary's other pages: links and QR codes, the setting-up page (drag and drop), the bodies
    for path in (f"/meetings/{server.meeting_id}/links", f"/meetings/{server.meeting_id}/setup", "/bodies", "/"):
        strict(console.goto(server.url(path)))
        console.wait_for_load_state("load")
    # the links are stored hashed and shown once, when issued: re-issue one (a member's whose tablet is not this
    # test's browser) and the sheet that answers shows it with its QR code
    strict(console.goto(server.url(f"/meetings/{server.meeting_id}/links")))
    row = console.locator("tr[data-testid^='status-seat-']").filter(has_not_text=MEMBER).last
    with console.expect_navigation():
        row.locator("button[data-testid^='reissue-']").click()
    expect(console.get_by_test_id("links-sheet")).to_be_visible()
    console.wait_for_function(  # the QR codes (/qr/<token>.svg) are images from our own origin
        "() => { const q = document.querySelectorAll('img.qr');"
        " return q.length > 0 && Array.from(q).every(i => i.complete && i.naturalWidth > 0); }"
    )

    assert violations == [], violations
    assert problems == [], problems

    # the policy is enforced, and heard: an injected script and an injected onclick are refused
    assert tablet.evaluate(INJECT) is False
    for _ in range(100):  # the reports arrive through the binding; up to 10 s
        if len(violations) >= 2:
            break
        tablet.wait_for_timeout(100)
    assert len(violations) == 2, violations
    assert all(v.startswith("script-src") and " blocked inline " in v for v in violations), violations
