"""The database engine and the unit of work.

SQLite (WAL) under ``instance/`` by default; PostgreSQL when ``DATABASE_URL`` names it. Services own
transactions: ``with unit_of_work() as s:`` commits on success and rolls back on any exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import sqlite3
import time
from pathlib import Path

from flask import current_app

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine


def normalise_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# ---------------------------------------------------------------- SQLite: waiting for the write lock

# SQLite lets one writer at a time. Its own wait for the lock (the busy handler behind ``busy_timeout``) is a C-level
# sleep that holds the whole OS thread: under eventlet/gevent every greenlet of the server — every room, every
# tablet — stops for as long as it waits, and the writer holding the lock may be a greenlet of that very loop which
# cannot go on until the loop runs again (a 30 s freeze, then "database is locked": issue 13, hole 5). So SQLite
# waits only a few ms itself (BUSY_TIMEOUT_MS); past that the statement is retried here with a cooperative sleep —
# ``time.sleep``, which ``run.py`` has monkey-patched into the async mode's green sleep (and which releases the GIL
# in threading mode) — until LOCK_WAIT has passed. The loop keeps serving while a writer waits.
BUSY_TIMEOUT_MS = 2
LOCK_WAIT = 30.0  # seconds a statement waits for the write lock in all (the busy timeout it replaces)
_FIRST_NAP, _LONGEST_NAP = 0.001, 0.02


def _retryable(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY: another connection holds the lock, retry. Not SQLITE_BUSY_SNAPSHOT: the transaction read a
    snapshot that is no longer the newest, no retry of the statement can succeed (SQLite answers it at once)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY and code != sqlite3.SQLITE_BUSY_SNAPSHOT
    return "database is locked" in str(exc)


def cooperative_retry(fn, *args, wait: float | None = None, sleep=None):
    """``fn(*args)``, retried while SQLite answers SQLITE_BUSY, sleeping cooperatively between tries (1 ms, doubling
    up to 20 ms) until ``wait`` seconds (default LOCK_WAIT) have passed; then the last error is raised.

    Safe for the statements that can meet the lock: with the driver's own transaction handling (pysqlite opens a
    transaction just before the first INSERT/UPDATE/DELETE), SQLITE_BUSY comes from the first write of a
    transaction — which failed whole and released what it had taken — or from COMMIT, which SQLite documents as
    retryable; once a transaction holds the lock its statements never wait."""
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    nap = _FIRST_NAP
    while True:
        try:
            return fn(*args)
        except sqlite3.OperationalError as exc:
            if not _retryable(exc) or time.monotonic() + nap > deadline:
                raise
        (sleep or time.sleep)(nap)  # looked up at call time: the green sleep once monkey-patched
        nap = min(nap * 2, _LONGEST_NAP)


class _RetryingCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):  # noqa: D401 - sqlite3's own signature
        return cooperative_retry(super().execute, sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        # a batch is a list (intake): on a retry it is read again from the start. A generator would be consumed
        # by the first try; make it a list so the retry sees every row.
        rows = seq_of_parameters if isinstance(seq_of_parameters, (list, tuple)) else list(seq_of_parameters)
        return cooperative_retry(super().executemany, sql, rows)

    def executescript(self, sql_script):
        return cooperative_retry(super().executescript, sql_script)


class RetryingConnection(sqlite3.Connection):
    """sqlite3's connection whose cursors (all SQLAlchemy uses) and COMMIT wait for the lock cooperatively."""

    def cursor(self, factory=_RetryingCursor):  # noqa: D401
        return super().cursor(factory)

    def commit(self):
        return cooperative_retry(super().commit)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000,
                                                  "factory": RetryingConnection})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def create_schema(engine: Engine, attempts: int = 5) -> None:
    """Create missing tables (every table imported so far: create_app imports the other packages' models first).
    Two processes starting at once on a fresh database may race (one sees a table the other is creating): retry,
    since ``create_all`` only creates what is still missing."""
    from . import models  # noqa: F401  (registers the tables)

    for attempt in range(attempts):
        try:
            SQLModel.metadata.create_all(engine)
            return
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def engine() -> Engine:
    return current_app.extensions["yishi.engine"]


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: commit at the end, roll back on error. Objects stay usable after commit."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only() -> Iterator[Session]:
    with Session(engine(), expire_on_commit=False) as session:
        yield session
