"""Time: stored as timezone-aware UTC, shown in the configured zone (Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(dt: datetime | None, zone: str = DEFAULT_ZONE) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(ZoneInfo(zone))


def from_local(dt: datetime, zone: str = DEFAULT_ZONE) -> datetime:
    """A wall-clock time typed by a person in ``zone`` → aware UTC for storage."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    return dt.astimezone(UTC)


def cn_date(dt: datetime | None, zone: str = DEFAULT_ZONE) -> str:
    """2023年12月9日 — Arabic numerals, no zero padding (GB/T 9704-2012)."""
    local = to_local(dt, zone)
    return "" if local is None else f"{local.year}年{local.month}月{local.day}日"


def cn_time(dt: datetime | None, zone: str = DEFAULT_ZONE, seconds: bool = False) -> str:
    local = to_local(dt, zone)
    if local is None:
        return ""
    return local.strftime("%H:%M:%S" if seconds else "%H:%M")


def cn_datetime(dt: datetime | None, zone: str = DEFAULT_ZONE) -> str:
    return "" if dt is None else f"{cn_date(dt, zone)} {cn_time(dt, zone)}"


def iso_utc(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_utc(dt: datetime) -> datetime:
    """A time, zone attached. Columns read back aware (meeting.db.UTCDateTime); a value read by raw SQL on SQLite
    comes back naive, and is UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
