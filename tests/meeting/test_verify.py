"""The event log is hash-chained (meeting/chain.py) and 核验 (meeting/verify.py) finds and names every tampering:
an edited event, one rewritten with a fresh hash, a deleted one, an edited opinion / attendance / result row."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from datetime import UTC

from sqlalchemy import text
from sqlmodel import col, select

from meeting import intake, verify
from meeting.chain import GENESIS
from meeting.db import read_only, unit_of_work
from meeting.models import ChainHead, Event, Opinion, Round, Seat
from tests.factories import event_log
from tests.factories import opinion_in as _op
from tests.meeting.test_cli import _run


def _decided(factory, n=6):
    """A meeting with opinions given alone and in a batch, a correction, the chair last, the item closed."""
    _, ids, m, item = factory.running(n, n)
    app = factory.app
    factory.act(
        "give_opinion",
        m.id,
        {"client_id": uuid.uuid4().hex, "item_id": item.id, "round": 1, "stance": "disagree", "reason": "资金来源不明"},
        actor=factory.seat_actor(m.id, ids[1]),
    )
    with app.app_context(), unit_of_work() as s:
        out = intake.give_opinions(
            s,
            m.id,
            [(factory.seat_actor(m.id, p), _op(item)) for p in ids[2:]]
            + [(factory.seat_actor(m.id, ids[2]), _op(item, "defer", "再研究"))],
        )
    assert all(not isinstance(o, Exception) for o in out)
    chair = ids[0]
    factory.act(
        "give_opinion",
        m.id,
        {"client_id": uuid.uuid4().hex, "item_id": item.id, "round": 1, "stance": "agree", "reason": ""},
        actor=factory.seat_actor(m.id, chair, chair_id=chair),
    )
    factory.act("close_item", m.id, {"item_id": item.id})
    return ids, m, item


def _check(app, meeting_id):
    with app.app_context(), read_only() as s:
        return verify.verify_meeting(s, meeting_id)


def _sql(app, sql, **params):
    with app.app_context(), unit_of_work() as s:
        s.connection().execute(text(sql), params)


def test_every_event_is_chained_to_the_one_before(app, factory):
    _, m, _ = _decided(factory)
    events = event_log(app, m.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    for before, ev in zip(events, events[1:]):
        assert ev.prev_hash == before.hash
    for ev in events:  # the canonical form, computed independently of meeting/chain.py
        at = ev.at if ev.at.tzinfo is None else ev.at.astimezone(UTC).replace(tzinfo=None)
        form = json.dumps(
            [
                "yishi-event/1",
                ev.meeting_id,
                ev.seq,
                ev.kind,
                ev.actor_kind,
                ev.actor_id,
                ev.actor_name,
                ev.device,
                at.isoformat(timespec="microseconds") + "Z",
                ev.payload,
                ev.prev_hash,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        assert ev.hash == hashlib.sha256(form.encode()).hexdigest()
    with app.app_context(), read_only() as s:
        head = s.get(ChainHead, m.id)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    kinds = [e.kind for e in events]
    assert kinds.count("opinion.given") == 6 and "opinion.corrected" in kinds and kinds[-1] == "item.closed"


def test_an_untouched_meeting_verifies_clean(app, factory):
    _, m, _ = _decided(factory)
    report = _check(app, m.id)
    assert report.ok, report.lines()
    assert report.events == len(event_log(app, m.id)) and report.checked["opinions"] == 6
    assert report.checked["revisions"] == 7 and report.checked["seats"] == 6 and report.checked["rounds"] == 1
    assert report.summary().startswith(f"核验通过（会议 {m.id}）：事件 {report.events} 条，链完整")


def test_events_of_no_meeting_chain_on_their_own(app, factory):
    factory.body(3)  # a body and its people: events of no meeting
    with app.app_context(), read_only() as s:
        events = list(s.exec(select(Event).where(col(Event.meeting_id).is_(None)).order_by(col(Event.seq))))
        report = verify.verify_meeting(s, None)
    assert [e.seq for e in events] == list(range(1, len(events) + 1)) and len(events) >= 4
    assert report.ok, report.lines()


def test_an_edited_opinion_row_is_named(app, factory):
    ids, m, item = _decided(factory)
    with app.app_context(), read_only() as s:
        victim = s.exec(select(Opinion).where(Opinion.item_id == item.id, Opinion.person_id == ids[1])).one()
    _sql(app, "UPDATE opinion SET stance = 'agree', reason = '' WHERE id = :id", id=victim.id)
    report = _check(app, m.id)
    assert not report.ok
    found = [p for p in report.problems if p.row == f"opinion#{victim.id}"]
    assert found and "立场记录为「同意」，事件为「不同意」" in found[0].message and "成员02" in found[0].message
    assert all(p.what != "event" for p in report.problems)  # the chain itself is intact


def test_an_edited_event_payload_is_named_by_its_number(app, factory):
    ids, m, _ = _decided(factory)
    events = event_log(app, m.id)
    victim = next(e for e in events if e.kind == "opinion.given" and json.loads(e.payload)["person_id"] == ids[1])
    forged = json.loads(victim.payload) | {"stance": "agree"}
    _sql(
        app,
        "UPDATE event SET payload = :p WHERE id = :id",
        p=json.dumps(forged, ensure_ascii=False, sort_keys=True),
        id=victim.id,
    )
    report = _check(app, m.id)
    assert not report.ok
    assert any(
        p.what == "event" and p.seq == victim.seq and f"第{victim.seq}条事件被改动" in p.message
        for p in report.problems
    ), report.lines()


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_link(app, factory):
    _, m, _ = _decided(factory)
    events = event_log(app, m.id)
    victim = events[4]
    from meeting.chain import digest

    forged = victim.payload.replace('"present"', '"absent"') if "present" in victim.payload else victim.payload + " "
    fresh = digest(
        victim.meeting_id,
        victim.seq,
        victim.kind,
        victim.actor_kind,
        victim.actor_id,
        victim.actor_name,
        victim.device,
        victim.at,
        forged,
        victim.prev_hash,
    )
    _sql(app, "UPDATE event SET payload = :p, hash = :h WHERE id = :id", p=forged, h=fresh, id=victim.id)
    report = _check(app, m.id)
    assert any(
        p.what == "event" and p.seq == victim.seq and f"第{victim.seq}条被改写" in p.message for p in report.problems
    ), report.lines()


def test_a_deleted_event_is_named(app, factory):
    _, m, _ = _decided(factory)
    events = event_log(app, m.id)
    middle, last = events[len(events) // 2], events[-1]
    _sql(app, "DELETE FROM event WHERE id = :id", id=middle.id)
    report = _check(app, m.id)
    assert any(p.seq == middle.seq and f"第{middle.seq}条事件缺失" in p.message for p in report.problems), (
        report.lines()
    )
    _sql(app, "DELETE FROM event WHERE id = :id", id=last.id)  # the tail: the head still counts it
    report = _check(app, m.id)
    assert any(p.seq == last.seq and f"第{last.seq}条事件缺失：链尾被删除" in p.message for p in report.problems), (
        report.lines()
    )


def test_an_event_written_outside_the_chain_is_named(app, factory):
    _, m, _ = _decided(factory)
    _sql(
        app,
        "INSERT INTO event (meeting_id, at, actor_kind, actor_name, device, kind, payload) "
        "VALUES (:m, :at, 'user', '某人', '', 'item.deferred', '{}')",
        m=m.id,
        at="2023-12-09 09:00:00",
    )
    report = _check(app, m.id)
    assert any(p.what == "event" and "没有链序号" in p.message for p in report.problems), report.lines()


def test_edited_attendance_and_result_rows_are_named(app, factory):
    ids, m, item = _decided(factory)
    with app.app_context(), read_only() as s:
        seat = s.exec(select(Seat).where(Seat.meeting_id == m.id, Seat.person_id == ids[3])).one()
        rnd = s.exec(select(Round).where(Round.item_id == item.id)).one()
    _sql(app, "UPDATE seat SET attendance = 'absent' WHERE id = :id", id=seat.id)
    _sql(app, "UPDATE round SET result = 'rejected' WHERE id = :id", id=rnd.id)
    report = _check(app, m.id)
    rows = {p.row: p.message for p in report.problems}
    assert "「请假」" in rows[f"seat#{seat.id}"] and "成员04" in rows[f"seat#{seat.id}"], report.lines()
    assert "结果记录为「不通过」" in rows[f"round#{rnd.id}"] or "结果记录为" in rows[f"round#{rnd.id}"]


def test_concurrent_appends_to_one_meeting_never_fork_the_chain(app, factory):
    """Workers append to one meeting at once — opinions in batches, opinions alone, the recorder's notes — each
    in its own transaction: every event has its own number and links to the one before (on PostgreSQL the head
    row's lock serialises them; nothing else does: opinions lock the round, notes the meeting)."""
    _, ids, m, item = factory.running(13, 13)
    errors = []

    def batches(people):
        for part in (people[:3], people[3:]):
            try:
                with app.app_context(), unit_of_work() as s:
                    out = intake.give_opinions(s, m.id, [(factory.seat_actor(m.id, p), _op(item)) for p in part])
                errors.extend(o for o in out if isinstance(o, Exception))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    def alone(people):
        for p in people:
            try:
                factory.act(
                    "give_opinion",
                    m.id,
                    {"client_id": uuid.uuid4().hex, "item_id": item.id, "round": 1, "stance": "agree", "reason": ""},
                    actor=factory.seat_actor(m.id, p),
                )
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    def notes(k):
        for i in range(k):
            try:
                factory.act("set_notes", m.id, {"item_id": item.id, "notes": f"记录{i}"})
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [
        threading.Thread(target=batches, args=(ids[1:7],)),
        threading.Thread(target=alone, args=(ids[7:],)),
        threading.Thread(target=notes, args=(6,)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    events = event_log(app, m.id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.kind == "opinion.given" for e in events) == 12 and sum(e.kind == "item.notes_set" for e in events) == 6
    report = _check(app, m.id)
    assert report.ok, report.lines()


def test_the_verify_command_reports_in_chinese(app, factory, tmp_path, database_url):
    ids, m, item = _decided(factory)
    res = _run(["verify", str(m.id)], tmp_path, database_url)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith(f"核验通过（会议 {m.id}）：事件") and "链完整" in res.stdout
    with app.app_context(), read_only() as s:
        victim = s.exec(select(Opinion).where(Opinion.item_id == item.id, Opinion.person_id == ids[2])).one()
    _sql(app, "UPDATE opinion SET reason = '改过的理由' WHERE id = :id", id=victim.id)
    res = _run(["verify", str(m.id)], tmp_path, database_url)
    assert res.returncode == 1
    assert "核验未通过" in res.stdout and f"意见记录 #{victim.id}" in res.stdout and "理由与事件不同" in res.stdout
    res = _run(["verify"], tmp_path, database_url)  # every meeting, and the chain of no meeting
    assert res.returncode == 1 and "核验通过（不属于会议的事件" in res.stdout
    assert _run(["verify", "999999"], tmp_path, database_url).returncode == 2


def test_the_execution_ledger_is_one_chain_of_its_own(app, factory):
    from execution.audit import record_event
    from execution.models import ExecutionEvent
    from tests.factories import STAFF

    with app.app_context(), unit_of_work() as s:
        for i in range(4):
            record_event(s, STAFF, "progress.reported", i or None, text=f"进展{i}")
    with app.app_context(), read_only() as s:
        rows = list(s.exec(select(ExecutionEvent).order_by(col(ExecutionEvent.seq))))
        assert [r.seq for r in rows] == [1, 2, 3, 4] and rows[1].prev_hash == rows[0].hash
        report = verify.verify_execution(s)
    assert report.ok and report.summary().startswith("核验通过（督查督办台账的事件）：事件 4 条"), report.lines()
    _sql(app, "UPDATE executionevent SET data = :d WHERE id = :id", d='{"text": "改过"}', id=rows[2].id)
    _sql(app, "DELETE FROM executionevent WHERE id = :id", id=rows[1].id)
    with app.app_context(), read_only() as s:
        report = verify.verify_execution(s)
    messages = report.lines()
    assert any(p.seq == 3 and "第3条事件被改动" in p.message for p in report.problems), messages
    assert any(p.seq == 2 and "第2条事件缺失" in p.message for p in report.problems), messages


def test_a_database_made_before_the_chain_is_upgraded_once(app, factory, database_url, tmp_path):
    """Columns added and the stored events sealed in the order written — once: an event written later without a
    number is named by 核验, never sealed by a restart."""
    from meeting.app import create_app

    _, m, _ = _decided(factory)
    before = [(e.id, e.kind) for e in sorted(event_log(app, m.id), key=lambda e: e.id)]
    old = "id, meeting_id, at, actor_kind, actor_id, actor_name, device, kind, payload"
    _sql(app, f"CREATE TABLE event_old AS SELECT {old} FROM event")
    _sql(app, "DROP TABLE event")
    _sql(app, "CREATE TABLE event AS SELECT * FROM event_old")
    _sql(app, "DROP TABLE event_old")
    _sql(app, "DELETE FROM chainhead")
    _sql(app, "DROP TABLE alembic_version")  # and made before the migrations (meeting/migrations), as it was
    app.extensions["yishi.engine"].dispose()

    def again():
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": app.instance_path,
                "YISHI_ASYNC_MODE": "threading",
            }
        )

    upgraded = again()
    events = event_log(upgraded, m.id)
    assert [(e.id, e.kind) for e in events] == before and [e.seq for e in events] == list(range(1, len(before) + 1))
    assert _check(upgraded, m.id).ok, _check(upgraded, m.id).lines()
    upgraded.extensions["yishi.engine"].dispose()
    _sql(
        app,
        "INSERT INTO event (id, meeting_id, at, actor_kind, actor_name, device, kind, payload) "
        "VALUES (999999, :m, :at, 'user', '某人', '', 'item.deferred', '{}')",
        m=m.id,
        at="2023-12-09 09:00:00",
    )
    restarted = again()
    assert any("没有链序号" in p.message for p in _check(restarted, m.id).problems)
    restarted.extensions["yishi.engine"].dispose()
