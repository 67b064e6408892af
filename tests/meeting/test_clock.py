"""Times are stored in UTC and shown in Asia/Shanghai; dates as 2023年12月9日 (no zero padding)."""

from datetime import UTC, datetime

import pytest

from meeting.clock import cn_date, cn_datetime, cn_time, from_local, iso_utc, to_local


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2023, 12, 9, 1, 0, tzinfo=UTC), "2023年12月9日"),
        (datetime(2023, 12, 8, 16, 0, tzinfo=UTC), "2023年12月9日"),  # midnight in Shanghai
        (datetime(2023, 12, 8, 15, 59, tzinfo=UTC), "2023年12月8日"),
        (datetime(2024, 1, 5, 2, 0, tzinfo=UTC), "2024年1月5日"),
    ],
)
def test_cn_date_in_shanghai(utc, expected):
    assert cn_date(utc) == expected


def test_wall_clock_time_round_trips_through_utc():
    stored = from_local(datetime(2023, 12, 9, 9, 30))
    assert stored == datetime(2023, 12, 9, 1, 30, tzinfo=UTC)
    assert cn_datetime(stored) == "2023年12月9日 09:30"
    assert cn_time(stored, seconds=True) == "09:30:00"
    assert to_local(stored).utcoffset().total_seconds() == 8 * 3600


def test_naive_values_are_read_as_utc():
    assert cn_time(datetime(2023, 12, 9, 1, 30)) == "09:30"
    assert iso_utc(datetime(2023, 12, 9, 1, 30)) == "2023-12-09T01:30:00Z"


def test_empty_values():
    assert cn_date(None) == "" and cn_time(None) == "" and iso_utc(None) is None
