"""Column types of the record, shared by every part's models (a module of its own: the models import it, and
meeting/db.py imports the models to migrate them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import types


class UTCDateTime(types.TypeDecorator):
    """A moment: stored in UTC, read back as an aware UTC datetime on every database, so no caller patches a naive
    read. PostgreSQL keeps it as ``timestamp with time zone`` (an instant: the session's ``TimeZone`` changes how it
    is printed, never what is stored or read back); SQLite as the UTC wall-clock text without an offset (what
    ``create_all`` made with SQLModel's type: the same columns, the same stored values). A naive value is refused:
    it is not known which zone it is in (``clock.from_local`` makes a typed wall-clock time a moment)."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def coerce_compared_value(self, op, value):
        if isinstance(value, timedelta):  # ``column + interval`` stays an interval
            return types.Interval()
        return self

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(
                f"a moment needs its time zone (a naive {value!r} was given): use clock.utcnow() or clock.from_local()"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:  # SQLite: the UTC wall-clock time as written
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
