"""Group commit of members' opinions (meeting/intake.py): the same rules and the same record as
:func:`meeting.room.give_opinion`, many opinions per transaction, each acknowledged only after its commit."""

from __future__ import annotations

import json
import threading

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from meeting import intake
from meeting.db import read_only, unit_of_work
from meeting.errors import (
    AbsentCannotVote,
    ChairHasSpoken,
    ChairNotLast,
    InvalidPayload,
    ItemNotOpen,
    ReasonRequired,
    Recused,
    YishiError,
)
from meeting.models import Event, Meeting, Opinion, OpinionRevision
from meeting.room import Outcome
from meeting.schemas import OpinionIn
from tests.factories import opinion_in
from tests.fakeclock import wait_until


def op(item, stance="agree", reason="", client_id=None, round_=1) -> OpinionIn:
    return opinion_in(item, stance, reason, client_id, round_)


def chair_of(app, m) -> int:
    with app.app_context(), read_only() as s:
        return s.get(Meeting, m.id).chair_person_id


def batch(app, m, requests):
    with app.app_context(), unit_of_work() as s:
        return intake.give_opinions(s, m.id, requests)


def opinions(app, item):
    with app.app_context(), read_only() as s:
        return {o.person_id: o for o in s.exec(select(Opinion).where(Opinion.item_id == item.id))}


def test_a_batch_writes_what_one_at_a_time_writes(app, factory):
    """Opinion, revision and event log rows, and the acknowledgement, are those of room.give_opinion."""
    _, ids, m, item = factory.running(6, 6)
    members = [factory.seat_actor(m.id, p) for p in ids[1:4]]
    alone = factory.act(
        "give_opinion",
        m.id,
        {"client_id": "single-0001", "item_id": item.id, "round": 1, "stance": "disagree", "reason": "理由"},
        actor=factory.seat_actor(m.id, ids[4]),
    )
    out = batch(app, m, [(a, op(item, "disagree", "理由", client_id=f"batch-00{i}")) for i, a in enumerate(members)])
    assert all(isinstance(o, Outcome) and o.broadcast == "progress" for o in out)
    assert out[0].ack.keys() == alone.ack.keys() and out[0].ack["opinion"].keys() == alone.ack["opinion"].keys()
    assert out[0].ack["opinion"]["stance_label"] == alone.ack["opinion"]["stance_label"] == "不同意"
    rows = opinions(app, item)
    assert set(rows) == {ids[1], ids[2], ids[3], ids[4]}
    assert [rows[p].version for p in ids[1:4]] == [1, 1, 1] and rows[ids[1]].reason == "理由"
    with app.app_context(), read_only() as s:
        revs = {r.client_id: r for r in s.exec(select(OpinionRevision))}
        events = s.exec(select(Event).where(Event.kind == "opinion.given").order_by(Event.id)).all()
    assert revs["batch-000"].opinion_id == rows[ids[1]].id and revs["batch-002"].opinion_id == rows[ids[3]].id
    assert len(events) == 4
    single, batched = json.loads(events[0].payload), json.loads(events[1].payload)
    assert single.keys() == batched.keys()
    assert batched | {"client_id": None} == {
        "item_id": item.id,
        "round": 1,
        "person_id": ids[1],
        "stance": "disagree",
        "reason": "理由",
        "version": 1,
        "is_chair": False,
        "client_id": None,
    }
    assert (events[1].actor_kind, events[1].actor_id, events[1].device) == ("member", ids[1], "pytest")
    assert events[1].at is not None and events[1].meeting_id == m.id
    # one moment per opinion, stored alike in its three rows (converted once, read back as the same instant)
    first = rows[ids[1]]
    assert first.given_at == first.updated_at == revs["batch-000"].at == events[1].at
    assert first.given_at.tzinfo is not None and rows[ids[3]].given_at >= first.given_at


def test_refusals_in_a_batch_change_nothing_and_stop_no_one_else(app, factory):
    _, ids, m, item = factory.running(7, 5)  # ids[5], ids[6] absent
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[2], "reason": "利害关系"})
    a = {p: factory.seat_actor(m.id, p) for p in ids}
    out = batch(
        app,
        m,
        [
            (a[ids[1]], op(item)),
            (a[ids[2]], op(item)),  # recused
            (a[ids[5]], op(item)),  # absent
            (a[ids[3]], op(item, "defer")),  # no reason
            (a[ids[4]], op(item, round_=2)),  # not the open round
            (a[ids[3]], op(item, "defer", "再研究")),
        ],
    )
    assert isinstance(out[0], Outcome) and isinstance(out[5], Outcome)
    assert [type(x) for x in out[1:5]] == [Recused, AbsentCannotVote, ReasonRequired, ItemNotOpen]
    assert set(opinions(app, item)) == {ids[1], ids[3]}
    with app.app_context(), read_only() as s:
        assert len(s.exec(select(OpinionRevision)).all()) == 2


def test_resends_are_recognised_in_and_across_batches(app, factory):
    _, ids, m, item = factory.running(5, 5)
    a1, a2 = factory.seat_actor(m.id, ids[1]), factory.seat_actor(m.id, ids[2])
    first = op(item, client_id="same-id-0001")
    out = batch(app, m, [(a1, first), (a1, first), (a2, first)])
    assert out[0].ack["duplicate"] is False and out[1].ack["duplicate"] is True and out[1].broadcast is None
    assert out[1].ack["opinion"] == out[0].ack["opinion"]
    assert isinstance(out[2], InvalidPayload)  # another member's client_id
    again = batch(app, m, [(a1, first)])[0]
    assert again.ack["duplicate"] is True and again.ack["opinion"]["version"] == 1
    assert len(opinions(app, item)) == 1


def test_corrections_in_and_across_batches_keep_every_version(app, factory):
    _, ids, m, item = factory.running(5, 5)
    a1 = factory.seat_actor(m.id, ids[1])
    out = batch(app, m, [(a1, op(item, "agree")), (a1, op(item, "disagree", "改变看法"))])
    assert [o.ack["opinion"]["version"] for o in out] == [1, 2]
    out = batch(app, m, [(a1, op(item, "defer", "再议"))])
    assert out[0].ack["opinion"]["version"] == 3 and out[0].ack["opinion"]["stance"] == "defer"
    row = opinions(app, item)[ids[1]]
    assert (row.version, row.stance, row.reason) == (3, "defer", "再议")
    with app.app_context(), read_only() as s:
        assert [
            r.version
            for r in s.exec(
                select(OpinionRevision).where(OpinionRevision.opinion_id == row.id).order_by(OpinionRevision.id)
            )
        ] == [1, 2, 3]
        kinds = [e.kind for e in s.exec(select(Event).where(Event.kind.like("opinion.%")).order_by(Event.id))]
    assert kinds == ["opinion.given", "opinion.corrected", "opinion.corrected"]


def test_the_chair_ends_the_batch_and_speaks_last(app, factory):
    """The chair's statement needs the whole room: what came before it is committed first, then the chair goes
    through room.give_opinion; members after the chair in the same batch are refused (seed 003 §四(二)2)."""
    _, ids, m, item = factory.running(4, 4)
    chair = chair_of(app, m)
    others = [p for p in ids if p != chair]
    a = {p: factory.seat_actor(m.id, p, chair_id=chair) for p in ids}
    queue = intake.OpinionIntake(app, app.extensions["socketio"])
    with app.app_context():
        early = queue._persist(m.id, [(a[others[0]], op(item)), (a[chair], op(item))])
        assert isinstance(early[0], Outcome) and isinstance(early[1], ChairNotLast)
        out = queue._persist(
            m.id,
            [
                (a[others[1]], op(item)),
                (a[others[2]], op(item)),
                (a[chair], op(item)),
                (a[others[0]], op(item, "disagree", "改变看法")),
            ],
        )
    assert isinstance(out[0], Outcome) and isinstance(out[1], Outcome)
    assert isinstance(out[2], Outcome) and out[2].ack["opinion"]["is_chair"] is True and out[2].broadcast == "state"
    assert isinstance(out[3], ChairHasSpoken)
    rows = opinions(app, item)
    assert set(rows) == set(ids) and rows[others[0]].version == 1


def test_a_unique_key_race_falls_back_to_one_at_a_time(app, factory, monkeypatch):
    """Another worker wrote the same member's opinion: the batch rolls back whole and each opinion is retried
    alone, so nothing is counted twice and every tablet still gets an answer."""
    _, ids, m, item = factory.running(5, 5)
    a1, a2 = factory.seat_actor(m.id, ids[1]), factory.seat_actor(m.id, ids[2])
    real = intake.give_opinions

    def racing(s, meeting_id, requests):
        real(s, meeting_id, requests)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(intake, "give_opinions", racing)
    queue = intake.OpinionIntake(app, app.extensions["socketio"])
    with app.app_context():
        out = queue._persist(m.id, [(a1, op(item)), (a2, op(item, "defer", "再研究"))])
    assert all(isinstance(o, Outcome) and o.ack["duplicate"] is False for o in out)
    rows = opinions(app, item)
    assert set(rows) == {ids[1], ids[2]} and rows[ids[2]].stance == "defer"


def test_concurrent_submissions_are_acknowledged_after_their_commit(app, factory):
    """Twelve members at once (threads): each acknowledgement comes only once its opinion is in the database."""
    _, ids, m, item = factory.running(13, 13)
    queue = app.extensions["yishi.intake"]
    members = [factory.seat_actor(m.id, p) for p in ids[1:]]
    results, persisted = {}, {}
    start = threading.Barrier(len(members))

    def vote(actor):
        start.wait()
        with app.app_context():
            try:
                outcome = queue.submit(actor, op(item, client_id=f"thread-{actor.person_id:04d}"))
            except YishiError as err:  # pragma: no cover - reported by the assertion below
                results[actor.person_id] = err
                return
            with read_only() as s:
                persisted[actor.person_id] = (
                    s.exec(
                        select(Opinion).where(Opinion.item_id == item.id, Opinion.person_id == actor.person_id)
                    ).first()
                    is not None
                )
            results[actor.person_id] = outcome

    threads = [threading.Thread(target=vote, args=(a,)) for a in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(isinstance(r, Outcome) and r.ack["ok"] for r in results.values()), results
    assert len(results) == 12 and all(persisted.values())
    assert len(opinions(app, item)) == 12


def test_the_room_is_told_once_per_batch_with_its_backlog(app, factory):
    """After each batch commits, ``written`` gets the batch's outcomes, when its first opinion arrived and how
    many wait behind it (here: batches of 3 for 7 members queued at once, so 4 then 1 then 0)."""
    _, ids, m, item = factory.running(8, 8)
    told = []

    def written(meeting_id, outcomes, arrived, backlog):
        with app.app_context(), read_only() as s:  # committed before the room is told
            stored = len(s.exec(select(Opinion).where(Opinion.item_id == item.id)).all())
        told.append((meeting_id, len(outcomes), arrived, backlog, stored, queue.writing(meeting_id)))

    queue = intake.OpinionIntake(app, app.extensions["socketio"], max_batch=3, written=written)
    members = [factory.seat_actor(m.id, p) for p in ids[1:]]
    results = {}
    gate = threading.Event()
    real_drain = queue._drain

    def drain_when_all_queued(meeting_id):
        gate.wait(60)  # set once all are queued; the bound only ends a broken run
        real_drain(meeting_id)

    queue._drain = drain_when_all_queued

    def vote(actor, arrived):
        with app.app_context():
            results[actor.person_id] = queue.submit(actor, op(item), arrived)

    threads = [threading.Thread(target=vote, args=(a, 100.0 + i)) for i, a in enumerate(members)]
    for t in threads:
        t.start()
    wait_until(
        lambda: sum(len(q) for q in queue._queues.values()) >= len(members),
        timeout=60,
        what="all seven opinions queued",
    )
    gate.set()
    for t in threads:
        t.join(30)
    assert all(r.ack["ok"] for r in results.values()) and len(results) == 7
    assert [(mid, n, backlog, stored) for mid, n, _, backlog, stored, _ in told] == [
        (m.id, 3, 4, 3),
        (m.id, 3, 1, 6),
        (m.id, 1, 0, 7),
    ]
    assert all(arrived in {100.0 + i for i in range(7)} for _, _, arrived, _, _, _ in told)  # a slot's arrival
    # the room is told while the drainer is still at work (the counts may wait for it: meeting/broadcast.py) …
    assert all(writing for *_, writing in told)
    wait_until(lambda: not queue.writing(m.id), what="the drainer finding its queue empty")  # … then it is not
    assert not queue.writing(m.id + 1)  # nor for a meeting it never wrote


def test_a_tablet_burst_over_sockets_is_counted_once_each(app, socketio, factory):
    """Through the socket layer: members go through the intake, the chair the one-at-a-time way."""
    _, ids, m, item = factory.running(6, 6)
    chair = chair_of(app, m)
    members = [p for p in ids if p != chair]
    toks = factory.tokens(m.id)
    clients = {p: socketio.test_client(app, auth={"token": toks[p]}) for p in ids}

    def give(person, client_id):
        return clients[person].emit(
            "give_opinion", {"client_id": client_id, "item_id": item.id, "round": 1, "stance": "agree"}, callback=True
        )

    acks = [give(p, f"sock-{p:04d}") for p in members]
    assert all(a["ok"] is True and a["duplicate"] is False for a in acks)
    again = give(members[0], f"sock-{members[0]:04d}")  # a resend after a dropped connection
    assert again["ok"] is True and again["duplicate"] is True and again["opinion"] == acks[0]["opinion"]
    last = give(chair, "sock-chair")
    assert last["ok"] is True and last["opinion"]["is_chair"] is True
    assert len(opinions(app, item)) == 6


def test_the_acting_chair_ends_the_batch_and_speaks_last(app, factory):
    """The chair recused from the item: the deputy first in seniority presides over it (voting/presiding.py);
    in a batch his statement goes alone, like the chair's, and the chair-last rule applies to him."""
    body, ids = factory.body(5)
    subj = factory.person("任免对象")
    factory.relation(ids[0], subj.id, "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj.id])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    a = {p: factory.seat_actor(m.id, p, chair_id=ids[0]) for p in ids}
    acting, others = ids[1], ids[2:]
    assert a[acting].kind == "member"
    queue = intake.OpinionIntake(app, app.extensions["socketio"])
    with app.app_context():
        early = queue._persist(m.id, [(a[others[0]], op(item)), (a[acting], op(item))])
        assert isinstance(early[0], Outcome) and isinstance(early[1], ChairNotLast)
        out = queue._persist(
            m.id,
            [
                (a[others[1]], op(item)),
                (a[others[2]], op(item)),
                (a[acting], op(item)),
                (a[others[0]], op(item, "disagree", "改变看法")),
            ],
        )
    assert isinstance(out[0], Outcome) and isinstance(out[1], Outcome)
    assert isinstance(out[2], Outcome) and out[2].ack["opinion"]["is_chair"] is True and out[2].broadcast == "state"
    assert isinstance(out[3], ChairHasSpoken)
    assert opinions(app, item)[others[0]].version == 1
