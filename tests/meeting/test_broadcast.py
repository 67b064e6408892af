"""Coalesced broadcasts: the voter is acknowledged at once, the room gets progress at most once per
``YISHI_BROADCAST_INTERVAL``. These tests build their own app with a real interval (0.25 s) in threading mode, on
virtual time (tests/fakeclock.py): the broadcaster's sends run when a test advances the clock, at their exact
instants, so a timing assertion holds however loaded the machine is. The opinion intake still writes on a real
thread: a test waits for its batch by polling with a deadline. The production wiring (monotonic time, real
background tasks) is checked at the end, with waits that a slow machine can only lengthen."""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest
from sqlmodel import select

from meeting.db import read_only, unit_of_work
from meeting.models import Opinion
from meeting.tokens import issue
from tests.factories import STAFF, Factory
from tests.fakeclock import FakeClock, wait_until

INTERVAL = 0.25  # a binary fraction: sums of it on the virtual clock are exact
TICK = 1e-3  # virtual seconds: "just before" an instant


def broadcast_app(tmp_path, database_url, scheduler=None):
    from meeting.app import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MATERIALS_DIR": str(tmp_path / "instance" / "materials"),
            "YISHI_ASYNC_MODE": "threading",
            "YISHI_BROADCAST_INTERVAL": INTERVAL,
            "YISHI_SCHEDULER": scheduler,
        }
    )


@pytest.fixture
def clock():
    return FakeClock(start=1024.0)


@pytest.fixture
def app(tmp_path, database_url, clock):
    app = broadcast_app(tmp_path, database_url, clock)
    yield app
    intake = app.extensions["yishi.intake"]
    wait_until(lambda: not intake._draining, what="the intake's last batch")  # before the engine goes
    app.extensions["yishi.engine"].dispose()


@pytest.fixture
def socketio(app):
    return app.extensions["socketio"]


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def sends(app, clock, monkeypatch):
    """Every message the broadcaster emits, as (virtual instant, event, payload)."""
    socketio = app.extensions["socketio"]
    real_emit, out = socketio.emit, []

    def recording(event, payload, **kw):
        out.append((clock(), event, payload))
        return real_emit(event, payload, **kw)

    monkeypatch.setattr(socketio, "emit", recording)
    return out


def progress_instants(sends, since=float("-inf")):
    """The instants at which counts were sent (a send emits one or two progress messages at once)."""
    return sorted({t for t, event, _ in sends if event == "progress" and t >= since})


def cid() -> str:
    return "b" + uuid.uuid4().hex


def progress_of(client):
    return [m["args"][0] for m in client.get_received() if m["name"] == "progress"]


def projector(app, socketio, meeting_id):
    with app.app_context(), unit_of_work() as s:
        token = issue(s, STAFF, meeting_id, projector=True).projector
    c = socketio.test_client(app, auth={"token": token})
    assert c.is_connected()
    return c


def settle(clock, *clients):
    """The messages of connecting (the secretary's roster, coalesced) go; the clients are drained."""
    clock.advance(3 * INTERVAL)
    assert clock.pending() == []
    for c in clients:
        c.get_received()


def intake_idle(app):
    intake = app.extensions["yishi.intake"]
    wait_until(lambda: not intake._draining, what="the opinion intake's batch committed")


def opine(app, voter, item, stance="agree", **extra):
    """A member's opinion through the socket, acknowledged; returns once the intake has finished the batch (its
    drainer runs on a real thread, and whether it is still writing decides whether counts are held)."""
    ack = voter.emit(
        "give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": stance, **extra}, callback=True
    )
    assert ack["ok"] is True, ack
    intake_idle(app)
    return ack


def test_interval_is_configured(app, socketio, factory, clock):
    """The configured interval (not the default 0.15 s) is what spaces the room's messages: a change is sent
    exactly one interval after it, not before."""
    broadcaster = app.extensions["yishi.broadcaster"]
    assert broadcaster.interval == INTERVAL and broadcaster.scheduler is clock
    _, _ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher)
    broadcaster.after(factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    assert clock.pending() == [INTERVAL]
    clock.advance(INTERVAL - TICK)
    assert watcher.get_received() == []
    clock.advance(TICK)
    assert [x["name"] for x in watcher.get_received()] == ["state"]


def test_burst_of_opinions_is_coalesced(app, socketio, factory, clock, sends):
    """20 opinions, one every quarter interval: 20 acknowledgements, far fewer progress messages — never two
    within an interval — the last one complete."""
    _, ids, m, item = factory.running(21, 21)
    toks = factory.tokens(m.id)
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    assert all(v.is_connected() for v in voters)
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher, *voters)
    started = clock()

    acks = []
    for v in voters:
        acks.append(opine(app, v, item))
        clock.advance(INTERVAL / 4)
    assert all(a["duplicate"] is False for a in acks)
    with app.app_context(), read_only() as s:
        assert len(s.exec(select(Opinion).where(Opinion.item_id == item.id)).all()) == 20

    clock.advance(3 * INTERVAL)
    prog = progress_of(watcher)
    instants = progress_instants(sends, started)
    assert len(prog) == len(instants) and 1 <= len(prog) <= 6  # 20 opinions over 5 intervals
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(instants))
    assert prog[-1]["spoken"] == 20 and prog[-1]["waiting"] == 0 and prog[-1]["chair_may_speak"] is True
    assert [p["spoken"] for p in prog] == sorted(p["spoken"] for p in prog)


def test_progress_waits_for_the_interval(app, socketio, factory, clock):
    """The voter is acknowledged at once; the room hears about it only after the interval — exactly then."""
    _, ids, m, item = factory.running(5, 5)
    voter = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher, voter)
    opine(app, voter, item)
    assert progress_of(watcher) == []  # acknowledged, the room not told yet
    clock.advance(INTERVAL - TICK)
    assert progress_of(watcher) == []
    clock.advance(TICK)
    prog = progress_of(watcher)
    assert len(prog) == 1 and prog[0]["spoken"] == 1
    clock.advance(3 * INTERVAL)
    assert progress_of(watcher) == []


def test_an_opinion_the_last_progress_missed_is_due_an_interval_after_it(app, factory, clock, monkeypatch):
    """An opinion written in a batch arrived before its commit — perhaps before a progress went out that could
    not count it. It is then due one interval after that progress, not one interval after the commit (a burst's
    last batch would otherwise reach the screens up to a whole interval late). An opinion written at once is
    due one interval after it; an overdue one goes at once; never two progress messages within an interval."""
    _, _, m, _ = factory.running(5, 5)
    broadcaster = app.extensions["yishi.broadcaster"]
    delays: list[float] = []
    monkeypatch.setattr(broadcaster, "_coalesce", lambda kind, meeting_id, send, delay=None: delays.append(delay))

    broadcaster.progress_changed(m.id)  # written at once, nothing sent yet: one interval from now
    assert delays.pop() == INTERVAL

    with app.app_context():
        broadcaster.send_progress(m.id)  # a progress goes out
    sent = clock()
    clock.advance(0.0625)  # a batch is written meanwhile
    broadcaster.progress_changed(m.id, arrived=sent - 0.125)  # it arrived before that progress
    # due an interval after the progress it missed (no sooner), not an interval after its commit
    assert delays.pop() == INTERVAL - 0.0625 and delays == []

    committed = clock()
    clock.advance(INTERVAL)
    broadcaster.progress_changed(m.id, arrived=committed)  # its interval has passed: at once
    assert delays.pop() == 0.0


def test_a_send_is_due_from_when_it_was_scheduled_not_from_when_its_task_first_ran(app, factory, clock):
    """On a busy server a background task may first run a good while after it was started (the tasks already
    waiting run first: a burst's acknowledgements, the next batch). The coalesced send must then go out at the
    instant fixed when it was scheduled, not wait its whole interval again. The broadcaster fixes the instant;
    the production scheduler (real background tasks, here started late on the virtual clock) keeps it."""
    from meeting.broadcast import RealTime

    _, _, m, _ = factory.running(5, 5)
    broadcaster = app.extensions["yishi.broadcaster"]
    scheduled = clock()
    broadcaster.state_changed(m.id)
    assert clock.pending() == [INTERVAL]  # the instant is fixed when it is scheduled

    slept, ran = [], []

    class LateTasks:  # Socket.IO's background tasks on a busy server: each first runs ``busy`` seconds late
        busy = 0.0

        def start_background_task(self, fn, *args):
            clock.spend(self.busy)
            fn(*args)

        def sleep(self, seconds):
            slept.append(seconds)
            clock.spend(seconds)

    tasks = LateTasks()
    real_time = RealTime(tasks, clock=clock)
    for busy in (0.125, INTERVAL + 0.5):  # late within the interval; late past it
        tasks.busy, scheduled = busy, clock()
        real_time.call_at(scheduled + INTERVAL, lambda: ran.append(clock()))
        assert ran.pop() == max(scheduled + INTERVAL, scheduled + busy)
        assert slept.pop() == max(0.0, INTERVAL - busy)


def test_full_view_gets_coalesced_opinions_too(app, socketio, factory, clock):
    """The secretary's/chair's progress carries every opinion in the window, in order given."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    settle(clock, chair, *voters)
    for i, v in enumerate(voters):
        opine(app, v, item, "defer", reason=f"理由{i}")
        clock.advance(INTERVAL / 8)
    clock.advance(INTERVAL)
    prog = progress_of(chair)
    assert len(prog) == 1  # five opinions within one interval: one message
    assert [o["reason"] for o in prog[-1]["opinions"]] == [f"理由{i}" for i in range(5)]
    assert prog[-1]["chair_may_speak"] is True


def slowed_list(monkeypatch, clock, seconds):
    """Make building the detailed list slow, as it is in a big plenary: it takes ``seconds`` of virtual time, and
    the room is treated as one beyond the size that always gets its list with the counts."""
    from meeting import broadcast

    real_progress = broadcast.progress
    monkeypatch.setattr(broadcast, "DETAIL_INLINE_MAX_SEATS", 0)

    def slow_list(s, meeting_id, *, detail=False, zone="Asia/Shanghai"):
        def decide(eligible):
            chosen = detail if isinstance(detail, bool) else detail(eligible)
            if chosen:
                clock.spend(seconds)
            return chosen

        return real_progress(s, meeting_id, detail=decide, zone=zone)

    monkeypatch.setattr(broadcast, "progress", slow_list)


def test_in_a_big_room_the_detailed_list_follows_the_counts(app, socketio, factory, clock, monkeypatch):
    """Where the detailed list is dear to build (a big plenary; here made slow on purpose), each tick sends the
    counts to every screen, the chair's and secretary's included, and the list follows once, spaced by twenty
    times what it cost last, complete: a burst's counts do not wait for the list."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    settle(clock, chair, *voters)
    slowed_list(monkeypatch, clock, 0.03125)  # 20 × that: a spacing of 0.625 s
    broadcaster = app.extensions["yishi.broadcaster"]
    with app.app_context():
        broadcaster.send_progress(m.id)  # a small room: the list goes with the counts, and its cost is learnt
    assert "opinions" in progress_of(chair)[-1]
    assert broadcaster._cost[("detail", m.id)] == pytest.approx(0.03125)
    for c in voters:
        c.get_received()

    for v in voters:
        opine(app, v, item)
    clock.advance(INTERVAL)  # the counts: one interval after the first opinion
    counts = progress_of(chair)
    assert len(counts) == 1 and counts[0]["spoken"] == 5 and counts[0]["chair_may_speak"] is True
    assert "opinions" not in counts[0]
    assert progress_of(voters[0])[-1]["spoken"] == 5
    clock.advance(20 * 0.03125 - TICK)
    assert progress_of(chair) == []  # the list waits its spacing
    clock.advance(TICK)
    lists = progress_of(chair)
    assert len(lists) == 1 and len(lists[0]["opinions"]) == 5 and lists[0]["not_spoken"][0]["is_chair"] is True
    clock.advance(4 * INTERVAL)
    assert progress_of(chair) == []  # once


def test_a_small_room_gets_its_list_with_the_counts_even_after_a_stall(app, socketio, factory, clock, monkeypatch):
    """The secretary of a nine-member body never sees "8 / 9" above a list of one name: a list that once took long
    to build (the machine stalled) does not put a small room's list behind its counts."""
    _, ids, m, item = factory.running(9, 9)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    settle(clock, chair, *voters)
    broadcaster = app.extensions["yishi.broadcaster"]
    broadcaster._cost[("detail", m.id)] = 2.0  # a stall: 20 × that would space the list 40 s apart
    for i, v in enumerate(voters):
        opine(app, v, item)
        clock.advance(INTERVAL)
        prog = progress_of(chair)
        assert prog, f"no progress after opinion {i + 1}"
        assert prog[-1]["spoken"] == i + 1
        assert len(prog[-1]["opinions"]) == i + 1  # the names with the count, every time


def test_a_big_room_gets_counts_first_before_its_list_was_ever_built(app, socketio, factory, clock, monkeypatch):
    """Before the list has been built for a meeting its cost is expected from the room's size: a room expected
    to be dear (here: a cost per member as if it had thousands) gets the counts on the first tick, the list
    after them."""
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.005)  # 20 × 5 ms × 5 eligible: 0.5 s spacing

    monkeypatch.setattr(broadcast, "DETAIL_INLINE_MAX_SEATS", 0)  # as if a big room
    _, ids, m, item = factory.running(5, 5)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voter = socketio.test_client(app, auth={"token": toks[ids[1]]})
    settle(clock, chair, voter)
    opine(app, voter, item)
    clock.advance(INTERVAL)
    first = progress_of(chair)
    assert len(first) == 1 and first[0]["spoken"] == 1 and "opinions" not in first[0]
    clock.advance(0.5 - TICK)
    assert progress_of(chair) == []
    clock.advance(TICK)
    later = progress_of(chair)
    assert len(later) == 1 and [o["person_id"] for o in later[0]["opinions"]] == [ids[1]]


def chair_and_voters(app, socketio, factory, clock, n):
    """A room of ``n`` present members with the item open: the chair's tablet (drained) and the others'."""
    _, ids, m, item = factory.running(n, n)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    settle(clock, chair, *voters)
    return ids, item, chair, voters


def stream_opinions(app, clock, chair, voters, item, gap):
    """Each voter in turn gives an opinion, ``gap`` virtual seconds apart; returns when the stream started and
    ended and, for each progress the chair got meanwhile, (seconds since the first opinion, whether it carried
    the list). A progress is placed at the end of the gap it came in: at most ``gap`` late."""
    seen = []
    started = clock()
    for v in voters:
        opine(app, v, item)
        clock.advance(gap)
        seen += [(clock() - started, "opinions" in p) for p in progress_of(chair)]
    return started, clock() - started, seen


def until_quiet(clock, chair, started, step):
    """Virtual time runs on, ``step`` at a time, until nothing is scheduled: what the chair got meanwhile."""
    seen = []
    while clock.pending():
        assert clock() - started < 60, "the broadcaster never went quiet"
        clock.advance(step)
        seen += [(clock() - started, p) for p in progress_of(chair)]
    return seen


def test_the_detailed_list_waits_for_a_burst_to_end(app, socketio, factory, clock, monkeypatch):
    """Opinions keep coming (one every half interval): the counts keep moving, the list waits past its spacing
    until they stop, then follows with every opinion in it."""
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)  # 20 × 2 ms × 12 eligible: ≈ 0.5 s spacing

    monkeypatch.setattr(broadcast, "DETAIL_INLINE_MAX_SEATS", 0)  # as if a big room
    _ids, item, chair, voters = chair_and_voters(app, socketio, factory, clock, 12)
    started, ended, seen = stream_opinions(app, clock, chair, voters, item, INTERVAL / 2)  # 1.375 s of opinions
    assert ended == 11 * INTERVAL / 2
    after = until_quiet(clock, chair, started, INTERVAL / 8)
    seen += [(t, "opinions" in p) for t, p in after]
    counts = [t for t, has_list in seen if not has_list]
    assert len([t for t in counts if t <= ended]) >= 4  # the counts moved all along
    lists = [t for t, has_list in seen if has_list]
    assert len(lists) == 1 and lists[0] > ended and lists[0] > counts[0] + 0.48  # past its spacing, after the stream
    with app.app_context(), read_only() as s:
        assert len(s.exec(select(Opinion)).all()) == 11


def test_a_held_list_comes_within_the_bound_while_a_burst_goes_on(app, socketio, factory, clock, monkeypatch):
    """A steady stream that does not end: the list comes at most DETAIL_MAX_HOLD after it was due."""
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)  # 20 × 2 ms × 24 eligible: 0.96 s spacing

    monkeypatch.setattr(broadcast, "DETAIL_INLINE_MAX_SEATS", 0)  # as if a big room
    monkeypatch.setattr(broadcast, "DETAIL_MAX_HOLD", 0.5)
    _ids, item, chair, voters = chair_and_voters(app, socketio, factory, clock, 24)
    gap = INTERVAL / 2
    _, ended, seen = stream_opinions(app, clock, chair, voters, item, gap)  # 2.875 s of opinions
    first_counts = min(t for t, has_list in seen if not has_list)
    lists = [t for t, has_list in seen if has_list]
    assert lists, "the list came only after the stream"
    # due its spacing after the first counts; held while they keep coming, at most the bound (the hold looks
    # again an interval at a time); seen at the end of the gap it came in; before the stream ended
    assert first_counts - gap + 0.96 <= lists[0] <= first_counts + 0.96 + 0.5 + INTERVAL + gap
    assert lists[0] > first_counts + 0.96 and lists[0] < ended  # it did wait (held), and not for the end


def test_the_list_held_back_is_complete_when_it_comes(app, socketio, factory, clock, monkeypatch):
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)

    monkeypatch.setattr(broadcast, "DETAIL_INLINE_MAX_SEATS", 0)  # as if a big room
    ids, item, chair, voters = chair_and_voters(app, socketio, factory, clock, 12)
    started, _, _ = stream_opinions(app, clock, chair, voters, item, INTERVAL / 2)
    lists = [p for _, p in until_quiet(clock, chair, started, INTERVAL / 8) if "opinions" in p]
    assert len(lists) == 1 and len(lists[0]["opinions"]) == 11 and lists[0]["chair_may_speak"] is True
    assert [x["person_id"] for x in lists[0]["not_spoken"]] == [ids[0]]


def watched_room(app, socketio, factory, clock):
    """A running five-member meeting watched by a projector, once the messages of its setting up have gone:
    (member ids, the chair first; meeting; item; the projector's client; the broadcaster)."""
    _, ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher)
    return ids, m, item, watcher, app.extensions["yishi.broadcaster"]


def give(factory, m, item, chair, voters):
    """Members' opinions stored as the intake would; the room is told by the caller."""
    for p in voters:
        factory.act(
            "give_opinion",
            m.id,
            {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
            actor=factory.seat_actor(m.id, p, chair),
        )


def told_written(app, broadcaster, m, voters, backlog=0, arrived=None):
    from meeting.room import Outcome

    with app.app_context():
        broadcaster.opinions_written(
            m.id,
            [Outcome(m.id, ack={}, broadcast="progress", opinion={"version": 1}) for _ in voters],
            broadcaster.clock() if arrived is None else arrived,
            backlog,
        )


def test_counts_of_a_burst_are_spaced_by_their_cost_and_the_last_is_not(app, socketio, factory, clock):
    """Where the counts are dear to send (here made to cost 100 ms: spaced by two seconds), a batch with more
    queued behind it, or with members still to speak, is told at that spacing; the batch that completes the
    round brings the pending send forward to one interval after the last, and it goes once."""
    from meeting.room import Outcome

    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    chair = ids[0]

    def written(voters, backlog):
        give(factory, m, item, chair, voters)
        watcher.get_received()
        broadcaster._cost[("progress", m.id)] = 0.1
        told_written(app, broadcaster, m, voters, backlog)

    with app.app_context():
        broadcaster.send_progress(m.id)  # the last counts sent: now
    last = clock()
    watcher.get_received()
    written([ids[1]], backlog=3)
    assert clock.pending() == [2.0]  # spaced two seconds from the last
    clock.advance(3 * INTERVAL)
    assert progress_of(watcher) == []
    written([ids[2]], backlog=0)  # nothing queued, but two members have not spoken
    clock.advance(2 * INTERVAL)
    assert progress_of(watcher) == []
    with app.app_context():  # a correction is not a new voice
        broadcaster.opinions_written(
            m.id, [Outcome(m.id, ack={}, broadcast="progress", opinion={"version": 2})], clock(), 0
        )
    clock.advance(INTERVAL)
    assert progress_of(watcher) == [] and clock() - last < 2.0
    written([ids[3], ids[4]], backlog=0)  # the round is complete: the chair may speak — past its interval: now
    clock.advance(0)
    sent = progress_of(watcher)
    assert len(sent) == 1 and sent[0]["spoken"] == 4 and sent[0]["chair_may_speak"] is True
    clock.advance(2.5)
    assert progress_of(watcher) == []  # the send it replaced does not go as well


def test_a_big_rooms_first_counts_are_spaced_before_their_cost_is_known(app, socketio, factory, clock, monkeypatch):
    """Before the counts have been sent for a meeting, their cost is expected from its size (here: as if each
    member cost 20 ms, so 20 × 0.02 × 5 eligible: 2 s)."""
    from meeting import broadcast
    from meeting.room import Outcome

    monkeypatch.setattr(broadcast, "PROGRESS_COST_PER_SEAT", 0.02)
    _ids, m, _item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    assert ("progress", m.id) not in broadcaster._cost
    with app.app_context():
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress")], clock(), 0)
    clock.advance(2.0 - TICK)
    assert progress_of(watcher) == []  # a member has not spoken: spaced
    clock.advance(TICK)
    assert len(progress_of(watcher)) == 1  # due two seconds after the opinion


def test_counts_wait_while_a_burst_is_being_written_at_most_the_bound(app, socketio, factory, clock, monkeypatch):
    """Counts that come due while the intake is still writing opinions and members are still to speak are put
    off an interval at a time, at most ``PROGRESS_MAX_HOLD`` (here 1 s) from when they were first due."""
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "PROGRESS_MAX_HOLD", 1.0)
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    monkeypatch.setattr(broadcaster, "writing", lambda meeting_id: meeting_id == m.id)
    give(factory, m, item, ids[0], ids[1:2])
    told_written(app, broadcaster, m, ids[1:2])
    clock.advance(INTERVAL + 1.0 - TICK)
    assert progress_of(watcher) == []  # due at one interval, held since
    clock.advance(TICK)
    assert len(progress_of(watcher)) == 1  # the bound reached: sent, though the burst goes on


def test_counts_are_not_held_when_nothing_is_being_written(app, socketio, factory, clock):
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    give(factory, m, item, ids[0], ids[1:2])
    told_written(app, broadcaster, m, ids[1:2])
    clock.advance(INTERVAL - TICK)
    assert progress_of(watcher) == []
    clock.advance(TICK)
    assert len(progress_of(watcher)) == 1  # held, it would wait PROGRESS_MAX_HOLD


def test_the_batch_completing_a_held_round_sends_the_counts_at_once(app, socketio, factory, clock, monkeypatch):
    """The counts wait for a burst; the batch that completes the round (the chair may speak) sends them at once,
    complete, and once. The interval is a second here, so that "at once" stands well apart from the held send's
    next look (one interval after it was put off)."""
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    monkeypatch.setattr(broadcaster, "interval", 1.0)
    monkeypatch.setattr(broadcaster, "writing", lambda meeting_id: True)  # the drainer is still looping
    give(factory, m, item, ids[0], ids[1:3])
    told_written(app, broadcaster, m, ids[1:3])
    clock.advance(1.25)
    assert progress_of(watcher) == []  # due after one interval, held: two members still to speak
    assert clock.pending() == [0.75]  # its next look
    give(factory, m, item, ids[0], ids[3:5])
    told_written(app, broadcaster, m, ids[3:5])
    clock.advance(0)
    sent = progress_of(watcher)
    assert len(sent) == 1 and sent[0]["spoken"] == 4 and sent[0]["chair_may_speak"] is True
    clock.advance(1.5)
    assert progress_of(watcher) == []  # the held send it replaced does not go as well


def test_a_round_completed_within_the_interval_is_told_an_interval_after_its_first_opinion(
    app, socketio, factory, clock
):
    """Coalescing still holds for a quick round: its counts go one interval after its first opinion arrived."""
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    give(factory, m, item, ids[0], ids[1:5])
    first = clock()
    told_written(app, broadcaster, m, ids[1:3], backlog=2, arrived=first)
    clock.advance(INTERVAL / 2)
    told_written(app, broadcaster, m, ids[3:5])  # completes it
    clock.advance(INTERVAL / 2 - TICK)
    assert progress_of(watcher) == []
    clock.advance(TICK)
    sent = progress_of(watcher)
    assert len(sent) == 1 and sent[0]["spoken"] == 4


def test_where_counts_are_cheap_a_batch_keeps_the_interval(app, socketio, factory, clock):
    from meeting.room import Outcome

    _ids, m, _item, watcher, broadcaster = watched_room(app, socketio, factory, clock)
    broadcaster._cost[("progress", m.id)] = 0.001  # 20 ms: under the interval
    with app.app_context():
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress")], clock(), 10)
    clock.advance(INTERVAL - TICK)
    assert progress_of(watcher) == []
    clock.advance(TICK)
    assert len(progress_of(watcher)) == 1  # at the interval, though ten more are queued


def test_separate_meetings_are_coalesced_separately(app, socketio, factory, clock):
    _, ids_a, ma, item_a = factory.running(5, 5)
    _, ids_b, mb, item_b = factory.running(5, 5)
    va = socketio.test_client(app, auth={"token": factory.tokens(ma.id)[ids_a[1]]})
    vb = socketio.test_client(app, auth={"token": factory.tokens(mb.id)[ids_b[1]]})
    wa, wb = projector(app, socketio, ma.id), projector(app, socketio, mb.id)
    settle(clock, wa, wb, va, vb)
    opine(app, va, item_a)
    clock.advance(INTERVAL / 2)
    opine(app, vb, item_b)
    clock.advance(INTERVAL / 2)  # a's interval has passed, b's not: each on its own
    assert [p["item_id"] for p in progress_of(wa)] == [item_a.id] and progress_of(wb) == []
    clock.advance(INTERVAL / 2)
    assert [p["item_id"] for p in progress_of(wb)] == [item_b.id] and progress_of(wa) == []


def test_state_changes_are_still_delivered(app, socketio, factory, clock):
    """Non-opinion changes go out through a background task too; none is lost."""
    _, _ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher)
    factory.app.extensions["yishi.broadcaster"].after(
        factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"})
    )
    clock.advance(INTERVAL)
    states = [x["args"][0] for x in watcher.get_received() if x["name"] == "state"]
    assert states and states[-1]["last_closed"]["result"] == "deferred"


def test_an_older_state_never_arrives_after_a_newer_one(app, socketio, factory, clock, monkeypatch):
    """Two state deliveries race: the first reads the room, is slow to send (a big roster), and meanwhile the
    item is deferred and a second delivery starts. Screens must end on the newer state, not the older."""
    from meeting import broadcast

    _, _ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    settle(clock, watcher)

    real_build, calls = broadcast.build, []
    read_done, release = threading.Event(), threading.Event()

    def slow_after_first_read(*args, **kwargs):
        state = real_build(*args, **kwargs)
        calls.append(args[2])
        if len(calls) == len(broadcast.VIEWS):  # the first delivery has read every view: hold it here
            read_done.set()
            release.wait(30)
        return state

    broadcaster = app.extensions["yishi.broadcaster"]
    emit_lock, second_waits = broadcaster._emit_lock, threading.Event()

    class WatchedLock:  # tells when a second delivery reaches the read-then-emit step
        def __enter__(self):
            if read_done.is_set():
                second_waits.set()
            return emit_lock.__enter__()

        def __exit__(self, *exc):
            return emit_lock.__exit__(*exc)

    monkeypatch.setattr(broadcaster, "_emit_lock", WatchedLock())
    monkeypatch.setattr(broadcast, "build", slow_after_first_read)
    with app.app_context():
        broadcaster.state_changed(m.id)
    first = threading.Thread(target=clock.advance, args=(INTERVAL,))  # two background tasks, on two threads
    first.start()
    assert read_done.wait(30)
    broadcaster.after(factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    second = threading.Thread(target=clock.advance, args=(INTERVAL,))
    second.start()
    assert second_waits.wait(30)  # the second delivery has started, while the first still holds the room's read
    release.set()
    first.join(30), second.join(30)
    assert not first.is_alive() and not second.is_alive()
    states = [x["args"][0] for x in watcher.get_received() if x["name"] == "state"]
    assert len(states) == 2, "both deliveries arrive"
    assert states[-1]["current"] is None and states[-1]["last_closed"]["result"] == "deferred"
    assert states[0]["current"] is not None  # the older one first


def test_connecting_tablets_share_one_member_view_until_the_room_changes(app, socketio, factory, monkeypatch):
    """A connect storm builds the member view once, not once per tablet; any change voids the shared copy."""
    from meeting import broadcast

    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    built, real_build = [], broadcast.build

    def counting(s, meeting_id, view, zone="Asia/Shanghai"):
        built.append(view)
        return real_build(s, meeting_id, view, zone)

    monkeypatch.setattr(broadcast, "build", counting)
    first = socketio.test_client(app, auth={"token": toks[ids[1]]})
    second = socketio.test_client(app, auth={"token": toks[ids[2]]})
    snaps = [next(x["args"][0] for x in c.get_received() if x["name"] == "snapshot") for c in (first, second)]
    assert built.count("member") == 1
    assert snaps[0]["state"] == snaps[1]["state"] and snaps[0]["me"] != snaps[1]["me"]

    app.extensions["yishi.broadcaster"].after(factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    third = socketio.test_client(app, auth={"token": toks[ids[3]]})
    snap = next(x["args"][0] for x in third.get_received() if x["name"] == "snapshot")
    assert snap["state"]["current"] is None and snap["state"]["last_closed"]["result"] == "deferred"


def test_snapshots_are_not_shared_between_workers(app, socketio):
    """With a message queue, other workers change the room without telling this one: no shared copies."""
    from types import SimpleNamespace

    from meeting.broadcast import Broadcaster

    config = dict(app.config, SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:6379/0")
    assert Broadcaster(SimpleNamespace(config=config), socketio).share_snapshots is False
    assert app.extensions["yishi.broadcaster"].share_snapshots is True


def test_a_tablet_coming_only_rebuilds_the_secretarys_roster(app, socketio, factory, clock):
    """Who is connected shows only in the full view: the projector and other tablets are not sent a new state."""
    _, ids, m, _item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})  # the head chairs: the full view
    other = socketio.test_client(app, auth={"token": toks[ids[1]]})
    watcher = projector(app, socketio, m.id)
    settle(clock, chair, other, watcher)
    socketio.test_client(app, auth={"token": toks[ids[2]]})
    clock.advance(3 * INTERVAL)
    assert [x["name"] for x in watcher.get_received()] == []
    assert [x["name"] for x in other.get_received()] == []
    states = [x["args"][0] for x in chair.get_received() if x["name"] == "state"]
    assert states and states[-1]["view"] == "full"
    assert next(r for r in states[-1]["roster"] if r["person_id"] == ids[2])["connected"] is True


# -- the production wiring: monotonic time and real background tasks (waits a slow machine can only lengthen)


@pytest.fixture
def real_app(tmp_path, database_url):
    app = broadcast_app(tmp_path, database_url)
    yield app
    broadcaster, intake = app.extensions["yishi.broadcaster"], app.extensions["yishi.intake"]
    wait_until(lambda: not broadcaster._pending and not intake._draining, what="the last send")
    app.extensions["yishi.engine"].dispose()


def test_in_production_the_room_is_told_by_a_background_task_an_interval_after_the_opinion(real_app):
    """Without a scheduler configured, the broadcaster and the intake keep one clock, ``time.monotonic``, and a
    coalesced send is a real background task: the voter is acknowledged, the room told once, never sooner than
    an interval after the opinion arrived."""
    from meeting.broadcast import RealTime

    app, socketio, factory = real_app, real_app.extensions["socketio"], Factory(real_app)
    broadcaster, intake = app.extensions["yishi.broadcaster"], app.extensions["yishi.intake"]
    assert isinstance(broadcaster.scheduler, RealTime) and broadcaster.clock is time.monotonic
    assert intake.clock is broadcaster.clock
    _, ids, m, item = factory.running(5, 5)
    voter = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    watcher = projector(app, socketio, m.id)
    wait_until(lambda: not broadcaster._pending, what="the messages of connecting")
    watcher.get_received()

    before = time.monotonic()
    opine(app, voter, item)
    prog = wait_until(lambda: progress_of(watcher), what="the room's progress")
    assert time.monotonic() - before >= INTERVAL
    assert len(prog) == 1 and prog[0]["spoken"] == 1
    wait_until(lambda: not broadcaster._pending, what="nothing more scheduled")
    assert progress_of(watcher) == []  # told once
