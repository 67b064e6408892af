"""Telling the room. Persist, then acknowledge, then broadcast.

State changes (an item opens, the chair speaks, a result, a check-in) send each view its new state; opinions send
progress. Both are coalesced: the actor gets its acknowledgement at once, and each room gets at most one state and
one progress message per ``YISHI_BROADCAST_INTERVAL`` seconds (default 0.15), built from the database at send time
so nothing is stale — a 3,000-seat plenary is then ~3,000 acknowledgements plus a few dozen room messages, not
9 million. With ``SOCKETIO_MESSAGE_QUEUE`` set, emits reach clients on every worker through Redis.

What a big room costs is kept in proportion:

* the member and public views are the same for every tablet, so a tablet that connects is sent a shared copy,
  built once per change (:meth:`Broadcaster.view_state`);
* who is connected shows only in the full view (the secretary's roster): a tablet coming or going rebuilds that
  view alone, spaced by ten times what building it last took (:meth:`Broadcaster.presence_changed`);
* progress counts go to every screen every interval — in a big room, while a burst of opinions is still being
  written, every twenty times what sending them cost (3,000 screens: every few hundred milliseconds); counts
  that come due while a burst is being written wait for it, at most ``PROGRESS_MAX_HOLD`` seconds, and the count
  that completes the round goes one interval after the first opinion it shows, or at once if that is past
  (:meth:`Broadcaster.opinions_written`);
* the full view's detailed list (who said what, the tally, who has not spoken) is spaced by twenty times what
  building and sending it cost (before it has been built once, by what a list of that many members is expected
  to cost) — with the counts, every interval, for a body of up to ``DETAIL_INLINE_MAX_SEATS`` members whatever a
  stall made the last list cost, so the secretary's names never lag the count; after them, about every second or two,
  for a 3,000-seat plenary, where rebuilding the whole list every 150 ms would take a third of the server's
  time during a burst. While a burst is still coming in (counts sent within the last interval, or due) the list
  waits for it to end, at most ``DETAIL_MAX_HOLD`` seconds: the tablets' counts go first, and the list that
  follows is complete.

Each payload is emitted once to all the rooms that show it, so it is encoded once.

Time comes from one place: the broadcaster's scheduler (:class:`RealTime` — ``time.monotonic`` and Socket.IO's
background tasks, as in production; ``YISHI_SCHEDULER`` in the app's config may name another object with the same
three members, e.g. the tests' virtual clock, tests/fakeclock.py). The opinion intake stamps arrivals with the
same clock (meeting/app.py), so every instant compared here is on one time line.
"""

from __future__ import annotations

import threading
import time

from flask import Flask
from flask_socketio import SocketIO
from sqlmodel import select

from .db import read_only
from .models import Meeting, Seat
from .room import Outcome
from .state import PROGRESS_KEYS, VIEWS, build, chair_view, me, progress, recused_from_last_closed, withhold

SHARED_VIEWS = ("member", "public")  # the same for every tablet / projector of a meeting
# a costly broadcast is spaced by this many times what it took last time: the secretary's roster
# (who is connected) and the full view's progress list, which for a 3,000-seat plenary take tens of milliseconds
COST_FACTOR = {"presence": 10, "detail": 20, "progress": 20}
# what the detailed list costs per eligible member before this process has built it for a meeting: measured
# 10–17 µs to read and format and 1.5 µs to encode on the 2-core bench machine (docs/performance.md), with room
# to spare: a body of up to ~300 gets its list with the counts, a bigger room after them
DETAIL_COST_PER_SEAT = 25e-6
# a room this small always gets its list with the counts, whatever the last list cost: there the list is cheap, and a
# cost measured while the machine stalled (a loaded server, a pause in the collector) would otherwise put the
# secretary's list of names seconds behind the count above it
DETAIL_INLINE_MAX_SEATS = 300
DETAIL_MAX_HOLD = 3.0  # seconds a detailed list may wait for a burst of opinions to end
# what sending the counts costs per eligible member before this process has sent them for a meeting (reading
# them, and a message to each screen: 16-21 ms for 3,000 seats on the bench machine): a room of more than
# ~1,500 spaces its counts during a burst from its first
PROGRESS_COST_PER_SEAT = 5e-6
# seconds the counts may wait while a burst of opinions is still being written (put off an interval at a time:
# :meth:`Broadcaster.send_progress_when_written`): a count sent mid-burst is stale within milliseconds, and the
# next may not go before an interval after it
PROGRESS_MAX_HOLD = 1.0
SNAPSHOT_MAX_AGE = 2.0  # seconds: bound for changes that reach the database without passing through here


def room_name(meeting_id: int, view: str | None = None) -> str:
    return f"meeting:{meeting_id}" if view is None else f"meeting:{meeting_id}:{view}"


def view_rooms(meeting_id: int, view: str, for_chair: str) -> list[str]:
    """The rooms that show ``view``: its own, and the chair's when the chair sees it (``state.chair_view``).
    A payload is emitted once to all of them, so it is encoded once."""
    rooms = [room_name(meeting_id, view)]
    if view == for_chair:
        rooms.append(room_name(meeting_id, "chair"))
    return rooms


def person_room(meeting_id: int, person_id: int) -> str:
    return f"meeting:{meeting_id}:person:{person_id}"


class RealTime:
    """The broadcaster's clock and scheduler in production: ``time.monotonic``, and Socket.IO's background tasks
    (green threads under eventlet/gevent) that sleep until their instant. A scheduler has three members:
    ``clock()`` (seconds, monotonic), ``spawn(fn, *args)`` (run soon, off the caller's time) and
    ``call_at(due, fn, *args)`` (run at ``due`` on that clock, or at once if it is past)."""

    def __init__(self, socketio: SocketIO, clock=time.monotonic) -> None:
        self.socketio = socketio
        self.clock = clock

    def spawn(self, fn, *args) -> None:
        self.socketio.start_background_task(fn, *args)

    def call_at(self, due: float, fn, *args) -> None:
        self.socketio.start_background_task(self._at, due, fn, args)

    def _at(self, due: float, fn, args: tuple) -> None:
        # the instant was fixed when the call was scheduled: a background task may first run a good while later
        # (a busy server runs the tasks already waiting first), and must not then wait its whole delay again
        self.socketio.sleep(max(0.0, due - self.clock()))
        fn(*args)


class Broadcaster:
    def __init__(self, app: Flask, socketio: SocketIO) -> None:
        self.app = app
        self.socketio = socketio
        self.scheduler = app.config.get("YISHI_SCHEDULER") or RealTime(socketio)
        self.clock = self.scheduler.clock  # every instant the broadcaster compares, and the intake's arrivals
        self.interval = float(app.config["YISHI_BROADCAST_INTERVAL"])
        self.zone = app.config["YISHI_TIMEZONE"]
        self._pending: dict[tuple[str, int], float] = {}  # a send scheduled: when it is due
        self._lock = threading.Lock()
        # read-then-emit is one step: two deliveries racing in background tasks must not let an older state
        # reach the screens after a newer one
        self._emit_lock = threading.RLock()
        # shared snapshots: with several workers (a message queue) another process changes the room without
        # telling this one, so each tablet then gets a view built for it, as before
        self.share_snapshots = self.interval > 0 and not app.config.get("SOCKETIO_MESSAGE_QUEUE")
        self._version: dict[int, int] = {}
        self._views: dict[tuple[int, str], tuple[int, float, dict]] = {}
        self._cost: dict[tuple[str, int], float] = {}
        self._progress_sent: dict[int, float] = {}
        self._held_since: dict[tuple[str, int], float] = {}  # a due send put off during a burst: since when
        self._waiting: dict[int, int] = {}  # meeting → members the chair waits for, by the last counts sent
        self.presented: dict[int, dict] = {}  # meeting → the presenter's last page turned (跟随翻页; not persisted)
        self._unsent_since: dict[int, float] = {}  # meeting → when the first opinion not in the counts sent arrived
        # is an opinion of this meeting being written? (the app sets the opinion intake's answer: meeting/app.py)
        self.writing = lambda meeting_id: False

    # -- after an action has been persisted and acknowledged
    def after(self, outcome: Outcome) -> None:
        """An action has been persisted and acknowledged: tell the room (members' opinions written in a batch
        are told by :meth:`opinions_written`)."""
        if outcome.emit is not None:  # a passing event (a page turned): to the screens that read materials
            event, data = outcome.emit
            rooms = [room_name(outcome.meeting_id, view) for view in ("member", "chair", "full")]
            self.socketio.emit(event, data, to=rooms)
            if event == "page_turned":  # a tablet that joins later is told where the presenter is (this process's)
                with self._lock:
                    self.presented[outcome.meeting_id] = data
        if outcome.broadcast is None and not outcome.notify_people:
            return
        self.changed(outcome.meeting_id)
        # both only mark the room and schedule at most one send per interval: cheap enough for the caller
        if outcome.broadcast == "state":
            self.state_changed(outcome.meeting_id)
        elif outcome.broadcast == "progress":
            self.progress_changed(outcome.meeting_id)
        if outcome.notify_people:
            if self.interval <= 0:
                self._send_people_in_context(outcome.meeting_id, list(outcome.notify_people))
            else:  # a personal block is read from the database: not in the caller's time
                self.scheduler.spawn(self._send_people_in_context, outcome.meeting_id, list(outcome.notify_people))

    def _send_people_in_context(self, meeting_id: int, people: list[int]) -> None:
        with self.app.app_context():
            for person_id in people:
                self.send_me(meeting_id, person_id)

    # -- snapshots for connecting screens
    def changed(self, meeting_id: int) -> None:
        """Something in the room changed: shared copies of its views are void."""
        with self._lock:
            self._version[meeting_id] = self._version.get(meeting_id, 0) + 1

    def view_state(self, s, meeting_id: int, view: str) -> dict:
        """The state a connecting screen is sent. The member and public views are built once per change and
        shared (and rebuilt at least every ``SNAPSHOT_MAX_AGE`` seconds, for changes made outside the room's
        services, e.g. a person's name); the full view is always built fresh."""
        if view not in SHARED_VIEWS or not self.share_snapshots:
            return build(s, meeting_id, view, self.zone)
        now = self.clock()
        with self._lock:
            version = self._version.get(meeting_id, 0)
            hit = self._views.get((meeting_id, view))
        if hit is not None and hit[0] == version and now - hit[1] < SNAPSHOT_MAX_AGE:
            return hit[2]
        state = build(s, meeting_id, view, self.zone)
        self._keep(meeting_id, view, version, now, state)
        return state

    def _keep(self, meeting_id: int, view: str, version: int, at: float, state: dict) -> None:
        if self.share_snapshots and view in SHARED_VIEWS:
            with self._lock:
                self._views[(meeting_id, view)] = (version, at, state)

    # -- sending
    def send_state(self, meeting_id: int, views: tuple[str, ...] = VIEWS) -> None:
        with self._emit_lock:
            with self._lock:
                version = self._version.get(meeting_id, 0)
            now = self.clock()
            with read_only() as s:
                states = {view: build(s, meeting_id, view, self.zone) for view in views}
                for_chair = chair_view(s, meeting_id)
                some = next(iter(states.values()), None)
                recused = recused_from_last_closed(s, some) if some is not None else set()
                chair_id = seats = None
                if recused:
                    chair_id = s.get(Meeting, meeting_id).chair_person_id
                    if "member" in states and recused - {chair_id}:
                        seats = s.exec(select(Seat.person_id).where(Seat.meeting_id == meeting_id)).all()
            for view, state in states.items():
                self._keep(meeting_id, view, version, now, state)
                rooms = view_rooms(meeting_id, view, for_chair)
                if recused and view in ("member", for_chair):
                    rooms = self._send_withheld(meeting_id, view, state, rooms, recused, chair_id, seats)
                if rooms:
                    self.socketio.emit("state", state, to=rooms)

    def _send_withheld(
        self, meeting_id: int, view: str, state: dict, rooms: list[str], recused: set[int], chair_id: int, seats
    ) -> list[str]:
        """Those recused from the last closed item get the state without its tally and reasons
        (:func:`meeting.state.withhold`): the chair in his own room; member tablets by their personal rooms,
        the others then by theirs too (a room of "everyone but them" does not exist). Returns the rooms that
        still get ``state`` as it is."""
        stripped = withhold(state, {state["last_closed"]["id"]})
        chair_room = room_name(meeting_id, "chair")
        if chair_id in recused and chair_room in rooms:
            rooms = [r for r in rooms if r != chair_room]
            self.socketio.emit("state", stripped, to=chair_room)
        if view == "member" and seats is not None:
            rooms = [r for r in rooms if r != room_name(meeting_id, "member")]
            away = [p for p in seats if p in recused and p != chair_id]
            self.socketio.emit("state", stripped, to=[person_room(meeting_id, p) for p in away])
            rooms += [person_room(meeting_id, p) for p in seats if p not in recused and p != chair_id]
        return rooms

    def send_me(self, meeting_id: int, person_id: int) -> None:
        with self._emit_lock:
            with read_only() as s:
                block = me(s, meeting_id, person_id, self.zone)
            self.socketio.emit("me", block, to=person_room(meeting_id, person_id))

    def send_presence(self, meeting_id: int) -> None:
        """Only the full view shows who is connected."""
        started = self.clock()
        self.send_state(meeting_id, ("full",))
        self._cost[("presence", meeting_id)] = self.clock() - started

    def send_progress(self, meeting_id: int) -> None:
        """Counts to every view. The full view's detailed list (who said what, the tally, who has not spoken)
        goes with them while it is cheap; in a big room it follows at its own pace (:meth:`_detail_spacing`),
        so a burst's counts reach the tablets without waiting for the list, and the list, sent after the burst,
        is complete rather than stale within milliseconds."""
        with self._emit_lock:
            now = self.clock()
            with self._lock:
                self._progress_sent[meeting_id] = now
                self._unsent_since.pop(meeting_id, None)  # what has been committed is counted now

            def inline(eligible: int) -> bool:  # decided once the counts are read  (no interval: all at once)
                return (
                    self.interval <= 0
                    or eligible <= DETAIL_INLINE_MAX_SEATS
                    or self._detail_spacing(meeting_id, eligible) <= self.interval
                )

            with read_only() as s:
                prog = progress(s, meeting_id, detail=inline, zone=self.zone)
                for_chair = chair_view(s, meeting_id)
            if prog is None:
                return
            detailed = "opinions" in prog
            # one emit per payload, to every room that shows it: each is encoded once (the detailed list of a
            # 3,000-seat plenary is a few hundred kilobytes of JSON)
            shared = [r for view in SHARED_VIEWS for r in view_rooms(meeting_id, view, for_chair)]
            full = view_rooms(meeting_id, "full", for_chair)
            if detailed:
                self.socketio.emit("progress", {k: prog[k] for k in PROGRESS_KEYS}, to=shared)
                self.socketio.emit("progress", prog, to=full)
                # its cost includes sending it: encoding the list is as dear as reading it
                self._cost[("detail", meeting_id)] = self.clock() - now
            else:  # the secretary's counts move with everyone's; the list follows
                self.socketio.emit("progress", prog, to=shared + full)
            with self._lock:
                self._cost[("progress", meeting_id)] = self.clock() - now
                self._waiting[meeting_id] = prog["waiting"]
        if not detailed:
            self._coalesce(
                "detail", meeting_id, self.send_progress_detail, self._detail_spacing(meeting_id, prog["eligible"])
            )

    def send_progress_when_written(self, meeting_id: int) -> None:
        """The counts, once due — unless a burst of opinions is still being written and members are still to
        speak: they are then put off an interval at a time, at most ``PROGRESS_MAX_HOLD`` seconds, and the batch
        that completes the round sends them at once (:meth:`opinions_written`). A count sent in mid-burst would
        be stale within milliseconds, cost the server what a count costs (a message to every screen), and hold
        the final count back an interval after it."""
        burst = self.writing(meeting_id) and self._waiting.get(meeting_id, 1) > 0
        if not self._put_off("progress", meeting_id, burst, PROGRESS_MAX_HOLD, self.send_progress_when_written):
            self.send_progress(meeting_id)

    def send_progress_detail(self, meeting_id: int) -> None:
        """The full view's detailed list, once the burst that made it due has ended (or has gone on for
        ``DETAIL_MAX_HOLD`` seconds)."""
        with self._lock:
            arriving = ("progress", meeting_id) in self._pending or self.clock() - self._progress_sent.get(
                meeting_id, float("-inf")
            ) < self.interval
        if self._put_off("detail", meeting_id, arriving, DETAIL_MAX_HOLD, self.send_progress_detail):
            return
        with self._emit_lock:
            now = self.clock()
            with read_only() as s:
                detailed = progress(s, meeting_id, detail=True, zone=self.zone)
                for_chair = chair_view(s, meeting_id)
            if detailed is not None:
                self.socketio.emit("progress", detailed, to=view_rooms(meeting_id, "full", for_chair))
            self._cost[("detail", meeting_id)] = self.clock() - now

    # -- coalescing
    def state_changed(self, meeting_id: int) -> None:
        self.changed(meeting_id)
        self._coalesce("state", meeting_id, self.send_state)

    def progress_changed(
        self, meeting_id: int, arrived: float | None = None, *, spacing: float | None = None, complete: bool = False
    ) -> None:
        """An opinion was written. The room is told one interval (or ``spacing``) after it arrived
        (``arrived``, by default now), and never less than that after the last progress sent.

        An opinion written in a batch (meeting/intake.py) arrived before its commit, perhaps before the last
        progress was sent, which could not count it: it is then due one interval after that send, not one
        interval after its commit. In a burst (more opinions to come: see :meth:`opinions_written`) a big room's
        counts are spaced by what sending them costs, and wait while it is being written
        (:meth:`send_progress_when_written`). The opinion that completes the round (``complete``: the chair may
        now speak) is told one interval after the first opinion the counts sent have not shown arrived, or at once
        if that is past — still never less than an interval after the last progress sent."""
        self.changed(meeting_id)  # the member and public views show the counts too
        if self.interval <= 0:
            self._send_now(self.send_progress, meeting_id)
            return
        now = self.clock()
        arrived = now if arrived is None else min(arrived, now)
        with self._lock:
            since = self._unsent_since[meeting_id] = min(arrived, self._unsent_since.get(meeting_id, arrived))
            last = self._progress_sent.get(meeting_id, float("-inf"))
        if complete:
            due = max(now, since + self.interval, last + self.interval)
        else:
            due = max(arrived, last) + (self.interval if spacing is None else max(self.interval, spacing))
        self._coalesce("progress", meeting_id, self.send_progress_when_written, max(0.0, due - now))

    def opinions_written(self, meeting_id: int, outcomes: list[Outcome], arrived: float, backlog: int) -> None:
        """A batch of members' opinions has been committed (meeting/intake.py): the room is told once for the
        batch. ``arrived``: when its first opinion arrived; ``backlog``: how many are queued behind it.

        Where the counts are dear to send (a big room: twenty times what they cost last, or before they have
        been sent, are expected to cost, exceeds the interval) they are spaced by that while more opinions are
        to come — queued behind this batch, or awaited from members who have not spoken. In any room the
        count that completes the round (every eligible member but the chair has spoken: the chair may now speak)
        goes one interval after the first opinion it shows arrived, or at once if that is past. Whether a batch
        completes the round is judged from the last counts sent less the members heard since, without reading
        the room: a misjudgement (a member who left meanwhile) only moves when the counts go, and they are read
        from the database when they go."""
        counted, new_voices = False, 0
        for outcome in outcomes:
            if outcome.broadcast == "progress" and not outcome.notify_people:
                counted = True
                new_voices += bool(outcome.opinion and outcome.opinion.get("version") == 1)
            else:  # a resend (nothing to tell), the chair's statement (the room's state)
                self.after(outcome)
        if not counted:
            return
        with self._lock:
            known = ("progress", meeting_id) in self._cost
            waiting = self._waiting.get(meeting_id)
            if waiting is not None:
                waiting = self._waiting[meeting_id] = waiting - new_voices
        if self.interval > 0 and not known:
            # before the counts have been sent for this meeting: its size, read once (a few milliseconds in a
            # big room); what sending them will cost is expected from it until the first send measures it
            with read_only() as s:
                counts = progress(s, meeting_id, zone=self.zone)
            if counts is not None:
                with self._lock:
                    self._cost.setdefault(("progress", meeting_id), PROGRESS_COST_PER_SEAT * counts["eligible"])
                    waiting = self._waiting[meeting_id] = counts["waiting"]
        # the round is complete (by the last counts sent, less the members heard since): the chair may speak
        complete = not backlog and waiting is not None and waiting <= 0
        self.progress_changed(meeting_id, arrived, spacing=self._spacing("progress", meeting_id), complete=complete)

    def presence_changed(self, meeting_id: int) -> None:
        """A tablet came or went: the secretary's roster shows it; no other view changes."""
        self._coalesce("presence", meeting_id, self.send_presence, self._spacing("presence", meeting_id))

    def _detail_spacing(self, meeting_id: int, eligible: int) -> float:
        """The detailed list's spacing: from what it cost last time, or, before it has been built for this
        meeting, from what a list of ``eligible`` members is expected to cost."""
        if ("detail", meeting_id) in self._cost:
            return self._spacing("detail", meeting_id)
        return max(self.interval, COST_FACTOR["detail"] * DETAIL_COST_PER_SEAT * eligible)

    def _spacing(self, kind: str, meeting_id: int) -> float:
        """At least an interval, and ``COST_FACTOR`` times what the send took last time (nothing known: an
        interval, and the first send measures it)."""
        return max(self.interval, COST_FACTOR[kind] * self._cost.get((kind, meeting_id), 0.0))

    def _put_off(self, kind: str, meeting_id: int, burst: bool, bound: float, send) -> bool:
        """A send of ``kind`` has come due while a ``burst`` goes on: put it off an interval (True), unless it
        has waited ``bound`` seconds since it first came due, or there is no interval (sent at once)."""
        key = (kind, meeting_id)
        now = self.clock()
        with self._lock:
            since = self._held_since.setdefault(key, now)
            hold = burst and self.interval > 0 and now - since < bound
            if not hold:
                del self._held_since[key]
        if hold:
            self._coalesce(kind, meeting_id, send, self.interval)
        return hold

    def _coalesce(self, kind: str, meeting_id: int, send, delay: float | None = None) -> None:
        """At most one send of a kind per meeting is scheduled; asked again, it stays — unless it is now due
        sooner (a burst's counts spaced out, then the last of it written), when it is brought forward."""
        if self.interval <= 0:
            self._send_now(send, meeting_id)
            return
        key = (kind, meeting_id)
        # the instant is fixed now (the scheduler runs the send then, however late its task first runs)
        due = self.clock() + (self.interval if delay is None else delay)
        with self._lock:
            scheduled = self._pending.get(key)
            if scheduled is not None and scheduled <= due:
                return
            self._pending[key] = due
        self.scheduler.call_at(due, self._send_due, key, send, due)

    def _send_now(self, send, meeting_id: int) -> None:
        """No interval: sent at once, in the caller's time — which need not have the app's context (a member's
        opinion is handled without one, meeting/events.py)."""
        with self.app.app_context():
            send(meeting_id)

    def _send_due(self, key: tuple[str, int], send, due: float) -> None:
        with self._lock:
            if self._pending.get(key) != due:  # brought forward: the earlier task has sent, or will
                return
            del self._pending[key]
        with self.app.app_context():
            send(key[1])
