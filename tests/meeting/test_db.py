"""The database layer: on SQLite a writer waits for the lock in the async mode's sleep, never in SQLite's own
busy handler (a C-level sleep that would hold the whole event loop: issue 13, hole 5)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from sqlmodel import func, select

from meeting import db
from meeting.actors import Actor
from meeting.audit import record
from meeting.models import Event

pytestmark = pytest.mark.skipif(os.environ.get("YISHI_TEST_DB", "sqlite") == "postgresql",
                                reason="SQLite's write lock")

ACTOR = Actor(kind="system", name="测试", device="pytest")


def _path(app) -> str:
    return app.config["DATABASE_URL"].split("///", 1)[1]


def test_sqlite_itself_waits_only_a_few_ms(app):
    with app.app_context(), db.read_only() as s:
        assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() <= 5


def test_a_writer_meeting_the_lock_naps_in_the_async_modes_sleep_and_its_transaction_commits_once(app,
                                                                                                   monkeypatch):
    path = _path(app)
    with app.app_context(), db.unit_of_work() as s:  # the schema and one event exist
        record(s, ACTOR, "test.before")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    released = threading.Event()

    def release():
        if not released.is_set():
            released.set()
            holder.execute("COMMIT")

    fallback = threading.Timer(0.5, release)  # on a tree that waits inside SQLite, the lock still ends
    fallback.start()
    naps: list[float] = []
    real_sleep = time.sleep

    def nap(seconds: float) -> None:  # what eventlet/gevent's monkey-patched time.sleep is on the server
        naps.append(seconds)
        if len(naps) == 8:
            release()
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
        release()
        holder.close()
    elapsed = time.perf_counter() - t0
    assert len(naps) >= 8, f"the writer waited inside SQLite ({elapsed:.2f} s), not in the async mode's sleep"
    # besides the naps, SQLite's own waits are a few ms each: in all far less than the time spent napping
    assert elapsed - sum(naps) < 0.2, (elapsed, sum(naps), len(naps))
    with app.app_context(), db.read_only() as s:
        kinds = list(s.exec(select(Event.kind).where(Event.kind.like("test.%")).order_by(Event.id)))
    assert kinds == ["test.before", "test.waited"]


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
