"""meeting.db.UTCDateTime: a moment is stored in UTC and read back aware, the same instant, whatever the session's
time zone — on PostgreSQL checked under ``SET TIME ZONE 'Asia/Shanghai'`` (the zone the app shows times in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from meeting.clock import cn_datetime
from meeting.columns import UTCDateTime
from meeting.db import create_schema, make_engine
from meeting.models import Person

AT = datetime(2023, 12, 9, 1, 30, 15, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    create_schema(e)
    yield e
    e.dispose()


def _in_zone(engine, zone: str):
    """The same database, every connection's session time zone set to ``zone`` (PostgreSQL)."""
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))

    @sa.event.listens_for(other, "connect")
    def _zone(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET TIME ZONE '{zone}'")
        dbapi_conn.commit()

    return other


def test_a_moment_written_in_any_zone_is_read_back_the_same_instant_in_utc(engine):
    with Session(engine) as s:
        s.add(Person(name="张建国", created_at=AT.astimezone(SHANGHAI)))
        s.commit()
    with Session(engine) as s:
        got = s.exec(select(Person.created_at)).one()
    assert got == AT and got.utcoffset() == timedelta(0)
    assert cn_datetime(got) == "2023年12月9日 09:30"


def test_a_naive_moment_is_refused(engine):
    with Session(engine) as s, pytest.raises(StatementError, match="time zone"):
        s.add(Person(name="张建国", created_at=datetime(2023, 12, 9, 9, 30)))
        s.commit()


def test_sqlite_stores_the_utc_wall_clock_time(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's storage")
    with Session(engine) as s:
        s.add(Person(name="张建国", created_at=AT.astimezone(SHANGHAI)))
        s.commit()
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT created_at FROM person")).scalar_one().startswith("2023-12-09 01:30:15")


def test_postgresql_under_shanghai_time_stores_the_instant(engine):
    """Written by a session in Asia/Shanghai, read by one in UTC and by one in Asia/Shanghai: the same instant, and
    the column (timestamptz) holds 01:30:15 UTC — not the wall-clock time of either session."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's session time zone")
    shanghai = _in_zone(engine, "Asia/Shanghai")
    try:
        with Session(shanghai) as s:
            assert s.execute(sa.text("SHOW TIME ZONE")).scalar_one() == "Asia/Shanghai"
            s.add(Person(name="张建国", created_at=AT))
            s.commit()
        with Session(shanghai) as s:
            assert s.exec(select(Person.created_at)).one() == AT
            assert s.execute(sa.text("SELECT created_at AT TIME ZONE 'UTC' FROM person")).scalar_one() == AT.replace(
                tzinfo=None
            )
    finally:
        shanghai.dispose()
    utc = _in_zone(engine, "UTC")
    try:
        with Session(utc) as s:
            got = s.exec(select(Person.created_at)).one()
    finally:
        utc.dispose()
    assert got == AT and got.utcoffset() == timedelta(0) and cn_datetime(got) == "2023年12月9日 09:30"


def test_the_columns_are_moments_with_their_zone():
    """Every datetime column of every part is a UTCDateTime (timestamptz on PostgreSQL), none a naive DateTime."""
    from sqlmodel import SQLModel

    import execution.models  # noqa: F401
    import minutes.models  # noqa: F401

    columns = [
        c for t in SQLModel.metadata.tables.values() for c in t.c if isinstance(c.type, (sa.DateTime, UTCDateTime))
    ]
    assert len(columns) > 50 and all(isinstance(c.type, UTCDateTime) for c in columns)
    assert all(c.type.impl.timezone for c in columns)
