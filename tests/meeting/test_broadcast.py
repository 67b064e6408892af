"""Coalesced broadcasts: the voter is acknowledged at once, the room gets progress at most once per
``YISHI_BROADCAST_INTERVAL``. These tests build their own app with a real interval (0.2 s) in threading mode."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlmodel import select

from meeting.db import read_only, unit_of_work
from meeting.models import Opinion
from meeting.tokens import issue
from tests.factories import STAFF, Factory

INTERVAL = 0.2


@pytest.fixture
def app(tmp_path, database_url):
    from meeting.app import create_app

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MATERIALS_DIR": str(tmp_path / "instance" / "materials"),
        "YISHI_ASYNC_MODE": "threading",
        "YISHI_BROADCAST_INTERVAL": INTERVAL,
    })
    yield app
    time.sleep(3 * INTERVAL)  # let any pending flush finish before the engine goes
    app.extensions["yishi.engine"].dispose()


@pytest.fixture
def socketio(app):
    return app.extensions["socketio"]


@pytest.fixture
def factory(app):
    return Factory(app)


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


def test_interval_is_configured(app):
    assert app.extensions["yishi.broadcaster"].interval == INTERVAL


def test_burst_of_opinions_is_coalesced(app, socketio, factory):
    """20 opinions in quick succession: 20 acknowledgements, far fewer progress messages, the last one complete."""
    _, ids, m, item = factory.running(21, 21)
    toks = factory.tokens(m.id)
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    assert all(v.is_connected() for v in voters)
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)  # connection-time state pushes settle
    for c in (watcher, *voters):
        c.get_received()

    started = time.monotonic()
    acks = [v.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                   callback=True) for v in voters]
    burst = time.monotonic() - started
    assert len(acks) == 20
    assert all(a["ok"] is True and a["duplicate"] is False for a in acks)
    with app.app_context(), read_only() as s:
        assert len(s.exec(select(Opinion).where(Opinion.item_id == item.id)).all()) == 20

    time.sleep(3 * INTERVAL)
    prog = progress_of(watcher)
    print(f"burst of 20 opinions took {burst:.3f}s; {len(prog)} progress messages")
    assert 1 <= len(prog) <= 5, f"{len(prog)} progress messages for 20 opinions in {burst:.3f}s"
    assert prog[-1]["spoken"] == 20 and prog[-1]["waiting"] == 0 and prog[-1]["chair_may_speak"] is True
    assert [p["spoken"] for p in prog] == sorted(p["spoken"] for p in prog)


def test_progress_waits_for_the_interval(app, socketio, factory):
    """The voter is acknowledged at once; the room hears about it only after the interval."""
    _, ids, m, item = factory.running(5, 5)
    voter = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)
    watcher.get_received()
    ack = voter.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                     callback=True)
    acked = time.monotonic()
    assert ack["ok"] is True
    early = progress_of(watcher)
    # not yet: the coalescing window is still open (unless this machine stalled for a whole interval)
    assert early == [] or time.monotonic() - acked >= INTERVAL
    time.sleep(3 * INTERVAL)
    prog = early + progress_of(watcher)
    assert len(prog) == 1 and prog[0]["spoken"] == 1


def test_an_opinion_the_last_progress_missed_is_due_an_interval_after_it(app, factory, monkeypatch):
    """An opinion written in a batch arrived before its commit — perhaps before a progress went out that could
    not count it. It is then due one interval after that progress, not one interval after the commit (a burst's
    last batch would otherwise reach the screens up to a whole interval late). An opinion written at once is
    due one interval after it; an overdue one goes at once; never two progress messages within an interval."""
    _, _, m, _ = factory.running(5, 5)
    broadcaster = app.extensions["yishi.broadcaster"]
    delays: list[float] = []
    monkeypatch.setattr(broadcaster, "_coalesce", lambda kind, meeting_id, send, delay=None: delays.append(delay))

    broadcaster.progress_changed(m.id)  # written at once, nothing sent yet: one interval from now
    assert delays.pop() == pytest.approx(INTERVAL, abs=0.01)

    before = time.monotonic()
    with app.app_context():
        broadcaster.send_progress(m.id)  # a progress goes out
    sent = time.monotonic()
    time.sleep(0.05)  # a batch is written meanwhile
    committed = time.monotonic()
    broadcaster.progress_changed(m.id, arrived=sent - 0.1)  # it arrived before that progress
    delay = delays.pop()
    # due an interval after the progress it missed (no sooner), not an interval after its commit
    assert before + INTERVAL <= time.monotonic() + delay and committed + delay <= sent + INTERVAL
    assert delay < INTERVAL - 0.03

    time.sleep(INTERVAL)
    broadcaster.progress_changed(m.id, arrived=committed)  # its interval has passed: at once
    assert delays.pop() == 0.0


def test_a_send_is_due_from_when_it_was_scheduled_not_from_when_its_task_first_ran(app, factory, monkeypatch):
    """On a busy server a background task may first run a good while after it was started (the tasks already
    waiting run first: a burst's acknowledgements, the next batch). The coalesced send must then go out at the
    instant fixed when it was scheduled, not wait its whole interval again."""
    _, _, m, _ = factory.running(5, 5)
    broadcaster = app.extensions["yishi.broadcaster"]
    sent: list[float] = []
    monkeypatch.setattr(broadcaster, "send_state", lambda meeting_id: sent.append(time.monotonic()))
    start_task = broadcaster.socketio.start_background_task
    busy = 0.15

    def started_late(fn, *args):
        def late():
            time.sleep(busy)
            fn(*args)
        return start_task(late)

    monkeypatch.setattr(broadcaster.socketio, "start_background_task", started_late)
    scheduled = time.monotonic()
    broadcaster.state_changed(m.id)
    time.sleep(busy + 3 * INTERVAL)
    assert len(sent) == 1
    assert INTERVAL - 0.01 <= sent[0] - scheduled < INTERVAL + busy - 0.05


def test_full_view_gets_coalesced_opinions_too(app, socketio, factory):
    """The secretary's/chair's progress carries every opinion in the window, in order given."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    time.sleep(3 * INTERVAL)
    chair.get_received()
    for i, v in enumerate(voters):
        assert v.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "defer",
                                       "reason": f"理由{i}"}, callback=True)["ok"] is True
    time.sleep(3 * INTERVAL)
    prog = progress_of(chair)
    assert 1 <= len(prog) <= 3
    assert [o["reason"] for o in prog[-1]["opinions"]] == [f"理由{i}" for i in range(5)]
    assert prog[-1]["chair_may_speak"] is True


def slowed_list(monkeypatch, seconds):
    """Make building the detailed list slow, as it is in a big plenary."""
    import meeting.broadcast as broadcast

    real_progress = broadcast.progress

    def slow_list(s, meeting_id, *, detail=False, zone="Asia/Shanghai"):
        def decide(eligible):
            chosen = detail if isinstance(detail, bool) else detail(eligible)
            if chosen:
                time.sleep(seconds)
            return chosen

        return real_progress(s, meeting_id, detail=decide, zone=zone)

    monkeypatch.setattr(broadcast, "progress", slow_list)


def test_in_a_big_room_the_detailed_list_follows_the_counts(app, socketio, factory, monkeypatch):
    """Where the detailed list is dear to build (a big plenary; here made slow on purpose), each tick sends the
    counts to every screen, the chair's and secretary's included, and the list follows once, spaced by twenty
    times what it cost last, complete: a burst's counts do not wait for the list."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    slowed_list(monkeypatch, 0.02)
    broadcaster = app.extensions["yishi.broadcaster"]
    with app.app_context():
        broadcaster.send_progress(m.id)  # a small room: the list goes with the counts, and its cost is learnt
    time.sleep(3 * INTERVAL)
    assert "opinions" in progress_of(chair)[-1]
    for c in (chair, *voters):
        c.get_received()

    for v in voters:
        assert v.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                      callback=True)["ok"] is True
    time.sleep(2 * INTERVAL)
    counts = progress_of(chair)
    assert counts and counts[-1]["spoken"] == 5 and counts[-1]["chair_may_speak"] is True
    assert all("opinions" not in p for p in counts)
    assert progress_of(voters[0])[-1]["spoken"] == 5
    time.sleep(20 * 0.02 + 3 * INTERVAL)
    lists = progress_of(chair)
    assert len(lists) == 1 and len(lists[0]["opinions"]) == 5 and lists[0]["not_spoken"][0]["is_chair"] is True


def test_a_big_room_gets_counts_first_before_its_list_was_ever_built(app, socketio, factory, monkeypatch):
    """Before the list has been built for a meeting its cost is expected from the room's size: a room expected
    to be dear (here: a cost per member as if it had thousands) gets the counts on the first tick, the list
    after them."""
    import meeting.broadcast as broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.005)  # 20 × 5 ms × 5 eligible: 0.5 s spacing
    _, ids, m, item = factory.running(5, 5)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voter = socketio.test_client(app, auth={"token": toks[ids[1]]})
    time.sleep(3 * INTERVAL)
    chair.get_received()
    assert voter.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                      callback=True)["ok"] is True
    time.sleep(2 * INTERVAL)
    first = progress_of(chair)
    assert first and first[0]["spoken"] == 1 and all("opinions" not in p for p in first)
    time.sleep(0.5 + 2 * INTERVAL)
    later = progress_of(chair)
    assert len(later) == 1 and [o["person_id"] for o in later[0]["opinions"]] == [ids[1]]


def chair_and_voters(app, socketio, factory, n):
    """A room of ``n`` present members with the item open: the chair's tablet (drained) and the others'."""
    _, ids, m, item = factory.running(n, n)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})
    voters = [socketio.test_client(app, auth={"token": toks[p]}) for p in ids[1:]]
    time.sleep(3 * INTERVAL)
    chair.get_received()
    return ids, item, chair, voters


def stream_opinions(chair, voters, item, gap):
    """Each voter in turn gives an opinion, ``gap`` seconds apart; returns when the stream ended and, for each
    progress the chair got meanwhile, (seconds since the first opinion, whether it carried the list)."""
    seen = []
    started = time.monotonic()
    for v in voters:
        assert v.emit("give_opinion", {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                      callback=True)["ok"] is True
        seen += [(time.monotonic() - started, "opinions" in p) for p in progress_of(chair)]
        time.sleep(gap)
    return started, time.monotonic() - started, seen


def test_the_detailed_list_waits_for_a_burst_to_end(app, socketio, factory, monkeypatch):
    """Opinions keep coming (one every half interval): the counts keep moving, the list waits past its spacing
    until they stop, then follows with every opinion in it."""
    import meeting.broadcast as broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)  # 20 × 2 ms × 12 eligible: ≈ 0.5 s spacing
    ids, item, chair, voters = chair_and_voters(app, socketio, factory, 12)
    started, ended, seen = stream_opinions(chair, voters, item, INTERVAL / 2)  # ≈ 1.1 s of opinions
    assert ended > 1.0
    time.sleep(4 * INTERVAL)
    seen += [(time.monotonic() - started, "opinions" in p) for p in progress_of(chair)]
    assert len([t for t, has_list in seen if not has_list]) >= 4  # the counts moved all along
    lists = [t for t, has_list in seen if has_list]
    assert len(lists) == 1 and lists[0] > ended
    with app.app_context(), read_only() as s:
        assert len(s.exec(select(Opinion)).all()) == 11


def test_a_held_list_comes_within_the_bound_while_a_burst_goes_on(app, socketio, factory, monkeypatch):
    """A steady stream that does not end: the list comes at most DETAIL_MAX_HOLD after it was due."""
    import meeting.broadcast as broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)  # 20 × 2 ms × 24 eligible: ≈ 1 s spacing
    monkeypatch.setattr(broadcast, "DETAIL_MAX_HOLD", 0.4)
    ids, item, chair, voters = chair_and_voters(app, socketio, factory, 24)
    _, ended, seen = stream_opinions(chair, voters, item, INTERVAL / 2)  # ≈ 2.5 s of opinions
    first_counts = min(t for t, has_list in seen if not has_list)
    lists = [t for t, has_list in seen if has_list]
    assert lists, "the list came only after the stream"
    assert first_counts + 0.9 <= lists[0] < ended  # after its spacing (and a hold), before the stream ended


def test_the_list_held_back_is_complete_when_it_comes(app, socketio, factory, monkeypatch):
    import meeting.broadcast as broadcast

    monkeypatch.setattr(broadcast, "DETAIL_COST_PER_SEAT", 0.002)
    ids, item, chair, voters = chair_and_voters(app, socketio, factory, 12)
    stream_opinions(chair, voters, item, INTERVAL / 2)
    time.sleep(4 * INTERVAL)
    lists = [p for p in progress_of(chair) if "opinions" in p]
    assert len(lists) == 1 and len(lists[0]["opinions"]) == 11 and lists[0]["chair_may_speak"] is True
    assert [x["person_id"] for x in lists[0]["not_spoken"]] == [ids[0]]


def watched_room(app, socketio, factory):
    """A running five-member meeting watched by a projector, once the messages of its setting up have gone:
    (member ids, the chair first; meeting; item; the projector's client; the broadcaster)."""
    _, ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)
    watcher.get_received()
    return ids, m, item, watcher, app.extensions["yishi.broadcaster"]


def give(factory, m, item, chair, voters):
    """Members' opinions stored as the intake would; the room is told by the caller."""
    for p in voters:
        factory.act("give_opinion", m.id, {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
                    actor=factory.seat_actor(m.id, p, chair))


def told_written(app, broadcaster, m, voters, backlog=0, arrived=None):
    from meeting.room import Outcome

    with app.app_context():
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress", opinion={"version": 1})
                                            for _ in voters], time.monotonic() if arrived is None else arrived,
                                     backlog)


def test_counts_of_a_burst_are_spaced_by_their_cost_and_the_last_is_not(app, socketio, factory):
    """Where the counts are dear to send (here made to cost 100 ms: spaced by two seconds), a batch with more
    queued behind it, or with members still to speak, is told at that spacing; the batch that completes the
    round brings the pending send forward to one interval after the last, and it goes once."""
    from meeting.room import Outcome

    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    chair = ids[0]

    def written(voters, backlog):
        give(factory, m, item, chair, voters)
        watcher.get_received()
        broadcaster._cost[("progress", m.id)] = 0.1
        told_written(app, broadcaster, m, voters, backlog)

    with app.app_context():
        broadcaster.send_progress(m.id)  # the last counts sent: now
    watcher.get_received()
    written([ids[1]], backlog=3)
    time.sleep(3 * INTERVAL)
    assert progress_of(watcher) == []  # spaced two seconds from the last
    written([ids[2]], backlog=0)  # nothing queued, but two members have not spoken
    time.sleep(3 * INTERVAL)
    assert progress_of(watcher) == []
    with app.app_context():  # a correction is not a new voice
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress", opinion={"version": 2})],
                                     time.monotonic(), 0)
    time.sleep(2 * INTERVAL)
    assert progress_of(watcher) == []
    written([ids[3], ids[4]], backlog=0)  # the round is complete: the chair may speak
    time.sleep(2 * INTERVAL)
    sent = progress_of(watcher)
    assert len(sent) == 1 and sent[0]["spoken"] == 4 and sent[0]["chair_may_speak"] is True
    time.sleep(2.0)
    assert progress_of(watcher) == []  # the send it replaced does not go as well


def test_a_big_rooms_first_counts_are_spaced_before_their_cost_is_known(app, socketio, factory, monkeypatch):
    """Before the counts have been sent for a meeting, their cost is expected from its size (here: as if each
    member cost 20 ms, so 20 × 0.02 × 5 eligible: 2 s)."""
    import meeting.broadcast as broadcast
    from meeting.room import Outcome

    monkeypatch.setattr(broadcast, "PROGRESS_COST_PER_SEAT", 0.02)
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    assert ("progress", m.id) not in broadcaster._cost
    started = time.monotonic()
    with app.app_context():
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress")], started, 0)
    time.sleep(4 * INTERVAL)
    assert progress_of(watcher) == []  # a member has not spoken: spaced
    while not (sent := progress_of(watcher)):  # due two seconds after the opinion; a busy machine may be late
        assert time.monotonic() - started < 2.0 + 10 * INTERVAL
        time.sleep(0.02)
    assert time.monotonic() - started >= 2.0 and len(sent) == 1


def test_counts_wait_while_a_burst_is_being_written_at_most_the_bound(app, socketio, factory, monkeypatch):
    """Counts that come due while the intake is still writing opinions and members are still to speak are put
    off an interval at a time, at most ``PROGRESS_MAX_HOLD`` (here 1 s) from when they were first due."""
    from meeting import broadcast

    monkeypatch.setattr(broadcast, "PROGRESS_MAX_HOLD", 1.0)
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    monkeypatch.setattr(broadcaster, "writing", lambda meeting_id: meeting_id == m.id)
    give(factory, m, item, ids[0], ids[1:2])
    started = time.monotonic()
    told_written(app, broadcaster, m, ids[1:2], arrived=started)
    time.sleep(4 * INTERVAL)
    assert progress_of(watcher) == []  # due at one interval, held since
    while not progress_of(watcher):
        assert time.monotonic() - started < INTERVAL + 1.0 + 10 * INTERVAL  # due + the bound + slack
        time.sleep(0.01)
    assert time.monotonic() - started >= INTERVAL + 1.0


def test_counts_are_not_held_when_nothing_is_being_written(app, socketio, factory):
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    give(factory, m, item, ids[0], ids[1:2])
    started = time.monotonic()
    told_written(app, broadcaster, m, ids[1:2], arrived=started)
    while not progress_of(watcher):
        assert time.monotonic() - started < 1.0  # held, it would wait PROGRESS_MAX_HOLD
        time.sleep(0.01)


def test_the_batch_completing_a_held_round_sends_the_counts_at_once(app, socketio, factory, monkeypatch):
    """The counts wait for a burst; the batch that completes the round (the chair may speak) sends them at once,
    complete, and once. The interval is a second here, so that "at once" stands well apart from the held send's
    next look (one interval after it was put off)."""
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    monkeypatch.setattr(broadcaster, "interval", 1.0)
    monkeypatch.setattr(broadcaster, "writing", lambda meeting_id: True)  # the drainer is still looping
    give(factory, m, item, ids[0], ids[1:3])
    told = time.monotonic()
    told_written(app, broadcaster, m, ids[1:3], arrived=told)
    time.sleep(1.3)
    assert progress_of(watcher) == []  # due after one interval, held: two members still to speak
    give(factory, m, item, ids[0], ids[3:5])
    completed = time.monotonic()
    told_written(app, broadcaster, m, ids[3:5])
    while not (sent := progress_of(watcher)):
        assert time.monotonic() - completed < 0.5 and time.monotonic() - told < 2.0  # before the next look
        time.sleep(0.01)
    assert len(sent) == 1 and sent[0]["spoken"] == 4 and sent[0]["chair_may_speak"] is True
    time.sleep(1.5)
    assert progress_of(watcher) == []  # the held send it replaced does not go as well


def test_a_round_completed_within_the_interval_is_told_an_interval_after_its_first_opinion(app, socketio, factory):
    """Coalescing still holds for a quick round: its counts go one interval after its first opinion arrived."""
    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    give(factory, m, item, ids[0], ids[1:5])
    first = time.monotonic()
    told_written(app, broadcaster, m, ids[1:3], backlog=2, arrived=first)
    told_written(app, broadcaster, m, ids[3:5])  # completes it
    while not (sent := progress_of(watcher)):
        assert time.monotonic() - first < 10 * INTERVAL
        time.sleep(0.01)
    assert time.monotonic() - first >= INTERVAL and len(sent) == 1 and sent[0]["spoken"] == 4


def test_where_counts_are_cheap_a_batch_keeps_the_interval(app, socketio, factory):
    from meeting.room import Outcome

    ids, m, item, watcher, broadcaster = watched_room(app, socketio, factory)
    broadcaster._cost[("progress", m.id)] = 0.001  # 20 ms: under the interval
    started = time.monotonic()
    with app.app_context():
        broadcaster.opinions_written(m.id, [Outcome(m.id, ack={}, broadcast="progress")], started, 10)
    while not progress_of(watcher):
        assert time.monotonic() - started < 10 * INTERVAL
        time.sleep(0.01)
    assert time.monotonic() - started < 3 * INTERVAL


def test_separate_meetings_are_coalesced_separately(app, socketio, factory):
    _, ids_a, ma, item_a = factory.running(5, 5)
    _, ids_b, mb, item_b = factory.running(5, 5)
    va = socketio.test_client(app, auth={"token": factory.tokens(ma.id)[ids_a[1]]})
    vb = socketio.test_client(app, auth={"token": factory.tokens(mb.id)[ids_b[1]]})
    wa, wb = projector(app, socketio, ma.id), projector(app, socketio, mb.id)
    time.sleep(3 * INTERVAL)
    wa.get_received(), wb.get_received()
    va.emit("give_opinion", {"client_id": cid(), "item_id": item_a.id, "round": 1, "stance": "agree"}, callback=True)
    vb.emit("give_opinion", {"client_id": cid(), "item_id": item_b.id, "round": 1, "stance": "agree"}, callback=True)
    time.sleep(3 * INTERVAL)
    pa, pb = progress_of(wa), progress_of(wb)
    assert [p["item_id"] for p in pa] == [item_a.id]
    assert [p["item_id"] for p in pb] == [item_b.id]


def test_state_changes_are_still_delivered(app, socketio, factory):
    """Non-opinion changes go out through a background task too; none is lost."""
    _, ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)
    watcher.get_received()
    factory.app.extensions["yishi.broadcaster"].after(
        factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    time.sleep(3 * INTERVAL)
    states = [x["args"][0] for x in watcher.get_received() if x["name"] == "state"]
    assert states and states[-1]["last_closed"]["result"] == "deferred"


def test_an_older_state_never_arrives_after_a_newer_one(app, socketio, factory, monkeypatch):
    """Two state deliveries race: the first reads the room, is slow to send (a big roster), and meanwhile the
    item is deferred and a second delivery starts. Screens must end on the newer state, not the older."""
    import meeting.broadcast as broadcast

    _, ids, m, item = factory.running(5, 5)
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)
    watcher.get_received()

    real_build, calls = broadcast.build, []
    read_done, release = threading.Event(), threading.Event()

    def slow_after_first_read(*args, **kwargs):
        state = real_build(*args, **kwargs)
        calls.append(args[2])
        if len(calls) == len(broadcast.VIEWS):  # the first delivery has read every view: hold it here
            read_done.set()
            release.wait(5)
        return state

    monkeypatch.setattr(broadcast, "build", slow_after_first_read)
    broadcaster = app.extensions["yishi.broadcaster"]
    with app.app_context():
        broadcaster.state_changed(m.id)
    assert read_done.wait(5)
    broadcaster.after(factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    time.sleep(3 * INTERVAL)  # the second delivery has had time to run
    release.set()
    time.sleep(3 * INTERVAL)
    states = [x["args"][0] for x in watcher.get_received() if x["name"] == "state"]
    assert states, "no state delivered"
    assert states[-1]["current"] is None and states[-1]["last_closed"]["result"] == "deferred"


def test_connecting_tablets_share_one_member_view_until_the_room_changes(app, socketio, factory, monkeypatch):
    """A connect storm builds the member view once, not once per tablet; any change voids the shared copy."""
    import meeting.broadcast as broadcast

    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    built, real_build = [], broadcast.build

    def counting(s, meeting_id, view, zone="Asia/Shanghai"):
        built.append(view)
        return real_build(s, meeting_id, view, zone)

    monkeypatch.setattr(broadcast, "build", counting)
    first = socketio.test_client(app, auth={"token": toks[ids[1]]})
    second = socketio.test_client(app, auth={"token": toks[ids[2]]})
    snaps = [[x["args"][0] for x in c.get_received() if x["name"] == "snapshot"][0] for c in (first, second)]
    assert built.count("member") == 1
    assert snaps[0]["state"] == snaps[1]["state"] and snaps[0]["me"] != snaps[1]["me"]

    app.extensions["yishi.broadcaster"].after(factory.act("defer_item", m.id, {"item_id": item.id, "reason": "暂缓"}))
    third = socketio.test_client(app, auth={"token": toks[ids[3]]})
    snap = [x["args"][0] for x in third.get_received() if x["name"] == "snapshot"][0]
    assert snap["state"]["current"] is None and snap["state"]["last_closed"]["result"] == "deferred"


def test_snapshots_are_not_shared_between_workers(app, socketio):
    """With a message queue, other workers change the room without telling this one: no shared copies."""
    from types import SimpleNamespace

    from meeting.broadcast import Broadcaster

    config = dict(app.config, SOCKETIO_MESSAGE_QUEUE="redis://127.0.0.1:6379/0")
    assert Broadcaster(SimpleNamespace(config=config), socketio).share_snapshots is False
    assert app.extensions["yishi.broadcaster"].share_snapshots is True


def test_a_tablet_coming_only_rebuilds_the_secretarys_roster(app, socketio, factory):
    """Who is connected shows only in the full view: the projector and other tablets are not sent a new state."""
    _, ids, m, item = factory.running(6, 6)
    toks = factory.tokens(m.id)
    chair = socketio.test_client(app, auth={"token": toks[ids[0]]})  # the head chairs: the full view
    other = socketio.test_client(app, auth={"token": toks[ids[1]]})
    watcher = projector(app, socketio, m.id)
    time.sleep(3 * INTERVAL)
    for c in (chair, other, watcher):
        c.get_received()
    socketio.test_client(app, auth={"token": toks[ids[2]]})
    time.sleep(3 * INTERVAL)
    assert [x["name"] for x in watcher.get_received()] == []
    assert [x["name"] for x in other.get_received()] == []
    states = [x["args"][0] for x in chair.get_received() if x["name"] == "state"]
    assert states and states[-1]["view"] == "full"
    assert next(r for r in states[-1]["roster"] if r["person_id"] == ids[2])["connected"] is True
