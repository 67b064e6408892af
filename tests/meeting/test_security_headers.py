"""Security headers on every response, and pages that need no inline script (meeting/headers.py).

Every GET route of ``app.url_map`` is requested with real data (a decided meeting with a material, an assignment, a
reminder, an NPC case, tablet and projector tokens) as every kind of user; each answer carries the headers, and each
HTML page has no ``<script>`` without ``src`` (but JSON data blocks), no ``on*=`` attribute, no ``javascript:`` URL
and no ``style=`` attribute or ``<style>`` block (the policy has no ``'unsafe-inline'``). The templates themselves
are read too, for the parts no request reaches."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import select

from meeting.db import unit_of_work
from meeting.headers import content_security_policy
from meeting.models import Meeting, Observer
from tests.execution.core import OFFICE, account, assignment_in, client, create, decided_meeting

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2024, 4, 2)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


class InlineFinder(HTMLParser):
    """What a CSP without 'unsafe-inline' would refuse, or what would need it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script: tuple | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and re.sub(r"\s", "", value).lower().startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
        if tag == "style":
            self.found.append("<style> block")
        if tag == "script":
            kind = (a.get("type") or "").lower()
            if not a.get("src") and kind != "application/json":
                self.found.append(f"inline <script type={kind!r}>")
            if a.get("src") and not (a["src"].startswith("/static/")):
                self.found.append(f"<script src={a['src']!r}> not from our own static/")


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def assert_headers(resp, what: str) -> None:
    h = resp.headers
    csp = h.get("Content-Security-Policy")
    assert csp, f"{what}: no Content-Security-Policy"
    d = directives(csp)
    for name in (
        "default-src",
        "script-src",
        "object-src",
        "base-uri",
        "frame-ancestors",
        "form-action",
        "connect-src",
        "img-src",
        "style-src",
    ):
        assert name in d, f"{what}: CSP has no {name}: {csp}"
    assert d["default-src"] == ["'self'"], what
    assert d["script-src"][0] == "'self'" and set(d["script-src"]) <= {"'self'", "'wasm-unsafe-eval'"}, (what, csp)
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"} & set(d["script-src"]), (what, csp)
    assert "'unsafe-inline'" not in d["style-src"], (what, csp)
    framed = h.get("X-Frame-Options") == "SAMEORIGIN"  # a material file, shown in the tablet's viewer
    assert d["object-src"] == (["'self'"] if framed else ["'none'"]), (what, csp)
    assert d["base-uri"] == ["'self'"] and d["form-action"] == ["'self'"], what
    assert "'self'" in d["connect-src"], what
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert h.get("Referrer-Policy") in ("same-origin", "no-referrer"), what
    assert h.get("Permissions-Policy"), what
    assert "Strict-Transport-Security" not in h, f"{what}: HSTS over plain http"
    # the two framing headers say the same thing
    assert (h.get("X-Frame-Options"), d["frame-ancestors"]) in (("DENY", ["'none'"]), ("SAMEORIGIN", ["'self'"])), (
        what,
        h.get("X-Frame-Options"),
        d["frame-ancestors"],
    )


def _material(app, item_id: int) -> int:
    from meeting import setup
    from tests.factories import STAFF

    with app.app_context(), unit_of_work() as s:
        return setup.store_material(
            s, STAFF, item_id, "方案.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n", Path(app.config["MATERIALS_DIR"])
        ).id


@pytest.fixture
def world(app, factory):
    """Data for every route's arguments, and a signed-in client of every role."""
    from execution import npc, supervision

    app.config["YISHI_TODAY"] = TODAY.isoformat()
    d = decided_meeting(factory)
    aid = create(app, assignment_in(d, public=True)).id
    with app.app_context(), unit_of_work() as s:
        rid = supervision.issue_reminder(s, OFFICE, aid, supervision.ReminderIn(content="请抓紧报送进展。"), TODAY).id
        cid = npc.register_case(
            s,
            OFFICE,
            npc.NpcCaseIn(kind="resolution", title="关于城区停车的决议", content="决议内容。", received_on=TODAY),
            TODAY,
        ).id
        body_id = s.get(Meeting, d.meeting_id).body_id
    seat_token = factory.tokens(d.meeting_id)[d.ids[1]]
    live = factory.running(5)  # a meeting in session: its console, tablet and projector
    live_meeting = live[2]
    material = _material(app, live[3].id)
    projector = factory.projector_token(live_meeting.id)  # links are stored hashed: the factory issues them
    with app.app_context(), unit_of_work() as s:
        observer_id = s.exec(select(Observer.id).where(Observer.meeting_id == live_meeting.id)).first()
    observer = factory.observer_token(live_meeting.id, observer_id) if observer_id else None
    account(factory, "mishu", "secretary")
    account(factory, "duchashi", "supervisor")
    account(factory, "zhujianju", "unit", unit="区住建局")
    account(factory, "lingdao", "leader", person_id=d.ids[1])
    clients = {"anonymous": app.test_client()}
    for username in ("mishu", "duchashi", "zhujianju", "lingdao"):
        clients[username] = client(app, username)
    values = {
        "meeting_id": [d.meeting_id, live_meeting.id],
        "item_id": [d.passed, live[3].id],
        "body_id": [body_id],
        "person_id": [d.ids[0]],
        "assignment_id": [aid],
        "reminder_id": [rid],
        "case_id": [cid],
        "material_id": [material],
        "attachment_id": [1],
        "doc_id": [1],
        "kind": ["record", "summary", "public"],
        "token": [t for t in (seat_token, factory.tokens(live_meeting.id)[live[1][1]], projector, observer) if t],
        "filename": ["css/app.css", "js/tablet.js", "vendor/pdfjs/pdf.worker.min.js"],
    }
    return clients, values


def _urls(app, values):
    QUERY = {"setup_views.meeting_new": {"body_id": values["body_id"][0]}}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        combos = [{}]
        for arg in sorted(rule.arguments):
            combos = [dict(c, **{arg: v}) for c in combos for v in values[arg]]
        with app.test_request_context():
            from flask import url_for

            for args in combos:
                yield rule.endpoint, url_for(rule.endpoint, **args, **QUERY.get(rule.endpoint, {}))


# pages that must be reached as a 200 HTML page by at least one user (the others are files, or redirect)
HTML_ENDPOINTS = {
    "views.index",
    "views.login",
    "views.console",
    "views.links",
    "views.tablet",
    "setup_views.bodies",
    "setup_views.body",
    "setup_views.item_edit",
    "setup_views.item_new",
    "setup_views.meeting_setup",
    "setup_views.meeting_new",
    "setup_views.people",
    "setup_views.person_edit",
    "minutes.archive_page",
    "minutes.page",
    "minutes.read",
    "execution.ledger",
    "execution.assignment",
    "execution.leader_home",
    "execution.from_minutes",
    "execution.unit_home",
    "execution.units_page",
    "disclosure.index",
    "disclosure.complaint_form",
    "disclosure.complaint_lookup",
    "supervision.dashboard",
    "supervision.accountability",
    "supervision.reminder_form",
    "supervision.complaints",
    "supervision.holidays",
    "supervision.notifications",
    "supervision.npc_list",
    "supervision.npc_case",
    "supervision.npc_compilation",
    "supervision.reminders",
    "supervision.reminder_print",
}


def test_every_get_route_has_the_headers_and_no_inline_script(app, world):
    clients, values = world
    pages: dict[str, int] = {}
    seen = 0
    for endpoint, url in list(_urls(app, values)):  # built first: no request context open while calling
        for who, c in clients.items():
            resp = c.get(url)
            resp.close()
            seen += 1
            assert resp.status_code < 500, (who, url, resp.status_code)
            assert_headers(resp, f"{who} GET {url} ({resp.status_code})")
            if resp.mimetype == "text/html":
                found = inline_parts(resp.get_data(as_text=True))
                assert found == [], f"{who} GET {url}: {found}"
                if resp.status_code == 200:
                    pages[endpoint] = pages.get(endpoint, 0) + 1
    assert HTML_ENDPOINTS - set(pages) == set(), "pages never reached as 200 HTML: the test data is incomplete"
    assert seen > 300, seen


def test_error_pages_and_api_answers_carry_the_headers(http, staff_http):
    for c, url in (
        (http, "/meetings/999999/console"),
        (staff_http, "/meetings/999999/console"),
        (http, "/t/not-a-token"),
        (http, "/api/v1/meetings"),
        (http, "/no/such/page"),
        (staff_http, "/static/no-such-file.js"),
    ):
        resp = c.get(url)
        resp.close()
        assert 300 <= resp.status_code < 500, (url, resp.status_code)
        assert_headers(resp, f"GET {url} ({resp.status_code})")
        if resp.mimetype == "text/html":
            assert inline_parts(resp.get_data(as_text=True)) == [], url


def test_token_urls_send_no_referrer_and_other_pages_same_origin(app, factory, http, staff_http):
    _body, ids, m, _item = factory.running(3)
    token = factory.tokens(m.id)[ids[1]]
    for url in (f"/t/{token}", f"/minutes/tablet/{token}", f"/t/{token}?lang=en"):
        assert http.get(url).headers["Referrer-Policy"] == "no-referrer", url
    assert staff_http.get(f"/qr/{token}.svg").headers["Referrer-Policy"] == "no-referrer"
    assert staff_http.get(f"/meetings/{m.id}/console").headers["Referrer-Policy"] == "same-origin"
    assert http.get("/login").headers["Referrer-Policy"] == "same-origin"


def test_only_materials_may_be_framed_and_only_by_our_own_pages(app, factory, staff_http):
    _body, _ids, m, item = factory.running(3)
    material = _material(app, item.id)
    framed = staff_http.get(f"/materials/{material}")
    framed.close()
    assert framed.status_code == 200
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(framed.headers["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]
    # a PDF inside the frame is drawn by the browser's own viewer, a plugin: allowed from our origin only
    assert directives(framed.headers["Content-Security-Policy"])["object-src"] == ["'self'"]
    page = staff_http.get(f"/meetings/{m.id}/console")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert directives(page.headers["Content-Security-Policy"])["object-src"] == ["'none'"]
    assert directives(page.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_socketio_http_answers_carry_the_headers_too(http):
    """Engine.IO answers /socket.io/ before Flask (no after_request): the handshake and its refusals."""
    for url in (
        "/socket.io/?EIO=4&transport=polling",
        "/socket.io/?EIO=4&transport=polling&sid=unknown",
        "/socket.io/?EIO=1&transport=nonsense",
    ):
        resp = http.get(url)
        resp.close()
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", (url, resp.status_code)
        assert resp.headers.get("X-Frame-Options") == "DENY", url
        assert directives(resp.headers["Content-Security-Policy"])["default-src"] == ["'none'"], url
        assert resp.headers.get("Referrer-Policy") == "no-referrer", url


def test_websocket_sources_name_the_requested_host_only_when_it_is_a_host(http):
    d = directives(http.get("/login", headers={"Host": "192.168.1.20:5000"}).headers["Content-Security-Policy"])
    assert d["connect-src"] == ["'self'", "ws://192.168.1.20:5000", "wss://192.168.1.20:5000"]
    d = directives(http.get("/login", headers={"Host": "[fe80::1]:5000"}).headers["Content-Security-Policy"])
    assert "ws://[fe80::1]:5000" in d["connect-src"]
    for evil in ("evil.example; script-src *", "a b", "x'y"):
        csp = content_security_policy(host=evil)
        assert directives(csp)["connect-src"] == ["'self'"], evil
        assert directives(csp)["script-src"] == ["'self'"], evil


def test_hsts_only_over_https_and_never_a_redirect(http):
    plain = http.get("/login")
    assert plain.status_code == 200 and "Strict-Transport-Security" not in plain.headers
    secure = http.get("/login", base_url="https://yishi.example")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_only_the_pdf_worker_and_the_tablet_may_compile_webassembly(app, factory, http, staff_http):
    _body, ids, m, _item = factory.running(3)
    token = factory.tokens(m.id)[ids[1]]

    def script_src(c, url):
        resp = c.get(url)
        resp.close()
        return directives(resp.headers["Content-Security-Policy"])["script-src"]

    assert script_src(http, "/static/vendor/pdfjs/pdf.worker.min.js") == ["'self'", "'wasm-unsafe-eval'"]
    assert script_src(http, f"/t/{token}") == ["'self'", "'wasm-unsafe-eval'"]
    assert script_src(http, "/static/js/tablet.js") == ["'self'"]
    assert script_src(staff_http, f"/meetings/{m.id}/console") == ["'self'"]


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_or_style(path):
    """Read as written (Jinja left in place), so branches no request above took are read too."""
    text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    text = re.sub(r"{{\s*url_for\('static'.*?}}", "/static/x", text, flags=re.DOTALL)
    text = re.sub(r"{{.*?}}|{%.*?%}", "x", text, flags=re.DOTALL)
    assert inline_parts(text) == []


@pytest.mark.parametrize("path", sorted((ROOT / "static/js").glob("*.js")), ids=lambda p: p.name)
def test_our_scripts_need_no_eval(path):
    text = path.read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.DOTALL)  # comments may name what is not done
    for pattern in (
        r"\beval\s*\(",
        r"\bnew\s+Function\b",
        r"\bFunction\s*\(",
        r"set(?:Timeout|Interval)\s*\(\s*['\"`]",
        r"\.innerHTML\s*=",
        r"insertAdjacentHTML",
        r"document\.write",
        r"setAttribute\(\s*['\"](?:style|on\w+)['\"]",
        r"javascript:",
    ):
        assert not re.search(pattern, code), (path.name, pattern)
