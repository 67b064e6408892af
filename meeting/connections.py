"""Who is connected to this worker's Socket.IO server, and how to end their sockets.

A socket is let in once (meeting/events.py, ``connect``); what let it in can end later: the secretary signs out,
his account is deactivated or its password changed, he stays idle too long (meeting/auth.py); an observer is
removed, a seat's link is reissued, the meeting closes. Each of these ends the affected sockets at once, on this
worker, right after the transaction that caused it commits: a service marks what it ended with :func:`end_after_commit`
(it needs no Socket.IO), and the session's ``after_commit`` hook disconnects the sockets. A worker that did not
commit the change finds it within ``YISHI_SOCKET_RECHECK_SECONDS`` (:meth:`Connections.recheck`, a background
task), and every event of a staff socket is checked against the database before it acts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlmodel import Session

from .actors import Actor
from .db import read_only

log = logging.getLogger(__name__)

# what a service may end: ("account", user_id), ("login", login_session_id), ("api_token", api_token_id),
# ("meeting", meeting_id) — the meeting's link sockets (tablets, observers, projector), ("observer", id), ("seat", id)
_KEY = "yishi.end_sockets"


def end_after_commit(s: Session, kind: str, ident: int) -> None:
    """Disconnect the sockets let in by ``kind``/``ident`` once ``s`` commits (nothing if it rolls back)."""
    s.info.setdefault(_KEY, set()).add((kind, ident))


@event.listens_for(Session, "after_commit")
def _after_commit(s) -> None:
    ended = s.info.pop(_KEY, None)
    if ended and has_app_context():
        conns = current_app.extensions.get("yishi.connections")
        if conns is not None:
            conns.end(ended)


@event.listens_for(Session, "after_rollback")
def _after_rollback(s) -> None:
    s.info.pop(_KEY, None)


@dataclass(frozen=True)
class Credential:
    """How a staff socket signed in: a password session (``login``) or an API token (``api_token``)."""

    kind: str
    ident: int
    user_id: int


class Connections:
    def __init__(self, socketio, credential_valid: Callable[[Session, Credential], bool]) -> None:
        """``credential_valid(session, credential)``: is a staff socket's sign-in or token still good
        (:func:`meeting.auth.credential_valid`, handed in: sign-in ends sockets through this module)."""
        self.socketio = socketio
        self.credential_valid = credential_valid
        self.actors: dict[str, Actor] = {}
        self.credentials: dict[str, Credential] = {}
        self._lock = threading.Lock()

    def add(self, sid: str, actor: Actor, credential: Credential | None = None) -> None:
        with self._lock:
            self.actors[sid] = actor
            if credential is not None:
                self.credentials[sid] = credential

    def remove(self, sid: str) -> Actor | None:
        with self._lock:
            self.credentials.pop(sid, None)
            return self.actors.pop(sid, None)

    def matching(self, ended: set[tuple[str, int]]) -> list[str]:
        sids = []
        with self._lock:
            for sid, actor in self.actors.items():
                cred = self.credentials.get(sid)
                keys = set()
                if cred is not None:
                    keys |= {("account", cred.user_id), (cred.kind, cred.ident)}
                elif not actor.is_staff:  # a link's socket
                    keys.add(("meeting", actor.meeting_id))
                    if actor.observer_id is not None:
                        keys.add(("observer", actor.observer_id))
                    if actor.seat_id is not None:
                        keys.add(("seat", actor.seat_id))
                    if actor.kind == "projector":
                        keys.add(("projector", actor.meeting_id))
                if keys & ended:
                    sids.append(sid)
        return sids

    def end(self, ended: set[tuple[str, int]]) -> list[str]:
        """Disconnect every socket of this worker let in by one of ``ended``; the sids disconnected."""
        sids = self.matching(ended)
        for sid in sids:
            self.disconnect(sid)
        return sids

    def disconnect(self, sid: str) -> None:
        try:
            self.socketio.server.disconnect(sid, namespace="/")
        except Exception:  # already gone
            log.debug("disconnect %s failed", sid, exc_info=True)
        self.remove(sid)

    def staff_sids(self) -> dict[str, Credential]:
        with self._lock:
            return dict(self.credentials)

    def recheck(self, app) -> list[str]:
        """Disconnect the staff sockets whose sign-in or token has ended meanwhile (on any worker), or gone idle."""
        creds = self.staff_sids()
        if not creds:
            return []
        ended = []
        with app.app_context(), read_only() as s:
            verdicts = {c: self.credential_valid(s, c) for c in set(creds.values())}
        for sid, cred in creds.items():
            if not verdicts.get(cred, False):
                self.disconnect(sid)
                ended.append(sid)
        return ended

    def start_rechecking(self, app, interval: float) -> None:
        if interval <= 0:
            return

        def loop():
            while True:
                self.socketio.sleep(interval)
                try:
                    self.recheck(app)
                except Exception:  # a database outage: try again at the next interval
                    log.warning("rechecking staff sockets failed", exc_info=True)

        self.socketio.start_background_task(loop)
