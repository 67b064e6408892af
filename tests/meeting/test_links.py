"""Personal-link tokens are stored hashed (SHA-256), shown once on the sheet that issues them, re-issuable: the
database holds no key to a tablet, and a re-issued link replaces the old one at once."""

from __future__ import annotations

import functools
import hashlib
import json
import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from meeting import setup
from meeting.auth import token_actor
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidToken
from meeting.models import Event, Meeting, Observer, Seat
from meeting.schemas import ObserverIn
from meeting.tokens import hash_token, upgrade
from tests.factories import STAFF


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _meeting_with_observer(app, factory, n=3):
    body, ids = factory.body(n)
    m = factory.meeting(body.id)
    with app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="人大代表甲", role="人大代表"))
    return m, ids, obs


def test_the_database_holds_only_hashes(app, factory):
    m, ids, obs = _meeting_with_observer(app, factory)
    links = factory.links(m.id)
    with app.app_context(), read_only() as s:
        stored = {seat.person_id: seat.token_hash for seat in s.exec(select(Seat).where(Seat.meeting_id == m.id))}
        assert stored == {pid: _sha(tok) for pid, tok in links.by_person().items()}
        assert s.get(Observer, obs.id).token_hash == _sha(links.by_observer()[obs.id])
        assert s.get(Meeting, m.id).projector_token_hash == _sha(links.projector)
        dump = "".join(
            str(row)
            for table in ("seat", "observer", "meeting", "event")
            for row in s.exec(text(f"SELECT * FROM {table}")).all()
        )
        for token in [*links.by_person().values(), links.projector, *links.by_observer().values()]:
            assert len(token) >= 43 and token not in dump  # 256 random bits, nowhere in the database
        # the stored hash is not itself a key
        with pytest.raises(InvalidToken):
            token_actor(s, stored[ids[1]])
        assert token_actor(s, links.by_person()[ids[1]]).person_id == ids[1]


def test_the_links_page_issues_once_shows_once_and_reissues(app, staff_http, factory):
    m, ids, obs = _meeting_with_observer(app, factory)
    page = staff_http.get(f"/meetings/{m.id}/links").get_data(as_text=True)
    assert "尚未签发" in page and "/t/" not in page and "/qr/" not in page and 'data-testid="issue-all"' in page

    resp = staff_http.post(f"/meetings/{m.id}/links", data={"csrf_token": staff_http.csrf, "all": "1"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    sheet = resp.get_data(as_text=True)
    tokens = re.findall(r'data-testid="link-card-\d+-url">https?://[^/"]+/t/([\w-]+)<', sheet)
    assert len(tokens) == 3 and "只显示这一次" in sheet and 'data-testid="print"' in sheet
    assert f'data-testid="observer-card-{obs.id}"' in sheet and 'data-testid="projector-card"' in sheet
    qr = staff_http.get(f"/qr/{tokens[0]}.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert staff_http.get(f"/qr/{_sha(tokens[0])}.svg").status_code == 401
    assert staff_http.get(f"/t/{tokens[1]}").status_code == 200

    later = staff_http.get(f"/meetings/{m.id}/links").get_data(as_text=True)
    assert "已签发" in later and "尚未签发" not in later and "重新生成全部链接" in later
    assert not any(t in later for t in tokens)

    # one seat re-issued: its old link stops, the new one works, the others are untouched; one event says so
    seat_id = _seat_id(app, m.id, ids[1])
    again = staff_http.post(f"/meetings/{m.id}/links", data={"csrf_token": staff_http.csrf, "seat_id": seat_id})
    (new,) = re.findall(r'data-testid="link-card-\d+-url">https?://[^/"]+/t/([\w-]+)<', again.get_data(as_text=True))
    assert staff_http.get(f"/t/{tokens[1]}").status_code == 401
    assert staff_http.get(f"/t/{new}").status_code == 200 and staff_http.get(f"/t/{tokens[2]}").status_code == 200
    with app.app_context(), read_only() as s:
        events = [json.loads(e.payload) for e in s.exec(select(Event).where(Event.kind == "links.issued"))]
    assert [(e["every"], e["seats"]) for e in events] == [(True, events[0]["seats"]), (False, [seat_id])]
    assert not any(t in json.dumps(events) for t in (*tokens, new))


def _seat_id(app, meeting_id, person_id):
    with app.app_context(), read_only() as s:
        return s.exec(select(Seat.id).where(Seat.meeting_id == meeting_id, Seat.person_id == person_id)).one()


def test_issuing_needs_the_secretary_and_csrf(app, http, staff_http, factory):
    m, ids, obs = _meeting_with_observer(app, factory)
    assert http.post(f"/meetings/{m.id}/links", data={"all": "1"}).status_code == 403  # no form token: refused
    assert staff_http.post(f"/meetings/{m.id}/links", data={"all": "1"}).status_code == 403
    assert staff_http.post(f"/meetings/{m.id}/links", data={"csrf_token": staff_http.csrf}).status_code == 400
    with app.app_context(), read_only() as s:
        assert s.exec(select(Event).where(Event.kind == "links.issued")).first() is None


def test_plain_tokens_of_an_older_database_are_hashed_and_keep_working(app, factory):
    m, ids, obs = _meeting_with_observer(app, factory)
    plain = "oldPlainToken_0123456789abcdefgh"  # 32 characters, as token_urlsafe(24) made them
    engine = app.extensions["yishi.engine"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE seat SET token = :t WHERE meeting_id = :m AND person_id = :p"),
            {"t": plain, "m": m.id, "p": ids[1]},
        )
    assert upgrade(engine) == 1 and upgrade(engine) == 0
    with app.app_context(), read_only() as s:
        assert token_actor(s, plain).person_id == ids[1]
        assert s.exec(select(Seat).where(Seat.token_hash == hash_token(plain))).one().person_id == ids[1]


def test_a_reissued_link_disconnects_the_screens_still_open_with_the_old_one(app, socketio, factory, staff_http):
    """Re-issuing a link (a lost tablet, a link sent to the wrong person) ends what the old one opened, at once:
    the seat's tablet, the observer's screen, the projector; the other links stay connected."""
    from meeting.tokens import issue

    m, ids, obs = _meeting_with_observer(app, factory)
    old_seat = factory.tokens(m.id)[ids[1]]
    clients = {
        name: socketio.test_client(app, auth={"token": tok})
        for name, tok in (
            ("seat", old_seat),
            ("other", factory.tokens(m.id)[ids[2]]),
            ("observer", factory.observer_token(m.id, obs.id)),
            ("projector", factory.projector_token(m.id)),
        )
    }
    assert all(c.is_connected() for c in clients.values())
    with app.app_context(), unit_of_work() as s:
        issue(s, STAFF, m.id, seat_ids=[_seat_id(app, m.id, ids[1])], observer_ids=[obs.id], projector=True)
    assert not clients["seat"].is_connected()
    assert not clients["observer"].is_connected()
    assert not clients["projector"].is_connected()
    assert clients["other"].is_connected()
    assert not socketio.test_client(app, auth={"token": old_seat}).is_connected()


# ---------------------------------------------------------------- where the links point (meeting/lan.py)

LAN = "192.168.10.20"


@pytest.fixture
def console_at(app, factory):
    """``console_at("127.0.0.1:5000")`` → a secretary's client signed in at that address (every request's Host)."""
    from tests.factories import sign_in

    factory.user("mishu", "correct horse battery", display_name="王秘书")

    def _at(host: str):
        client = app.test_client()
        client.open = functools.partial(client.open, base_url=f"http://{host}")
        client.session_transaction = functools.partial(client.session_transaction, base_url=f"http://{host}")
        assert sign_in(client, "mishu", "correct horse battery").status_code in (302, 303)
        return client

    return _at


def _sheet(client, meeting_id):
    resp = client.post(f"/meetings/{meeting_id}/links", data={"csrf_token": client.csrf, "all": "1"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:3000]
    page = resp.get_data(as_text=True)
    return page, re.findall(r'data-testid="link-card-\d+-url">([^<]+)<', page)


def _qr_svg(url: str) -> bytes:
    import io

    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2)
    return buf.getvalue()


@pytest.fixture
def detected(monkeypatch):
    """The LAN address the server would detect, injected: the test machine's own interfaces do not matter."""
    found = [LAN]
    monkeypatch.setattr("meeting.lan.lan_addresses", lambda: list(found))
    return found


def test_a_console_opened_on_the_server_itself_gets_lan_links_and_qr_codes(app, console_at, factory, detected):
    m, ids, obs = _meeting_with_observer(app, factory)
    local = console_at("127.0.0.1:5000")
    app.config["YISHI_LISTEN_HOST"] = "0.0.0.0"  # run.py serve --host 0.0.0.0
    page, urls = _sheet(local, m.id)
    assert len(urls) == 3 and all(u.startswith(f"http://{LAN}:5000/t/") for u in urls), urls
    assert "127.0.0.1" not in page.split('data-testid="links-status"')[0]
    assert f"http://{LAN}:5000" in page and 'data-testid="loopback-warning"' not in page
    token = urls[0].rsplit("/t/", 1)[1]
    qr = local.get(f"/qr/{token}.svg")
    assert qr.data == _qr_svg(urls[0])  # the QR code holds the LAN link, not the console's 127.0.0.1


def test_a_server_listening_on_loopback_only_warns_that_tablets_cannot_connect(app, console_at, factory, detected):
    m, ids, obs = _meeting_with_observer(app, factory)
    local = console_at("127.0.0.1:5000")
    app.config["YISHI_LISTEN_HOST"] = "127.0.0.1"  # the default of run.py serve
    page, urls = _sheet(local, m.id)
    assert all(u.startswith("http://127.0.0.1:5000/t/") for u in urls)  # the truth, not a LAN address it is not on
    assert 'data-testid="loopback-warning"' in page and "--host 0.0.0.0" in page and "平板无法使用这些链接" in page
    later = local.get(f"/meetings/{m.id}/links").get_data(as_text=True)
    assert 'data-testid="loopback-warning"' in later  # before issuing, too

    detected.clear()  # listening everywhere, but the machine has no address but loopback
    app.config["YISHI_LISTEN_HOST"] = "0.0.0.0"
    page, urls = _sheet(local, m.id)
    assert 'data-testid="loopback-warning"' in page and all(u.startswith("http://127.0.0.1:5000/") for u in urls)


def test_the_public_url_setting_wins_and_a_lan_console_keeps_its_own_address(app, console_at, factory, detected):
    m, ids, obs = _meeting_with_observer(app, factory)
    local = console_at("127.0.0.1:5000")
    app.config["YISHI_LISTEN_HOST"] = "127.0.0.1"  # behind a proxy on the same machine
    app.config["YISHI_PUBLIC_URL"] = "https://yishi.gov.example"
    page, urls = _sheet(local, m.id)
    assert all(u.startswith("https://yishi.gov.example/t/") for u in urls) and "loopback-warning" not in page

    app.config["YISHI_PUBLIC_URL"] = ""
    app.config["YISHI_LISTEN_HOST"] = "0.0.0.0"
    page, urls = _sheet(console_at("10.1.2.3:5000"), m.id)  # the console opened over the LAN
    assert all(u.startswith("http://10.1.2.3:5000/t/") for u in urls)


@pytest.mark.parametrize(
    ("request_url", "public", "listen", "lan", "expected", "loopback_only"),
    [
        ("http://127.0.0.1:5000/", "", "0.0.0.0", ["192.168.1.5"], "http://192.168.1.5:5000", False),
        ("http://localhost:5000/", "", "::", ["192.168.1.5"], "http://192.168.1.5:5000", False),
        ("http://[::1]:5000/", "", None, ["10.0.0.7"], "http://10.0.0.7:5000", False),
        ("http://127.0.0.1:5000/", "", "127.0.0.1", ["192.168.1.5"], "http://127.0.0.1:5000", True),
        ("http://localhost/", "", "localhost", ["192.168.1.5"], "http://localhost", True),
        ("http://127.0.0.1:5000/", "", "0.0.0.0", [], "http://127.0.0.1:5000", True),
        ("http://127.0.0.1:5000/", "", "192.168.1.9", ["192.168.1.5"], "http://192.168.1.9:5000", False),
        ("http://192.168.1.5:5000/", "", "0.0.0.0", ["10.0.0.7"], "http://192.168.1.5:5000", False),
        ("http://127.0.0.1:5000/", "http://yishi.lan/", "127.0.0.1", [], "http://yishi.lan", False),
    ],
)
def test_the_base_of_the_links(monkeypatch, request_url, public, listen, lan, expected, loopback_only):
    from meeting.lan import public_base

    monkeypatch.setattr("meeting.lan.lan_addresses", lambda: list(lan))
    base = public_base(request_url, public, listen)
    assert (base.url, base.loopback_only) == (expected, loopback_only)


def test_the_detected_addresses_are_never_loopback():
    from meeting.lan import is_loopback, lan_addresses

    assert not [a for a in lan_addresses() if is_loopback(a)]
    assert is_loopback("127.0.1.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("10.0.0.1")


@pytest.mark.parametrize("value", ["192.168.1.5:5000", "ftp://x", "http://", "http://a/?x=1"])
def test_a_public_url_that_is_no_http_address_is_refused_at_start(tmp_path, database_url, value, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("YISHI_PUBLIC_URL", value)
    with pytest.raises(ValueError, match="YISHI_PUBLIC_URL 须为"):
        make_app(tmp_path, database_url)
