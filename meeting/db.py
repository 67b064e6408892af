"""The database engine and the unit of work.

SQLite (WAL) under ``instance/`` by default; PostgreSQL when ``DATABASE_URL`` names it. Services own
transactions: ``with unit_of_work() as s:`` commits on success and rolls back on any exception.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, create_engine


def normalise_url(url: str) -> str:
    """Accept the common spellings of a PostgreSQL URL and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
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
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000, "factory": RetryingConnection},
        )

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


def create_schema(engine: Engine, attempts: int = 5) -> list[str]:
    """Bring the database to today's schema by the migrations (meeting/migrations): a fresh database is made, one
    made before the migrations is recognised and upgraded, one up to date is left alone. The parts migrated are
    those whose tables are registered (the host imports every part before any init_app). Two processes starting
    at once on a fresh database may race (one sees a table the other is creating): retry, the loser then finds the
    work done. Returns the revisions applied."""
    from . import models  # noqa: F401  (registers the tables)
    from .migrations import upgrade_database

    for attempt in range(attempts):
        try:
            return upgrade_database(engine)
        except (OperationalError, ProgrammingError, IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return []


@contextmanager
def transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection in a transaction: a new one of an engine (committed at the end), or the given connection as it
    is (a migration's: its transaction is the migration run's)."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
    else:
        yield bind


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


# ---------------------------------------------------------------- a database outage: one log line per interval

# While the database is down every request fails the same way; a line with a traceback per request (per tablet's
# opinion, per page) floods the log and hides everything else. During an outage one such error is logged per
# interval, with how many like it were not; other errors are untouched.
OUTAGE_LOG_INTERVAL = 60.0
_PACKAGE_LOGGERS = ("meeting", "minutes", "execution", "socketio", "engineio", "werkzeug")


def is_outage(exc: BaseException | None) -> bool:
    """Is this error (or what caused it) the database being unreachable or failing as a whole — a lost or refused
    connection, a pool exhausted, SQLite's file gone or locked past the wait — rather than a bug or bad input?"""
    from sqlalchemy import exc as sa_exc

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(
            exc,
            (
                sa_exc.OperationalError,
                sa_exc.InterfaceError,
                sa_exc.DisconnectionError,
                sa_exc.TimeoutError,
                sqlite3.OperationalError,
                sqlite3.InterfaceError,
            ),
        ):
            return True
        if getattr(exc, "connection_invalidated", False):
            return True
        if type(exc).__module__.startswith("psycopg") and type(exc).__name__ in ("OperationalError", "InterfaceError"):
            return True
        # werkzeug's InternalServerError carries the error it stands for
        exc = getattr(exc, "original_exception", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


class OutageLogFilter(logging.Filter):
    """Lets one database-outage error record through per ``interval`` seconds (the first of an outage at once) and
    counts the others; the next one let through says how many were not logged. One instance for the whole
    process, on every logger and handler that may carry such a record: a record met twice (a logger's filter,
    then a handler's) gets the same answer."""

    def __init__(self, interval: float = OUTAGE_LOG_INTERVAL, clock=time.monotonic) -> None:
        super().__init__()
        self.interval, self.clock = interval, clock
        self._last: float | None = None
        self._suppressed = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        verdict = getattr(record, "_yishi_outage_verdict", None)
        if verdict is not None:
            return verdict
        verdict = True
        if record.exc_info and is_outage(record.exc_info[1]):
            now = self.clock()
            with self._lock:
                if self._last is not None and now - self._last < self.interval:
                    self._suppressed += 1
                    verdict = False
                else:
                    if self._suppressed:
                        record.msg = (
                            f"{record.msg} (database unavailable: {self._suppressed} more such errors "
                            f"in the last {now - self._last:.0f} s were not logged)"
                        )
                    self._last, self._suppressed = now, 0
        record._yishi_outage_verdict = verdict
        return verdict


OUTAGE_FILTER = OutageLogFilter()


def install_outage_log_filter(app) -> OutageLogFilter:
    """Put :data:`OUTAGE_FILTER` on the app's logger, the packages' loggers (every module's ``getLogger(__name__)``
    exists once create_app has imported it), their handlers, the root logger's and Python's last-resort handler.
    Idempotent: tests build many apps in one process. ``YISHI_DB_ERROR_LOG_INTERVAL`` sets the interval."""
    OUTAGE_FILTER.interval = float(app.config.get("YISHI_DB_ERROR_LOG_INTERVAL", OUTAGE_LOG_INTERVAL))
    names = [n for n in list(logging.Logger.manager.loggerDict) if n.split(".", 1)[0] in _PACKAGE_LOGGERS]
    loggers = [app.logger, logging.getLogger(), *(logging.getLogger(n) for n in names)]
    handlers = [h for lg in loggers for h in lg.handlers]
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for target in (*loggers, *handlers):
        if OUTAGE_FILTER not in target.filters:
            target.addFilter(OUTAGE_FILTER)
    return OUTAGE_FILTER
