"""voting/deadlines.py: working days across the 2024–2026 holidays and 调休 weekends (State Council notices, through
the chinesecalendar package), month ends, the fallback past the package's years with and without the office's
overrides, and the warning levels at every boundary. Expected values are read off the published holiday notices,
not computed by the code under test."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from voting import deadlines
from voting.deadlines import Period, Warning, WarningThresholds
from voting.profiles import load_profile

D = date.fromisoformat


# ---------------------------------------------------------------- working days inside the package's years


@pytest.mark.parametrize(
    "day, working, why",
    [
        ("2024-02-09", True, "2024 除夕 was a working day (holiday 2月10日—17日)"),
        ("2024-02-12", False, "春节 2024 (Monday)"),
        ("2024-02-04", True, "调休: Sunday worked before 春节 2024"),
        ("2024-02-18", True, "调休: Sunday worked after 春节 2024"),
        ("2024-04-07", True, "调休 for 清明 2024 (Sunday)"),
        ("2024-05-01", False, "劳动节 2024"),
        ("2024-05-11", True, "调休 for 劳动节 2024 (Saturday)"),
        ("2024-09-14", True, "调休 for 中秋 2024 (Saturday)"),
        ("2024-10-07", False, "国庆 2024 last day (Monday)"),
        ("2024-10-12", True, "调休 for 国庆 2024 (Saturday)"),
        ("2025-01-01", False, "元旦 2025"),
        ("2025-01-26", True, "调休 for 春节 2025 (Sunday)"),
        ("2025-02-04", False, "春节 2025 last day (Tuesday)"),
        ("2025-02-08", True, "调休 for 春节 2025 (Saturday)"),
        ("2025-04-27", True, "调休 for 劳动节 2025 (Sunday)"),
        ("2025-10-08", False, "国庆、中秋 2025 (Wednesday)"),
        ("2025-10-11", True, "调休 for 国庆 2025 (Saturday)"),
        ("2026-01-02", False, "元旦 2026 (Friday)"),
        ("2026-01-04", True, "调休 for 元旦 2026 (Sunday)"),
        ("2026-02-14", True, "调休 for 春节 2026 (Saturday)"),
        ("2026-02-23", False, "春节 2026 last day (Monday)"),
        ("2026-02-28", True, "调休 for 春节 2026 (Saturday)"),
        ("2026-10-01", False, "国庆 2026"),
        ("2024-06-15", False, "an ordinary Saturday"),
        ("2024-06-17", True, "an ordinary Monday"),
    ],
)
def test_is_working_day_follows_the_state_council_notices(day, working, why):
    assert deadlines.is_working_day(D(day)) is working, why


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2024-02-08", 1, "2024-02-09"),  # Thursday → Friday (除夕 worked)
        ("2024-02-09", 1, "2024-02-18"),  # over 春节 2024 to the 调休 Sunday
        ("2024-02-09", 2, "2024-02-19"),
        ("2024-09-30", 1, "2024-10-08"),  # over 国庆 2024
        ("2024-10-11", 1, "2024-10-12"),  # Friday → the 调休 Saturday
        ("2024-12-31", 1, "2025-01-02"),  # over 元旦, across the year end
        ("2025-01-24", 1, "2025-01-26"),  # Friday → the 调休 Sunday
        ("2025-01-27", 1, "2025-02-05"),  # over 春节 2025 (1月28日—2月4日)
        ("2025-09-30", 1, "2025-10-09"),  # over 国庆、中秋 2025 (10月1日—8日)
        ("2025-12-31", 1, "2026-01-04"),  # over 元旦 2026 to the 调休 Sunday
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),  # over 春节 2026 (2月15日—23日)
        ("2024-06-14", 5, "2024-06-21"),  # an ordinary week: weekend skipped
        ("2024-06-14", 0, "2024-06-14"),  # n = 0 is the start itself
    ],
)
def test_add_working_days(start, n, expected):
    assert deadlines.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2024-02-09", "2024-02-19", 2),
        ("2024-02-19", "2024-02-09", -2),
        ("2024-09-30", "2024-10-08", 1),
        ("2024-06-14", "2024-06-14", 0),
        ("2024-06-14", "2024-06-21", 5),
    ],
)
def test_working_days_between(start, end, expected):
    assert deadlines.working_days_between(D(start), D(end)) == expected


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        deadlines.add_working_days(D("2024-06-14"), -1)


def test_an_override_wins_inside_the_covered_years():
    """A local holiday entered by the office moves a deadline even where the package knows the year."""
    overrides = {D("2024-10-08"): False}
    assert deadlines.add_working_days(D("2024-09-30"), 1, overrides) == D("2024-10-09")
    assert deadlines.is_working_day(D("2024-10-12"), {D("2024-10-12"): False}) is False


# ---------------------------------------------------------------- past the package's years


@pytest.fixture
def uncovered_2027():
    years = deadlines.calendar_years()
    assert years is not None and years[0] <= 2024 and years[1] >= 2026
    if deadlines.calendar_covers(D("2027-01-01")):
        pytest.skip("the holiday package now covers 2027: move these cases to its first uncovered year")


def test_coverage_edges(uncovered_2027):
    assert deadlines.calendar_covers(D("2026-12-31"))
    assert not deadlines.calendar_covers(D("2027-01-01"))
    assert not deadlines.calendar_covers(D("2003-12-31"))


@pytest.mark.parametrize(
    "day, overrides, working",
    [
        ("2027-01-01", None, True),  # a Friday: without the office's entries a weekday is a working day
        ("2027-01-01", {"2027-01-01": False}, False),  # 元旦 entered by the office
        ("2027-01-09", None, False),  # a Saturday
        ("2027-01-09", {"2027-01-09": True}, True),  # an adjusted working Saturday entered by the office
    ],
)
def test_fallback_past_the_package(uncovered_2027, day, overrides, working):
    ov = {D(k): v for k, v in (overrides or {}).items()}
    assert deadlines.is_working_day(D(day), ov) is working


@pytest.mark.parametrize(
    "start, n, overrides, expected",
    [
        ("2026-12-31", 1, None, "2027-01-01"),  # into the uncovered year: 1月1日 counts (a Friday)
        ("2026-12-31", 1, {"2027-01-01": False}, "2027-01-04"),  # with 元旦 entered: Monday
        ("2027-01-08", 1, {"2027-01-09": True}, "2027-01-09"),  # the 调休 Saturday entered
        ("2027-01-08", 1, None, "2027-01-11"),
    ],
)
def test_add_working_days_past_the_package(uncovered_2027, start, n, overrides, expected):
    ov = {D(k): v for k, v in (overrides or {}).items()}
    assert deadlines.add_working_days(D(start), n, ov) == D(expected)


# ---------------------------------------------------------------- calendar periods and month ends


@pytest.mark.parametrize(
    "start, amount, unit, expected",
    [
        ("2024-01-31", 1, "months", "2024-02-29"),  # clamped to the leap February
        ("2023-01-31", 1, "months", "2023-02-28"),
        ("2024-03-31", 1, "months", "2024-04-30"),
        ("2024-08-31", 6, "months", "2025-02-28"),
        ("2024-10-31", 5, "months", "2025-03-31"),
        ("2024-09-30", 5, "months", "2025-02-28"),
        ("2024-12-15", 1, "months", "2025-01-15"),  # across the year end
        ("2024-01-10", 30, "days", "2024-02-09"),
        ("2024-12-25", 2, "weeks", "2025-01-08"),
        ("2024-02-08", 3, "working_days", "2024-02-19"),  # 2月9日, the 调休 18日, 19日
    ],
)
def test_due_date(start, amount, unit, expected):
    assert deadlines.due_date(D(start), Period(amount, unit)) == D(expected)


def test_profile_periods_from_the_seeds():
    """Plan within 30 days (seed 000 第15条); NPC periods 2 weeks / 1 month / 5 months / 6 months (seed 004)."""
    ex = load_profile().execution
    start = D("2024-01-31")
    assert deadlines.due_date(start, ex.plan_due) == D("2024-03-01")
    assert deadlines.due_date(start, ex.npc["department_plan"]) == D("2024-02-14")
    assert deadlines.due_date(start, ex.npc["government_plan"]) == D("2024-02-29")
    assert deadlines.due_date(start, ex.npc["reply"]) == D("2024-06-30")
    assert deadlines.due_date(start, ex.npc["report"]) == D("2024-07-31")


@pytest.mark.parametrize("amount, unit", [(1, "fortnights"), (-1, "days")])
def test_bad_periods_are_refused(amount, unit):
    with pytest.raises(ValueError):
        Period(amount, unit)


# ---------------------------------------------------------------- warning levels

DEADLINE = D("2024-06-30")
T = WarningThresholds(blue_days=15, yellow_days=5)


@pytest.mark.parametrize(
    "days_before, finished, level",
    [
        (40, False, Warning.NONE),
        (16, False, Warning.NONE),  # one day more than blue_days
        (15, False, Warning.BLUE),  # exactly blue_days
        (6, False, Warning.BLUE),
        (5, False, Warning.YELLOW),  # exactly yellow_days
        (1, False, Warning.YELLOW),
        (0, False, Warning.YELLOW),  # the deadline day itself is still in time
        (-1, False, Warning.RED),  # the day after
        (-30, False, Warning.RED),
        (-1, True, Warning.NONE),  # finished (已办结 / 已销号): no warning, even past the deadline
        (3, True, Warning.NONE),
    ],
)
def test_warning_levels_at_every_boundary(days_before, finished, level):
    today = DEADLINE - timedelta(days=days_before)
    assert deadlines.warning_level(DEADLINE, today, finished, T) == level


def test_no_deadline_no_warning():
    assert deadlines.warning_level(None, DEADLINE, False, T) == Warning.NONE


@pytest.mark.parametrize(
    "blue, yellow, days_before, level",
    [
        (10, 3, 10, Warning.BLUE),
        (10, 3, 11, Warning.NONE),
        (10, 3, 3, Warning.YELLOW),
        (10, 3, 4, Warning.BLUE),
        (7, 0, 0, Warning.YELLOW),
        (7, 0, 1, Warning.BLUE),
        (0, 0, 1, Warning.NONE),
        (0, 0, 0, Warning.YELLOW),
    ],
)
def test_other_thresholds(blue, yellow, days_before, level):
    t = WarningThresholds(blue_days=blue, yellow_days=yellow)
    assert deadlines.warning_level(DEADLINE, DEADLINE - timedelta(days=days_before), False, t) == level


@pytest.mark.parametrize("blue, yellow", [(5, 6), (5, -1)])
def test_thresholds_must_be_ordered(blue, yellow):
    with pytest.raises(ValueError):
        WarningThresholds(blue_days=blue, yellow_days=yellow)


@pytest.mark.parametrize(
    "today, finished, overdue",
    [
        ("2024-06-30", False, False),
        ("2024-07-01", False, True),
        ("2024-07-01", True, False),
        ("2024-06-29", False, False),
    ],
)
def test_is_overdue(today, finished, overdue):
    assert deadlines.is_overdue(DEADLINE, D(today), finished) is overdue
    assert deadlines.is_overdue(None, D(today), finished) is False
