"""Execution deadlines and warning levels: pure functions over dates and the profile's settings.

Periods come from the rule profile's ``[execution]`` section (each with its source); the product computes them,
nobody types them:

- the execution plan (执行工作方案) is due 30 days after the decision — 呼和浩特市重大行政决策执行办法 第15条
  (seed 000), a profile setting;
- people's-congress resolutions and review opinions (seed 004 §二2): the department's handling plan within 2 weeks,
  the government's plan within 1 month, the signed and sealed reply within 5 months, the report within 6 months.

A period is counted in ``days`` (calendar days), ``weeks``, ``months`` (same day of the month, clamped to the
month's end: 1月31日 + 1 month = 2月28/29日) or ``working_days`` (法定工作日: weekends and public holidays
skipped, adjusted weekend workdays (调休) counted). Working days come from the maintained ``chinesecalendar``
package (the State Council's yearly holiday notice). Past the years it covers, a date counts as a working day
when it is Monday–Friday, unless the office has entered the year's holidays as overrides; callers learn of the
fallback through :func:`calendar_covers` so the screen can say so.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

try:  # a declared dependency; the kernel stays importable (weekdays only) without it
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - it is a dependency; keep the kernel importable without it
    _cc = None

UNITS = ("days", "weeks", "months", "working_days")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS
    label: str = ""  # e.g. 30日内
    source: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"period unit must be one of {UNITS}, not {self.unit!r}")
        if self.amount < 0:
            raise ValueError("a period cannot be negative")


@functools.cache
def calendar_years() -> tuple[int, int] | None:
    """The first and last year the holiday calendar package covers, or None without it (computed once: every
    working-day step asks)."""
    if _cc is None:
        return None
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays] + [d.year for d in constants.workdays]
    return min(years), max(years)


def calendar_covers(day: _dt.date) -> bool:
    years = calendar_years()
    return years is not None and years[0] <= day.year <= years[1]


def is_working_day(day: _dt.date, overrides: Mapping[_dt.date, bool] | None = None) -> bool:
    """法定工作日. ``overrides`` (date → is working day) are the office's own entries and win; then the holiday
    calendar; past its years, Monday to Friday."""
    if overrides and day in overrides:
        return bool(overrides[day])
    if _cc is not None and calendar_covers(day):
        return bool(_cc.is_workday(day))
    return day.weekday() < 5


def add_working_days(start: _dt.date, n: int, overrides: Mapping[_dt.date, bool] | None = None) -> _dt.date:
    """The n-th working day after ``start`` (start itself is not counted; n = 0 gives start)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += _dt.timedelta(days=1)
        if is_working_day(day, overrides):
            n -= 1
    return day


def working_days_between(start: _dt.date, end: _dt.date, overrides: Mapping[_dt.date, bool] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end is before start)."""
    if end < start:
        return -working_days_between(end, start, overrides)
    count, day = 0, start
    while day < end:
        day += _dt.timedelta(days=1)
        count += is_working_day(day, overrides)
    return count


def add_months(start: _dt.date, months: int) -> _dt.date:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return _dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def due_date(start: _dt.date, period: Period, overrides: Mapping[_dt.date, bool] | None = None) -> _dt.date:
    """The last day of ``period`` counted from ``start`` (the day of the decision or of receipt)."""
    if period.unit == "days":
        return start + _dt.timedelta(days=period.amount)
    if period.unit == "weeks":
        return start + _dt.timedelta(weeks=period.amount)
    if period.unit == "months":
        return add_months(start, period.amount)
    return add_working_days(start, period.amount, overrides)


class Warning(StrEnum):  # noqa: A001 - the domain's word (预警), scoped to this module
    NONE = "none"
    BLUE = "blue"  # 蓝色预警: the deadline approaches
    YELLOW = "yellow"  # 黄色预警: the deadline is close
    RED = "red"  # 红色预警: overdue


@dataclass(frozen=True)
class WarningThresholds:
    """Days left (calendar days) at or under which a row turns blue / yellow; overdue is always red."""

    blue_days: int = 15
    yellow_days: int = 5
    source: str = ""

    def __post_init__(self) -> None:
        if not (0 <= self.yellow_days <= self.blue_days):
            raise ValueError("thresholds must satisfy 0 ≤ yellow_days ≤ blue_days")


def warning_level(
    deadline: _dt.date | None, today: _dt.date, finished: bool, thresholds: WarningThresholds = WarningThresholds()
) -> Warning:
    """预警等级 of a ledger row. Finished (已办结/已销号) or without a deadline: none. Overdue (today after the
    deadline): red. Days left ≤ yellow_days: yellow; ≤ blue_days: blue. The deadline day itself has 0 days left.
    seed 004 (清单式、滚动式、销号式 tracking); thresholds are settings."""
    if finished or deadline is None:
        return Warning.NONE
    left = (deadline - today).days
    if left < 0:
        return Warning.RED
    if left <= thresholds.yellow_days:
        return Warning.YELLOW
    if left <= thresholds.blue_days:
        return Warning.BLUE
    return Warning.NONE


def is_overdue(deadline: _dt.date | None, today: _dt.date, finished: bool) -> bool:
    """逾期: not finished and today is after the deadline (the deadline day itself is still in time)."""
    return not finished and deadline is not None and today > deadline
