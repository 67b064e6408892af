"""Telling the room. Persist, then acknowledge, then broadcast.

State changes (an item opens, the chair speaks, a result, a check-in) send each view its new state; opinions send
progress. Both are coalesced: the actor gets its acknowledgement at once, and each room gets at most one state and
one progress message per ``YISHI_BROADCAST_INTERVAL`` seconds (default 0.15), built from the database at send time
so nothing is stale — a 3,000-seat plenary is then ~3,000 acknowledgements plus a few dozen room messages, not
9 million. With ``SOCKETIO_MESSAGE_QUEUE`` set, emits reach clients on
every worker through Redis.
"""

from __future__ import annotations

import threading

from flask import Flask
from flask_socketio import SocketIO

from .db import read_only
from .room import Outcome
from .state import VIEWS, build, chair_view, full_progress, me, progress


def room_name(meeting_id: int, view: str | None = None) -> str:
    return f"meeting:{meeting_id}" if view is None else f"meeting:{meeting_id}:{view}"


def person_room(meeting_id: int, person_id: int) -> str:
    return f"meeting:{meeting_id}:person:{person_id}"


class Broadcaster:
    def __init__(self, app: Flask, socketio: SocketIO) -> None:
        self.app = app
        self.socketio = socketio
        self.interval = float(app.config["YISHI_BROADCAST_INTERVAL"])
        self.zone = app.config["YISHI_TIMEZONE"]
        self._pending: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        # read-then-emit is one step: two deliveries racing in background tasks must not let an older state
        # reach the screens after a newer one
        self._emit_lock = threading.RLock()

    # -- after an action has been persisted and acknowledged
    def after(self, outcome: Outcome) -> None:
        if outcome.broadcast is None and not outcome.notify_people:
            return
        if self.interval <= 0:
            self._deliver(outcome)
        else:
            self.socketio.start_background_task(self._deliver_in_context, outcome)

    def _deliver_in_context(self, outcome: Outcome) -> None:
        with self.app.app_context():
            self._deliver(outcome)

    def _deliver(self, outcome: Outcome) -> None:
        if outcome.broadcast == "state":
            self.state_changed(outcome.meeting_id)
        elif outcome.broadcast == "progress":
            self.progress_changed(outcome.meeting_id)
        for person_id in outcome.notify_people:
            self.send_me(outcome.meeting_id, person_id)

    def send_state(self, meeting_id: int) -> None:
        with self._emit_lock:
            with read_only() as s:
                states = {view: build(s, meeting_id, view, self.zone) for view in VIEWS}
                for_chair = chair_view(s, meeting_id)
            for view, state in states.items():
                self.socketio.emit("state", state, to=room_name(meeting_id, view))
            self.socketio.emit("state", states[for_chair], to=room_name(meeting_id, "chair"))

    def send_me(self, meeting_id: int, person_id: int) -> None:
        with self._emit_lock:
            with read_only() as s:
                block = me(s, meeting_id, person_id, self.zone)
            self.socketio.emit("me", block, to=person_room(meeting_id, person_id))

    # -- coalescing
    def state_changed(self, meeting_id: int) -> None:
        self._coalesce("state", meeting_id, self.send_state)

    def progress_changed(self, meeting_id: int) -> None:
        self._coalesce("progress", meeting_id, self.send_progress)

    def _coalesce(self, kind: str, meeting_id: int, send) -> None:
        if self.interval <= 0:
            send(meeting_id)
            return
        key = (kind, meeting_id)
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        self.socketio.start_background_task(self._send_later, key, send)

    def _send_later(self, key: tuple[str, int], send) -> None:
        self.socketio.sleep(self.interval)
        with self._lock:
            self._pending.discard(key)
        with self.app.app_context():
            send(key[1])

    def send_progress(self, meeting_id: int) -> None:
        with self._emit_lock:
            with read_only() as s:
                small = progress(s, meeting_id)
                detailed = full_progress(s, meeting_id, self.zone)
                for_chair = chair_view(s, meeting_id)
            if small is None:
                return
            for view in ("member", "public"):
                self.socketio.emit("progress", small, to=room_name(meeting_id, view))
            self.socketio.emit("progress", detailed, to=room_name(meeting_id, "full"))
            self.socketio.emit("progress", detailed if for_chair == "full" else small,
                               to=room_name(meeting_id, "chair"))
