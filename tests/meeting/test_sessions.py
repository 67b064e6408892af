"""Who is signed in, and for how long (issue 13, hole 6 and the defences around sign-in).

Sign-ins are rows on the server (meeting.models.LoginSession): a copied or replayed cookie stops working when the
sign-in ends — at logout, when the account is deactivated or its password changed, after the idle timeout. The
sockets a sign-in opened end with it, at once. Sign-in failures and link guesses are throttled; the session
cookie is HttpOnly, SameSite=Lax and Secure over HTTPS; every form, the sign-in too, carries a CSRF token.
Socket tests use real ``socketio.test_client`` clients.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from execution import units
from execution.schemas import AccountUpdateIn
from meeting import setup
from meeting.actors import Actor
from meeting.auth import new_api_token
from meeting.clock import utcnow
from meeting.db import read_only, unit_of_work
from meeting.models import ApiToken, LoginSession, User
from meeting.schemas import ObserverIn
from tests.factories import STAFF, csrf_of, sign_in

PASSWORD = "correct horse battery"
ADMIN = Actor(kind="user", name="管理员", user_id=None, role="admin", device="pytest")


def signed_in(app, username="mishu", password=PASSWORD):
    client = app.test_client()
    resp = sign_in(client, username, password)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return client


def is_signed_in(client) -> bool:
    resp = client.get("/")
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def console(socketio, app, client, meeting_id):
    sock = socketio.test_client(app, flask_test_client=client, auth={"meeting_id": meeting_id})
    assert sock.is_connected()
    return sock


def logins(app, user_id):
    with app.app_context(), read_only() as s:
        return s.exec(select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.id)).all()


def age(app, user_id, **fields):
    """Move the account's sign-ins back in time (e.g. ``last_seen_at=31``: seen 31 minutes ago)."""
    values = {name: utcnow() - timedelta(minutes=minutes) for name, minutes in fields.items()}
    with app.app_context(), unit_of_work() as s:
        s.exec(update(LoginSession).where(LoginSession.user_id == user_id).values(**values))


def a_meeting(factory):
    body, ids = factory.body(3)
    return factory.meeting(body.id), ids


# ---------------------------------------------------------------- logout, deactivation, a new password


def test_logout_ends_the_sign_in_on_the_server_a_replayed_cookie_is_refused(app, factory):
    factory.user("mishu", PASSWORD)
    client = signed_in(app)
    stolen = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 303
    client.set_cookie("session", stolen)  # the cookie as it was before logout (copied, or replayed)
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    (row,) = logins(app, 1)
    assert row.revoked_at is not None and row.revoked_reason == "logout"


def test_logout_disconnects_the_consoles_that_sign_in_opened(app, socketio, factory):
    factory.user("mishu", PASSWORD)
    m, _ = a_meeting(factory)
    client = signed_in(app)
    other = signed_in(app)  # the same account in another browser
    mine, theirs = console(socketio, app, client, m.id), console(socketio, app, other, m.id)
    client.post("/logout", data={"csrf_token": client.csrf})
    assert not mine.is_connected()
    assert theirs.is_connected() and is_signed_in(other)  # logout ends this browser's sign-in only


def test_deactivation_ends_every_sign_in_socket_and_api_token_at_once(app, socketio, factory):
    factory.user("admin", PASSWORD, role="admin")
    u = factory.user("mishu", PASSWORD)
    m, _ = a_meeting(factory)
    a, b = signed_in(app), signed_in(app)
    socks = [console(socketio, app, a, m.id), console(socketio, app, b, m.id)]
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "OA 系统")
    api_sock = socketio.test_client(app, headers={"Authorization": f"Bearer {token}"}, auth={"meeting_id": m.id})
    assert api_sock.is_connected()
    with app.app_context(), unit_of_work() as s:
        units.update_account(s, ADMIN, u.id, AccountUpdateIn(active=False))
    assert [x.is_connected() for x in [*socks, api_sock]] == [False, False, False]
    assert not is_signed_in(a) and not is_signed_in(b)
    assert {r.revoked_reason for r in logins(app, u.id)} == {"deactivated"}
    with app.app_context(), read_only() as s:
        assert s.exec(select(ApiToken)).one().revoked is True
    # reactivated, the old cookies and the token stay dead; a new sign-in works
    with app.app_context(), unit_of_work() as s:
        units.update_account(s, ADMIN, u.id, AccountUpdateIn(active=True))
    assert not is_signed_in(a)
    assert app.test_client().get("/api/v1/bodies", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert is_signed_in(signed_in(app))


def test_deactivation_over_http_by_the_office_disconnects_the_account(app, socketio, factory):
    factory.user("admin", PASSWORD, role="admin")
    u = factory.user("mishu", PASSWORD)
    m, _ = a_meeting(factory)
    office, victim = signed_in(app, "admin"), signed_in(app)
    sock = console(socketio, app, victim, m.id)
    resp = office.post(f"/execution/accounts/{u.id}", data={"csrf_token": office.csrf})  # "active" unticked
    assert resp.status_code in (302, 303)
    assert not sock.is_connected() and not is_signed_in(victim)
    assert is_signed_in(office)


def test_a_new_password_ends_the_other_sign_ins_and_consoles_this_browser_carries_on(app, socketio, factory):
    factory.user("mishu", PASSWORD)
    m, _ = a_meeting(factory)
    here, elsewhere = signed_in(app), signed_in(app)
    socks = [console(socketio, app, here, m.id), console(socketio, app, elsewhere, m.id)]
    assert "修改密码" in here.get("/account/password").get_data(as_text=True)
    resp = here.post(
        "/account/password",
        data={
            "csrf_token": csrf_of(here),
            "current_password": PASSWORD,
            "new_password": "new staple battery",
            "confirm_password": "new staple battery",
        },
    )
    assert resp.status_code == 200 and "密码已修改" in resp.get_data(as_text=True)
    assert [x.is_connected() for x in socks] == [False, False]
    assert not is_signed_in(elsewhere)
    assert is_signed_in(here)  # signed in afresh
    assert sign_in(app.test_client(), "mishu", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "mishu", "new staple battery").status_code == 303


@pytest.mark.parametrize(
    ("form", "said"),
    [
        (
            {
                "current_password": "wrong",
                "new_password": "new staple battery",
                "confirm_password": "new staple battery",
            },
            "当前密码不正确",
        ),
        ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}, "8至200个字符"),
        (
            {"current_password": PASSWORD, "new_password": "new staple battery", "confirm_password": "other one x"},
            "不一致",
        ),
    ],
)
def test_a_refused_new_password_changes_nothing(app, factory, form, said):
    factory.user("mishu", PASSWORD)
    here, elsewhere = signed_in(app), signed_in(app)
    resp = here.post("/account/password", data={"csrf_token": csrf_of(here), **form})
    assert resp.status_code == 400 and said in resp.get_data(as_text=True)
    assert is_signed_in(elsewhere) and is_signed_in(here)
    assert sign_in(app.test_client(), "mishu", PASSWORD).status_code == 303


def test_an_administrator_setting_a_password_ends_that_accounts_sign_ins(app, factory):
    u = factory.user("mishu", PASSWORD)
    client = signed_in(app)
    with app.app_context(), unit_of_work() as s:
        units.update_account(s, ADMIN, u.id, AccountUpdateIn(active=True, password="reset by admin 1"))
    assert not is_signed_in(client)
    assert {r.revoked_reason for r in logins(app, u.id)} == {"password_changed"}


# ---------------------------------------------------------------- a socket re-checks its sign-in


def test_a_console_whose_sign_in_ended_elsewhere_cannot_act_and_is_disconnected(app, socketio, factory):
    """Another worker ended the sign-in (only the database knows): the next event is refused and the socket
    dropped; a quiet socket is dropped by the periodic re-check."""
    factory.user("mishu", PASSWORD)
    _, ids, m, item = factory.running(3, 3)
    acting, quiet = signed_in(app), signed_in(app)
    sock, idle_sock = console(socketio, app, acting, m.id), console(socketio, app, quiet, m.id)
    with app.app_context(), unit_of_work() as s:  # as another worker's logout would: no after-commit here
        s.exec(update(LoginSession).values(revoked_at=utcnow(), revoked_reason="logout"))
    ack = sock.emit("defer_item", {"item_id": item.id, "reason": "暂缓"}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "not_signed_in"
    assert not sock.is_connected()
    with app.app_context(), read_only() as s:
        assert s.get(type(item), item.id).status != "deferred"  # nothing was done
    assert idle_sock.is_connected()
    assert len(app.extensions["yishi.connections"].recheck(app)) == 1
    assert not idle_sock.is_connected()


def test_a_revoked_api_token_socket_is_disconnected_by_the_recheck(app, socketio, factory):
    u = factory.user("oa", PASSWORD)
    m, _ = a_meeting(factory)
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "脚本")
    sock = socketio.test_client(app, headers={"Authorization": f"Bearer {token}"}, auth={"meeting_id": m.id})
    assert sock.is_connected()
    with app.app_context(), unit_of_work() as s:
        s.exec(update(ApiToken).values(revoked=True))
    app.extensions["yishi.connections"].recheck(app)
    assert not sock.is_connected()


# ---------------------------------------------------------------- idle timeout and lifetime


def test_an_idle_sign_in_ends_after_the_idle_timeout(app, factory):
    factory.user("mishu", PASSWORD)
    client = signed_in(app)
    age(app, 1, last_seen_at=29)
    assert is_signed_in(client)  # and the request counts as activity
    assert utcnow() - logins(app, 1)[0].last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)
    age(app, 1, last_seen_at=31)
    assert not is_signed_in(client)
    assert logins(app, 1)[0].revoked_reason == "idle"


def test_the_idle_timeout_is_a_setting(app, factory):
    app.config["YISHI_IDLE_TIMEOUT_MINUTES"] = 120
    factory.user("mishu", PASSWORD)
    client = signed_in(app)
    age(app, 1, last_seen_at=90)
    assert is_signed_in(client)


def test_an_idle_console_is_disconnected_by_the_recheck(app, socketio, factory):
    factory.user("mishu", PASSWORD)
    m, _ = a_meeting(factory)
    client = signed_in(app)
    sock = console(socketio, app, client, m.id)
    assert app.extensions["yishi.connections"].recheck(app) == []
    age(app, 1, last_seen_at=31)
    assert len(app.extensions["yishi.connections"].recheck(app)) == 1
    assert not sock.is_connected()


def test_a_sign_in_lasts_at_most_the_session_lifetime(app, factory):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    factory.user("mishu", PASSWORD)
    client = signed_in(app)
    expires = client.get_cookie("session").expires
    assert timedelta(hours=11) < expires - utcnow() <= timedelta(hours=12)  # the cookie, not 31 days
    age(app, 1, created_at=12 * 60 - 1)
    assert is_signed_in(client)
    age(app, 1, created_at=12 * 60 + 1)
    assert not is_signed_in(client)
    assert logins(app, 1)[0].revoked_reason == "expired"


# ---------------------------------------------------------------- the links sheet wants a fresh sign-in


def test_the_links_sheet_and_its_qr_codes_need_the_password_typed_within_ten_minutes(app, factory):
    factory.user("mishu", PASSWORD)
    m, ids = a_meeting(factory)
    token = factory.tokens(m.id)[ids[0]]
    client = signed_in(app)
    assert client.get(f"/meetings/{m.id}/links").status_code == 200  # just signed in
    age(app, 1, authenticated_at=11)
    for url in (f"/meetings/{m.id}/links", f"/qr/{token}.svg"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/reauth"), url
    page = client.get(f"/meetings/{m.id}/links", follow_redirects=True).get_data(as_text=True)
    assert "再次输入密码" in page and token not in page
    wrong = client.post(f"/reauth?next=/meetings/{m.id}/links", data={"csrf_token": client.csrf, "password": "x"})
    assert wrong.status_code == 401 and "密码错误" in wrong.get_data(as_text=True)
    resp = client.post(f"/reauth?next=/meetings/{m.id}/links", data={"csrf_token": client.csrf, "password": PASSWORD})
    assert resp.status_code == 303 and resp.headers["Location"] == f"/meetings/{m.id}/links"
    assert client.get(f"/meetings/{m.id}/links").status_code == 200
    assert client.get(f"/qr/{token}.svg").status_code == 200
    # issuing (which shows the new links once) needs the fresh sign-in as well
    age(app, 1, authenticated_at=11)
    resp = client.post(f"/meetings/{m.id}/links", data={"csrf_token": client.csrf, "all": "1"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/reauth")


# ---------------------------------------------------------------- throttling


def test_five_failed_sign_ins_lock_the_user_name_for_fifteen_minutes(app, factory):
    factory.user("mishu", PASSWORD)
    factory.user("other", PASSWORD)
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "mishu", "guess").status_code == 401
    resp = sign_in(client, "mishu", PASSWORD)  # even the right password, while locked
    assert resp.status_code == 429
    assert "登录失败次数过多，请15分钟后再试。" in resp.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "user_id" not in sess
    assert sign_in(client, " MISHU ", PASSWORD).status_code == 429  # the same name however typed
    assert sign_in(app.test_client(), "other", PASSWORD).status_code == 303  # another name is not locked


def test_a_successful_sign_in_forgets_the_names_failures(app, factory):
    factory.user("mishu", PASSWORD)
    client = app.test_client()
    for _ in range(4):
        sign_in(client, "mishu", "guess")
    assert sign_in(client, "mishu", PASSWORD).status_code == 303
    for _ in range(4):
        assert sign_in(app.test_client(), "mishu", "guess").status_code == 401
    assert sign_in(app.test_client(), "mishu", PASSWORD).status_code == 303


def test_one_address_guessing_many_names_is_throttled(app, factory):
    factory.user("mishu", PASSWORD)
    client = app.test_client()
    for i in range(20):
        assert sign_in(client, f"nobody{i}", "guess").status_code == 401
    resp = sign_in(client, "mishu", PASSWORD)
    assert resp.status_code == 429 and "分钟后再试" in resp.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(other, "mishu", PASSWORD).status_code == 303


def test_the_limits_are_settings_and_can_be_turned_off(app, factory):
    app.config.update(YISHI_LOGIN_USER_LIMIT="2 per 1 hour", YISHI_LOGIN_IP_LIMIT="")
    factory.user("mishu", PASSWORD)
    client = app.test_client()
    sign_in(client, "mishu", "guess")
    sign_in(client, "mishu", "guess")
    resp = sign_in(client, "mishu", PASSWORD)
    assert resp.status_code == 429 and "请60分钟后再试" in resp.get_data(as_text=True)
    app.config["YISHI_LOGIN_USER_LIMIT"] = ""
    assert sign_in(client, "mishu", PASSWORD).status_code == 303


def test_the_reauth_page_counts_failures_too(app, factory):
    factory.user("mishu", PASSWORD)
    client = signed_in(app)
    for _ in range(5):
        assert client.post("/reauth", data={"csrf_token": client.csrf, "password": "x"}).status_code == 401
    assert client.post("/reauth", data={"csrf_token": client.csrf, "password": PASSWORD}).status_code == 429


def test_guessing_tablet_links_is_throttled_per_address(app, socketio, factory):
    app.config["YISHI_LINK_IP_LIMIT"] = "3 per 5 minutes"
    m, ids = a_meeting(factory)
    good = factory.tokens(m.id)[ids[1]]
    http = app.test_client()
    assert http.get(f"/t/{good}").status_code == 200  # a good link never counts
    for i in range(3):
        assert http.get(f"/t/guess{i}").status_code == 401
    resp = http.get(f"/t/{good}")
    assert resp.status_code == 429 and "无效链接尝试次数过多，请5分钟后再试。" in resp.get_data(as_text=True)
    sock = socketio.test_client(app, flask_test_client=http, auth={"token": good})
    assert not sock.is_connected()  # the same address over Socket.IO
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert elsewhere.get(f"/t/{good}").status_code == 200


def test_guessing_links_over_socketio_is_throttled(app, socketio, factory):
    app.config["YISHI_LINK_IP_LIMIT"] = "3 per 5 minutes"
    m, ids = a_meeting(factory)
    good = factory.tokens(m.id)[ids[1]]
    http = app.test_client()  # (its environ gives the sockets an address)
    assert socketio.test_client(app, flask_test_client=http, auth={"token": good}).is_connected()
    for i in range(3):
        assert not socketio.test_client(app, flask_test_client=http, auth={"token": f"guess{i}"}).is_connected()
    refused = socketio.test_client(app, flask_test_client=http, auth={"token": good})
    assert not refused.is_connected()
    assert app.test_client().get(f"/t/{good}").status_code == 429


def test_guessing_qr_tokens_is_throttled(app, factory):
    app.config["YISHI_LINK_IP_LIMIT"] = "2 per 5 minutes"
    factory.user("mishu", PASSWORD)
    m, ids = a_meeting(factory)
    client = signed_in(app)
    assert client.get("/qr/guess1.svg").status_code == 401
    assert client.get("/qr/guess2.svg").status_code == 401
    assert client.get(f"/qr/{factory.tokens(m.id)[ids[0]]}.svg").status_code == 429


# ---------------------------------------------------------------- the cookie and the forms


def _session_cookie(resp) -> str:
    (cookie,) = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(app, factory):
    factory.user("mishu", PASSWORD)
    plain = _session_cookie(sign_in(app.test_client(), "mishu", PASSWORD))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    tls = app.test_client()
    tls.environ_base["wsgi.url_scheme"] = "https"
    # (over HTTPS Flask-WTF also wants the same-origin Referer a browser sends with a form)
    secure = _session_cookie(
        sign_in(tls, "mishu", PASSWORD, base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    )
    assert "Secure" in secure and "HttpOnly" in secure
    # X-Forwarded-Proto is not believed without a configured proxy
    forged = _session_cookie(sign_in(app.test_client(), "mishu", PASSWORD, headers={"X-Forwarded-Proto": "https"}))
    assert "Secure" not in forged


def test_behind_a_trusted_proxy_its_forwarded_proto_and_address_count(tmp_path, database_url, factory):
    from meeting.app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "proxied"),
            "YISHI_TRUSTED_PROXIES": 1,
        }
    )
    try:
        type(factory)(app).user("mishu", PASSWORD)
        client = app.test_client()
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5", "Referer": "https://localhost/login"}
        cookie = _session_cookie(sign_in(client, "mishu", PASSWORD, headers=headers))
        assert "Secure" in cookie
        with app.app_context(), read_only() as s:
            assert s.exec(select(LoginSession)).one().device.startswith("203.0.113.5")
    finally:
        app.extensions["yishi.engine"].dispose()


def test_the_sign_in_form_needs_its_csrf_token(app, factory, http):
    factory.user("mishu", PASSWORD)
    resp = http.post("/login", data={"username": "mishu", "password": PASSWORD})
    assert resp.status_code == 403 and "页面已过期，请刷新后重试。" in resp.get_data(as_text=True)
    with http.session_transaction() as sess:
        assert "user_id" not in sess
    page = http.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    forged = http.post("/login", data={"username": "mishu", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 403


def test_a_csrf_token_of_the_session_before_sign_in_is_void_after_it(app, factory):
    """The sign-in starts a new session (no fixation): a token an attacker planted before it is worthless."""
    factory.user("mishu", PASSWORD)
    client = app.test_client()
    before = csrf_of(client)
    sign_in(client, "mishu", PASSWORD)
    assert client.post("/logout", data={"csrf_token": before}).status_code == 403
    assert is_signed_in(client)
    assert client.post("/logout", data={"csrf_token": client.csrf}).status_code == 303


# ---------------------------------------------------------------- links' sockets end with what let them in


def test_a_removed_observers_socket_is_disconnected_at_once(app, socketio, factory, staff_http):
    m, ids = a_meeting(factory)
    with app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="法律顾问丙", role="法律顾问"))
        keep = setup.add_observer(s, STAFF, m.id, ObserverIn(name="记者丁", role="媒体"))
    gone, stays = (socketio.test_client(app, auth={"token": factory.observer_token(m.id, o.id)}) for o in (obs, keep))
    member = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    assert gone.is_connected() and stays.is_connected() and member.is_connected()
    resp = staff_http.post(f"/meetings/{m.id}/observers/{obs.id}/delete", data={"csrf_token": staff_http.csrf})
    assert resp.status_code in (302, 303)
    assert not gone.is_connected()
    assert stays.is_connected() and member.is_connected()


def test_closing_the_meeting_disconnects_every_link_socket_but_not_the_console(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(3, 3)
    with app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="法律顾问丙", role="法律顾问"))
    tokens = factory.tokens(m.id)
    links = [
        socketio.test_client(app, auth={"token": t})
        for t in (*tokens.values(), factory.observer_token(m.id, obs.id), factory.projector_token(m.id))
    ]
    sec = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    assert all(c.is_connected() for c in links) and sec.is_connected()
    assert sec.emit("defer_item", {"item_id": item.id, "reason": "暂缓"}, callback=True)["ok"] is True
    assert sec.emit("close_meeting", callback=True) == {"ok": True}
    assert [c.is_connected() for c in links] == [False] * len(links)
    assert sec.is_connected()


def test_a_refused_close_disconnects_nobody(app, socketio, factory, staff_http):
    _, ids, m, item = factory.running(3, 3)
    tab = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    sec = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    ack = sec.emit("close_meeting", callback=True)
    assert ack["ok"] is False
    assert tab.is_connected()
