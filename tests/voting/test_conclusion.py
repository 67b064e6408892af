"""How an item ends (voting/conclusion.py): the boundary cases, one row each."""

import pytest

from voting import conclusion


@pytest.mark.parametrize(
    "status, expected",
    [("pending", False), ("open", False), ("voting", False), ("closed", True), ("deferred", True), ("withdrawn", True)],
)
def test_concluded(status, expected):
    assert conclusion.concluded(status) is expected


@pytest.mark.parametrize(
    "item, meeting, expected",
    [
        ("pending", "in_session", True),
        ("pending", "scheduled", False),  # before the meeting: edit or delete it in the setup instead
        ("pending", "closed", False),
        ("open", "in_session", False),  # opened: decided or 暂缓决策 by whoever presides
        ("voting", "in_session", False),
        ("closed", "in_session", False),
        ("deferred", "in_session", False),
        ("withdrawn", "in_session", False),
    ],
)
def test_may_set_aside(item, meeting, expected):
    assert conclusion.may_set_aside(item, meeting) is expected


@pytest.mark.parametrize("meeting, expected", [("scheduled", True), ("in_session", False), ("closed", False)])
def test_may_delete(meeting, expected):
    assert conclusion.may_delete(meeting) is expected
