"""The database engine and the unit of work.

SQLite (WAL) under ``instance/`` by default; PostgreSQL when ``DATABASE_URL`` names it. Services own
transactions: ``with unit_of_work() as s:`` commits on success and rolls back on any exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
import time

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


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
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
            from .chain import upgrade

            upgrade(engine)  # a database made before the event chain (meeting/chain.py)
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
