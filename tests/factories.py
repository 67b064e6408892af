"""Test data built through the same services the app uses (no hand-made rows)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select

from meeting import room, setup
from meeting.actions import perform
from meeting.actors import Actor
from meeting.auth import hash_password
from meeting.db import read_only, unit_of_work
from meeting.models import Event, Seat, User
from meeting.schemas import BodyIn, ItemIn, MeetingIn, MembersIn, OpinionIn, PersonIn, RelationIn, StepIn
from meeting.tokens import issue

STAFF = Actor(kind="user", name="测试秘书", user_id=1, device="pytest")


def _id(x) -> int:
    """A record's id, whether the caller holds the record or its id."""
    return getattr(x, "id", x)


def client_id(prefix: str = "c") -> str:
    """A fresh ``client_id``, as a tablet makes one for each opinion it sends (the room deduplicates on it)."""
    return prefix + uuid.uuid4().hex


def opinion_in(item, stance="agree", reason="", client_id_=None, round_=1) -> OpinionIn:
    """An opinion request as the batch path (``intake.give_opinions``) takes it."""
    return OpinionIn(client_id=client_id_ or client_id(), item_id=_id(item), round=round_, stance=stance, reason=reason)


def rows(app, model, **where) -> list:
    """Every stored row of ``model`` whose columns equal ``where``, in id order."""
    with app.app_context(), read_only() as s:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(s.exec(q.order_by(model.id)).all())


def event_log(app, meeting_id) -> list[Event]:
    """The meeting's event log, in chain order."""
    with app.app_context(), read_only() as s:
        return list(s.exec(select(Event).where(Event.meeting_id == _id(meeting_id)).order_by(col(Event.seq))))


def csrf_of(client) -> str:
    """A valid CSRF token for the test client's session, as a page's ``csrf_token()`` would render it (Flask-WTF
    keeps a random secret in the session and signs it with the app's key). Call it again after signing in: the
    sign-in starts a new session."""
    import hashlib
    import os

    from itsdangerous import URLSafeTimedSerializer

    app = client.application
    with client.session_transaction() as sess:
        raw = sess.get("csrf_token")
        if not raw:
            raw = sess["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
    key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)


def form_csrf(page: str) -> str:
    """The ``csrf_token`` hidden field of a rendered form (what a browser posts back)."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client, username: str, password: str = "correct horse battery", **kw):
    """POST the sign-in form as a browser does (with its CSRF token); the response. Sets ``client.csrf``."""
    data = {"username": username, "password": password, "csrf_token": csrf_of(client)}
    resp = client.post("/login", data=data, **kw)
    client.csrf = csrf_of(client)
    return resp


class Factory:
    def __init__(self, app):
        self.app = app
        self._links = {}

    def _uow(self):
        return unit_of_work()

    def user(self, username="mishu", password="correct horse battery", display_name="王秘书", role="secretary"):
        with self.app.app_context(), self._uow() as s:
            u = User(username=username, display_name=display_name, password_hash=hash_password(password), role=role)
            s.add(u)
            s.flush()
            return u

    def body(self, n=9, *, name="某某区人民政府", decision_mode="majority", kind="government", profile="taobei-2023"):
        """A body with n members in seniority order; returns (body, [person ids]). The first is the head."""
        with self.app.app_context(), self._uow() as s:
            body = setup.create_body(
                s, STAFF, BodyIn(name=name, kind=kind, decision_mode=decision_mode, profile=profile)
            )
            ids = []
            for i in range(n):
                title = "区长" if i == 0 else "副区长"
                p = setup.create_person(s, STAFF, PersonIn(name=f"成员{i + 1:02d}", title=title, unit=name))
                ids.append(p.id)
            setup.set_members(s, STAFF, body.id, MembersIn(person_ids=ids))
            return body, ids

    def person(self, name="任免对象", title="", unit=""):
        with self.app.app_context(), self._uow() as s:
            return setup.create_person(s, STAFF, PersonIn(name=name, title=title, unit=unit))

    def relation(self, a, b, type_, reason=""):
        with self.app.app_context(), self._uow() as s:
            return setup.add_relation(s, STAFF, RelationIn(person_a_id=a, person_b_id=b, type=type_, reason=reason))

    def meeting(self, body_id, *, kind="executive", session_number=1, chair=None):
        with self.app.app_context(), self._uow() as s:
            return setup.create_meeting(
                s,
                STAFF,
                MeetingIn(
                    body_id=body_id,
                    kind=kind,
                    session_number=session_number,
                    starts_at=datetime(2023, 12, 9, 9, 0),
                    place="区政府第一会议室",
                    chair_person_id=chair,
                    recorder_name="王秘书",
                ),
                "Asia/Shanghai",
            )

    def item(self, meeting_id, *, title="关于某某事项的议题", category="other", subjects=(), prepared=True, **kw):
        """An agenda item; with prepared=True every step the profile requires is marked done."""
        with self.app.app_context(), self._uow() as s:
            item = setup.add_item(
                s,
                STAFF,
                meeting_id,
                ItemIn(title=title, category=category, subjects=[{"person_id": p} for p in subjects], **kw),
            )
            if prepared:
                for step in ("legality_review", "risk_assessment"):
                    setup.set_step(s, STAFF, item.id, StepIn(step=step, state="done"))
            return item

    def links(self, meeting_id):
        """Every link of the meeting, issued once per factory and meeting (tokens are stored hashed: the plain ones
        exist only in the issuing call's answer, kept here). An observer added later: :meth:`observer_token`."""
        if meeting_id not in self._links:
            with self.app.app_context(), self._uow() as s:
                self._links[meeting_id] = issue(s, STAFF, meeting_id, every=True)
        return self._links[meeting_id]

    def tokens(self, meeting_id) -> dict[int, str]:
        """person_id → personal link token."""
        return self.links(meeting_id).by_person()

    def projector_token(self, meeting_id) -> str:
        return self.links(meeting_id).projector

    def observer_token(self, meeting_id, observer_id) -> str:
        """The observer's link, issued for that observer alone if not issued yet by this factory."""
        links = self.links(meeting_id)
        if observer_id not in links.by_observer():
            with self.app.app_context(), self._uow() as s:
                links.observers += issue(s, STAFF, meeting_id, observer_ids=[observer_id]).observers
        return links.by_observer()[observer_id]

    def act(self, name, meeting_id, payload=None, actor=STAFF):
        """Perform a room action as the secretary (or the given actor) through the action registry."""
        with self.app.app_context():
            return perform(name, actor, meeting_id, payload or {})

    def seat_actor(self, meeting_id, person_id, chair_id=None):
        kind = "chair" if person_id == chair_id else "member"
        with self.app.app_context(), self._uow() as s:
            seat = s.exec(select(Seat).where(Seat.meeting_id == meeting_id, Seat.person_id == person_id)).one()
        return Actor(
            kind=kind,
            name=f"p{person_id}",
            person_id=person_id,
            seat_id=seat.id,
            meeting_id=meeting_id,
            device="pytest",
        )

    def say(self, meeting_id, item, person_id, stance="agree", reason="", *, chair=None, round_=1, client_id_=None):
        """One member's opinion from their own seat (the chair's when ``chair`` is that member), through the
        action registry, as their tablet sends it; the action's result (``.ack`` is the acknowledgement)."""
        payload = {
            "client_id": client_id_ or client_id(),
            "item_id": _id(item),
            "round": round_,
            "stance": stance,
            "reason": reason,
        }
        meeting_id = _id(meeting_id)
        return self.act("give_opinion", meeting_id, payload, actor=self.seat_actor(meeting_id, person_id, chair))

    def all_agree(self, meeting_id, item, person_ids, chair, round_=1):
        """Every one of ``person_ids`` agrees, the chair last (the chair may speak only when all others have)."""
        for pid in [p for p in person_ids if p != chair] + ([chair] if chair in person_ids else []):
            self.say(meeting_id, item, pid, chair=chair, round_=round_)

    def present(self, meeting_id, person_ids):
        for pid in person_ids:
            self.act("roll_call", meeting_id, {"person_id": pid, "attendance": "present"})

    def running(
        self, n=9, present=None, *, kind="executive", category="other", decision_mode="majority", subjects=(), call=True
    ):
        """A body, an opened meeting with ``present`` members in, and one item open (opinions called)."""
        body, ids = self.body(n, decision_mode=decision_mode)
        m = self.meeting(body.id, kind=kind)
        self.present(m.id, ids[: (n if present is None else present)])
        self.act("open_meeting", m.id)
        item = self.item(m.id, category=category, subjects=subjects)
        self.act("open_item", m.id, {"item_id": item.id})
        if call:
            self.act("call_opinions", m.id, {"item_id": item.id})
        return body, ids, m, item


__all__ = ["Factory", "STAFF", "client_id", "event_log", "opinion_in", "room", "rows"]
