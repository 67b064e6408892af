"""Who is asking: the secretary's password (argon2) and session, API bearer tokens (stored hashed), and the
personal link tokens of tablets, observers and the projector."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from meeting import setup
from meeting.auth import hash_password, new_api_token, staff_actor, token_actor, verify_password
from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidToken
from meeting.models import ApiToken, User
from meeting.schemas import ObserverIn
from tests.factories import STAFF, sign_in

PASSWORD = "correct horse battery"


def user_row(app, username):
    with app.app_context(), read_only() as s:
        return s.exec(select(User).where(User.username == username)).one()


def actor_for(app, token):
    with app.app_context(), read_only() as s:
        return token_actor(s, token)


# ---------------------------------------------------------------- passwords


@pytest.mark.production_argon2
def test_password_is_stored_as_argon2id_hash(app, factory):
    factory.user("mishu2", PASSWORD)
    row = user_row(app, "mishu2")
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert "m=65536,t=3,p=4" in row.password_hash  # argon2-cffi's recommended parameters, not weakened
    assert verify_password(row, PASSWORD) is True
    assert verify_password(row, PASSWORD + "x") is False


def test_same_password_hashes_differently():
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted


def test_verify_survives_a_garbage_hash(app):
    assert verify_password(User(username="x", display_name="x", password_hash="plaintext"), "plaintext") is False


def test_login_page_renders(http):
    resp = http.get("/login")
    assert resp.status_code == 200
    assert "会议秘书登录" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "password"), [("mishu", "wrong password"), ("nobody", PASSWORD), ("mishu", ""), ("", "")]
)
def test_wrong_credentials_get_401_and_no_session(app, factory, http, username, password):
    factory.user("mishu", PASSWORD)
    resp = sign_in(http, username, password)
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    with http.session_transaction() as sess:
        assert "user_id" not in sess


def test_inactive_user_cannot_sign_in(app, factory, http):
    u = factory.user("retired", PASSWORD)
    with app.app_context(), unit_of_work() as s:
        row = s.get(User, u.id)
        row.active = False
        s.add(row)
    assert sign_in(http, "retired", PASSWORD).status_code == 401


def test_login_sets_session_and_redirects(app, factory, http):
    u = factory.user("mishu", PASSWORD)
    resp = sign_in(http, "mishu", PASSWORD)
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/"
    with http.session_transaction() as sess:
        assert sess["user_id"] == u.id
        assert sess["login"]  # the key of the server-side sign-in (meeting.models.LoginSession)


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/meetings/3/console", "/meetings/3/console"), ("//evil.example/", "/"), ("https://evil.example/", "/")],
)
def test_login_follows_only_local_next(app, factory, http, target, expected):
    factory.user("mishu", PASSWORD)
    resp = sign_in(http, "mishu", PASSWORD, query_string={"next": target})
    assert resp.status_code == 303 and resp.headers["Location"] == expected


def test_pages_need_a_signed_in_secretary(http):
    resp = http.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_logout_needs_csrf_then_clears_session(app, staff_http):
    resp = staff_http.post("/logout")
    assert resp.status_code == 403
    assert "permission_denied" in resp.get_data(as_text=True)
    with staff_http.session_transaction() as sess:
        assert "user_id" in sess
    resp = staff_http.post("/logout", data={"csrf_token": staff_http.csrf})
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    with staff_http.session_transaction() as sess:
        assert "user_id" not in sess


def test_logout_with_csrf_header(app, staff_http):
    resp = staff_http.post("/logout", headers={"X-CSRF-Token": staff_http.csrf})
    assert resp.status_code == 303


def test_staff_actor_from_session(app, factory, staff_http):
    with staff_http.session_transaction() as sess:
        uid, key = sess["user_id"], sess["login"]
    with app.test_request_context("/"):
        from flask import session

        session["user_id"], session["login"] = uid, key
        with read_only() as s:
            actor = staff_actor(s)
    assert (actor.kind, actor.user_id, actor.name, actor.is_staff, actor.view) == ("user", uid, "王秘书", True, "full")


# ---------------------------------------------------------------- API bearer tokens


def test_api_token_is_stored_hashed(app, factory):
    u = factory.user("oa", PASSWORD, display_name="办公自动化")
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "OA 系统")
    assert token.startswith("ysk_") and len(token) > 40
    with app.app_context(), read_only() as s:
        row = s.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row.model_dump())
    assert row.last_used_at is None


def test_api_token_authenticates_and_records_use(app, factory):
    u = factory.user("oa", PASSWORD, display_name="办公自动化")
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "OA 系统")
    with app.test_request_context("/api/v1/x", headers={"Authorization": f"Bearer {token}"}):
        with unit_of_work() as s:  # last use is saved with the request's own transaction
            actor = staff_actor(s)
    assert (actor.kind, actor.user_id, actor.is_staff) == ("api", u.id, True)
    with app.app_context(), read_only() as s:
        assert s.exec(select(ApiToken)).one().last_used_at is not None


@pytest.mark.parametrize("case", ["wrong", "revoked", "inactive_user"])
def test_bad_api_token_is_refused(app, factory, case):
    u = factory.user("oa", PASSWORD)
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "OA 系统")
    with app.app_context(), unit_of_work() as s:
        if case == "revoked":
            row = s.exec(select(ApiToken)).one()
            row.revoked = True
            s.add(row)
        if case == "inactive_user":
            row = s.get(User, u.id)
            row.active = False
            s.add(row)
    sent = token + "x" if case == "wrong" else token
    with app.test_request_context("/api/v1/x", headers={"Authorization": f"Bearer {sent}"}):
        with read_only() as s, pytest.raises(InvalidToken):
            staff_actor(s)


def test_no_credentials_is_nobody(app):
    with app.test_request_context("/"), read_only() as s:
        assert staff_actor(s) is None


def test_api_token_connects_the_secretary_socket(app, socketio, factory):
    _, ids, m, item = factory.running(5, 5)
    u = factory.user("oa", PASSWORD)
    with app.app_context(), unit_of_work() as s:
        token = new_api_token(s, s.get(User, u.id), "脚本")
    c = socketio.test_client(app, headers={"Authorization": f"Bearer {token}"}, auth={"meeting_id": m.id})
    assert c.is_connected()
    snap = [x["args"][0] for x in c.get_received() if x["name"] == "snapshot"][0]
    assert snap["state"]["view"] == "full"
    bad = socketio.test_client(app, headers={"Authorization": "Bearer ysk_nope"}, auth={"meeting_id": m.id})
    assert not bad.is_connected()


# ---------------------------------------------------------------- personal link tokens


def test_member_and_chair_tokens(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    toks = factory.tokens(m.id)
    assert len(set(toks.values())) == 5 and all(len(t) >= 24 for t in toks.values())
    chair = actor_for(app, toks[ids[0]])
    assert (chair.kind, chair.person_id, chair.meeting_id, chair.view) == ("chair", ids[0], m.id, "full")
    member = actor_for(app, toks[ids[3]])
    assert (member.kind, member.person_id, member.meeting_id, member.view) == ("member", ids[3], m.id, "member")
    assert member.seat_id is not None and member.is_seat and not member.is_staff
    assert member.name == "成员04"


def test_delegated_chair_token(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id, chair=ids[2])
    toks = factory.tokens(m.id)
    assert actor_for(app, toks[ids[2]]).kind == "chair"
    assert actor_for(app, toks[ids[0]]).kind == "member"  # the head attends as a member


def test_observer_and_projector_tokens(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    with app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="法律顾问丙", role="法律顾问"))
    projector = factory.projector_token(m.id)
    o = actor_for(app, factory.observer_token(m.id, obs.id))
    assert (o.kind, o.observer_id, o.meeting_id, o.view, o.person_id) == ("observer", obs.id, m.id, "public", None)
    p = actor_for(app, projector)
    assert (p.kind, p.meeting_id, p.view) == ("projector", m.id, "public")


def test_tokens_of_the_same_person_differ_per_meeting(app, factory):
    body, ids = factory.body(3)
    m1 = factory.meeting(body.id, session_number=1)
    m2 = factory.meeting(body.id, session_number=2)
    t1, t2 = factory.tokens(m1.id)[ids[1]], factory.tokens(m2.id)[ids[1]]
    assert t1 != t2
    assert actor_for(app, t1).meeting_id == m1.id and actor_for(app, t2).meeting_id == m2.id


@pytest.mark.parametrize("token", ["", "unknown-token", "a" * 65, "%"])
def test_unknown_token_is_refused(app, factory, token):
    factory.body(3)
    with pytest.raises(InvalidToken) as info:
        actor_for(app, token)
    assert info.value.http_status == 401 and "链接无效" in info.value.message


def test_personal_link_page_refuses_unknown_token(http):
    resp = http.get("/t/unknown-token")
    assert resp.status_code == 401
    assert "invalid_token" in resp.get_data(as_text=True)


def test_all_links_stop_when_the_meeting_closes(app, factory):
    body, ids = factory.body(3)
    m = factory.meeting(body.id)
    with app.app_context(), unit_of_work() as s:
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="记者丁", role="媒体"))
    links = [*factory.tokens(m.id).values(), factory.observer_token(m.id, obs.id), factory.projector_token(m.id)]
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    factory.act("close_meeting", m.id)
    for tok in links:
        with pytest.raises(InvalidToken):
            actor_for(app, tok)
