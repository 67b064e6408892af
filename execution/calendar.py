"""The office's holiday calendar: HolidayOverride rows as the ``overrides`` mapping voting.deadlines takes, the
package's coverage years, and the notice shown when a deadline falls past them.

voting.deadlines counts working days with the ``chinesecalendar`` package (the State Council's yearly notice).
Past the years it covers, a weekday counts as a working day unless the office has entered that year's holidays
and adjusted working days (调休) here; the screens say so (:func:`coverage_notice`).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from pydantic import Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.errors import NotFound, YishiError
from meeting.schemas import Payload
from voting import deadlines

from .models import HolidayOverride


class DuplicateHoliday(YishiError):
    code = "duplicate_holiday"
    http_status = 409
    msgid = "%(day)s已有节假日设置（%(what)s），如需更改请先删除原设置。"


class HolidayInsideCoverage(YishiError):
    code = "holiday_inside_coverage"
    msgid = (
        "%(day)s在节假日日历已覆盖的年份（%(first)d—%(last)d年）内，以国务院办公厅节假日安排为准；"
        "仅地方性假日可在此登记，请在名称中注明。"
    )
    source = "国务院办公厅关于年度部分节假日安排的通知"


def today() -> date:
    """Today in the configured zone (``YISHI_TODAY`` pins it for tests): the one definition in execution.service."""
    from .service import today as _today

    return _today()


def overrides(s: Session) -> dict[date, bool]:
    """Every HolidayOverride row as date → is a working day (the mapping voting.deadlines takes)."""
    return {h.day: h.working for h in s.exec(select(HolidayOverride))}


def coverage() -> tuple[int, int] | None:
    return deadlines.calendar_years()


def override_years(s: Session) -> set[int]:
    return {d.year for d in s.exec(select(HolidayOverride.day)).all()}


def coverage_notice(day: date | None, entered_years: set[int]) -> str:
    """ "" when ``day`` is inside the package's years (or the office has entered that year); otherwise the sentence
    the screen shows next to the deadline."""
    if day is None or deadlines.calendar_covers(day) or day.year in entered_years:
        return ""
    years = coverage()
    span = f"{years[0]}—{years[1]}" if years else "—"
    return gettext(
        "%(year)d年超出节假日日历的覆盖年份（%(span)s年），该年的工作日暂按周一至周五计算；"
        "请督查室在“节假日设置”中录入该年度的节假日和调休安排。",
        year=day.year,
        span=span,
    )


class HolidayIn(Payload):
    day: date
    working: bool = False
    name: str = Field(default="", max_length=64)


def add_override(s: Session, actor: Actor, data: HolidayIn) -> HolidayOverride:
    years = coverage()
    if years and years[0] <= data.day.year <= years[1] and not data.name:
        raise HolidayInsideCoverage(day=cn(data.day), first=years[0], last=years[1])
    existing = s.exec(select(HolidayOverride).where(HolidayOverride.day == data.day)).first()
    if existing is not None:
        raise DuplicateHoliday(day=cn(data.day), what=existing.name or ("调休上班" if existing.working else "放假"))
    row = HolidayOverride(day=data.day, working=data.working, name=data.name)
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:
        raise DuplicateHoliday(day=cn(data.day), what=data.name or "—") from None
    _event(s, actor, "holiday.added", day=data.day.isoformat(), working=data.working, name=data.name)
    return row


def remove_override(s: Session, actor: Actor, override_id: int) -> None:
    row = s.get(HolidayOverride, override_id)
    if row is None:
        raise NotFound(what="节假日设置")
    s.delete(row)
    _event(s, actor, "holiday.removed", day=row.day.isoformat(), working=row.working, name=row.name)


def listing(s: Session) -> list[HolidayOverride]:
    return list(s.exec(select(HolidayOverride).order_by(col(HolidayOverride.day))).all())


def cn(day: date | datetime | None) -> str:
    """2023年12月9日 (no zero padding)."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _event(s: Session, actor: Actor, kind: str, **data) -> None:
    from .audit import record_event

    record_event(s, actor, kind, None, **data)


__all__ = [
    "HolidayIn",
    "add_override",
    "cn",
    "coverage",
    "coverage_notice",
    "listing",
    "override_years",
    "overrides",
    "remove_override",
    "today",
]
