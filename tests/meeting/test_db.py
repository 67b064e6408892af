"""The database layer: on SQLite a writer waits for the lock in the async mode's sleep, never in SQLite's own
busy handler (a C-level sleep that would hold the whole event loop: issue 13, hole 5)."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
import time
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from meeting import db
from meeting.actors import Actor
from meeting.audit import record
from meeting.models import Event

sqlite_only = pytest.mark.skipif(
    os.environ.get("YISHI_TEST_DB", "sqlite") == "postgresql", reason="SQLite's write lock"
)

ACTOR = Actor(kind="system", name="测试", device="pytest")


def _path(app) -> str:
    return app.config["DATABASE_URL"].split("///", 1)[1]


@sqlite_only
def test_sqlite_itself_waits_only_a_few_ms(app):
    with app.app_context(), db.read_only() as s:
        assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() <= 5


@sqlite_only
def test_a_writer_meeting_the_lock_naps_in_the_async_modes_sleep_and_its_transaction_commits_once(app, monkeypatch):
    path = _path(app)
    with app.app_context(), db.unit_of_work() as s:  # the schema and one event exist
        record(s, ACTOR, "test.before")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    released_by: list[str] = []
    releasing = threading.Lock()

    def release(by: str) -> None:
        with releasing:
            if not released_by:
                released_by.append(by)
                holder.execute("COMMIT")

    # on a tree that waits inside SQLite, the lock still ends — and the test says so (a long fallback: a loaded
    # machine's eight naps never take this long, a busy handler of a second or more per try does)
    fallback = threading.Timer(10.0, release, args=("fallback",))
    fallback.start()
    naps: list[float] = []
    real_sleep = time.sleep

    def nap(seconds: float) -> None:  # what eventlet/gevent's monkey-patched time.sleep is on the server
        naps.append(seconds)
        if len(naps) == 8:
            release("nap")
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", nap)
    t0 = time.perf_counter()
    try:
        with app.app_context(), db.unit_of_work() as s:
            s.exec(select(func.count(Event.id))).one()  # a read first, as the services do
            record(s, ACTOR, "test.waited")
    finally:
        monkeypatch.undo()
        fallback.cancel()
        release("test")
        holder.close()
    elapsed = time.perf_counter() - t0
    # the lock ended at the writer's eighth nap: it was napping in the async mode's sleep, not waiting inside
    # SQLite (whose own wait per try is a few ms: test_sqlite_itself_waits_only_a_few_ms) — however slow the
    # machine, which only makes the naps come later
    assert released_by == ["nap"] and len(naps) >= 8, (
        f"the writer waited inside SQLite ({elapsed:.2f} s, {len(naps)} naps), not in the async mode's sleep"
    )
    with app.app_context(), db.read_only() as s:
        kinds = list(s.exec(select(Event.kind).where(Event.kind.like("test.%")).order_by(Event.id)))
    assert kinds == ["test.before", "test.waited"]


@sqlite_only
def test_the_wait_for_the_lock_is_bounded(app, monkeypatch):
    path = _path(app)
    with app.app_context(), db.unit_of_work() as s:
        record(s, ACTOR, "test.before")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(db, "LOCK_WAIT", 0.2)
    t0 = time.perf_counter()
    try:
        with pytest.raises(Exception, match="database is locked"), app.app_context(), db.unit_of_work() as s:
            record(s, ACTOR, "test.refused")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.perf_counter() - t0 < 5
    with app.app_context(), db.read_only() as s:
        assert not list(s.exec(select(Event.id).where(Event.kind == "test.refused")))


# ---------------------------------------------------------------- a database outage is logged once per interval


def _outage_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info and db.is_outage(r.exc_info[1])]


def test_100_failing_requests_during_an_outage_log_a_handful_of_lines(
    app, factory, staff_http, socketio, caplog, monkeypatch
):
    _, ids, m, item = factory.running(5)
    tablet = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ids[1]]})
    assert tablet.is_connected()
    clock = [1000.0]
    monkeypatch.setattr(db.OUTAGE_FILTER, "clock", lambda: clock[0])
    monkeypatch.setattr(db.OUTAGE_FILTER, "interval", 60.0)
    monkeypatch.setattr(db.OUTAGE_FILTER, "_last", None)
    monkeypatch.setattr(db.OUTAGE_FILTER, "_suppressed", 0)

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # answered 500 and logged, as in production
    engine = app.extensions["yishi.engine"]
    engine.dispose()

    def refuse(*_args, **_kw):  # the database server is gone: every new connection is refused
        raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    event.listen(engine, "do_connect", refuse)
    caplog.set_level(logging.INFO)
    answers = []
    try:
        for n in range(100):
            if n % 3 == 0:  # a public page
                answers.append(staff_http.get("/minutes/archive").status_code)
            elif n % 3 == 1:  # the API
                answers.append(staff_http.get(f"/api/v1/meetings/{m.id}/minutes").status_code)
            else:  # a tablet's opinion
                ack = tablet.emit(
                    "give_opinion",
                    {"client_id": uuid.uuid4().hex, "item_id": item.id, "round": 1, "stance": "agree", "reason": ""},
                    callback=True,
                )
                answers.append(ack["error"]["code"] if not ack.get("ok") else "ok")
        assert set(answers) == {500, "server_error"}, set(answers)  # each failed, none of them silently
        lines = _outage_lines(caplog)
        print(f"outage: {len(answers)} failing requests, {len(lines)} log lines")
        assert 1 <= len(lines) <= 3, [r.getMessage() for r in lines]

        clock[0] += 61  # the next interval: one more line, saying how many were not logged
        assert staff_http.get("/minutes/archive").status_code == 500
        later = _outage_lines(caplog)[len(lines) :]
        assert len(later) == 1 and "were not logged" in later[0].getMessage(), [r.getMessage() for r in later]
    finally:
        event.remove(engine, "do_connect", refuse)
        tablet.disconnect()


def test_other_errors_are_logged_every_time(caplog):
    f = db.OutageLogFilter(interval=60, clock=lambda: 0.0)
    for _ in range(3):
        try:
            raise ValueError("a bug")
        except ValueError:
            rec = logging.LogRecord("meeting.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        assert f.filter(rec)
    for n in range(3):
        try:
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database file"))
        except OperationalError:
            rec = logging.LogRecord("meeting.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
        assert f.filter(rec) == (n == 0)
        assert f.filter(rec) == (n == 0), "a record met twice (logger, then handler) gets the same answer"
