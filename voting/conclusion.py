"""How an agenda item ends: decided, deferred (暂缓决策 / 暂缓审议), or withdrawn (撤回) — and what may still become
of an item nobody has opened.

The sources:

- 《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3: 一事一议 — each item is
  decided in its turn; 对意见分歧较大或者有重大问题尚不清楚的，应当暂缓决策. An item that cannot be put to this
  meeting (its preparation, e.g. 合法性审查, not complete: 四（一）) is deferred before it is opened (暂缓审议) and comes
  back to a later meeting of the body; or its submitting unit takes it back (撤回).
- the same, 四（二）4: the minutes record each item's conclusion — so a meeting closes only once every item has
  one, and an item that was on the agenda when the meeting opened stays in the record (it is set aside, never
  deleted).
"""

from __future__ import annotations

ITEM_PENDING = "pending"  # on the agenda, not yet opened
ITEM_WITHDRAWN = "withdrawn"
CONCLUDED = ("closed", "deferred", ITEM_WITHDRAWN)  # the statuses that are an item's conclusion
MEETING_SCHEDULED = "scheduled"


def concluded(item_status: str) -> bool:
    """The item has its conclusion: decided, deferred or withdrawn (四（二）3、4)."""
    return item_status in CONCLUDED


def may_set_aside(item_status: str, meeting_status: str) -> bool:
    """暂缓审议 or 撤回 of an item not yet opened, while the meeting is in session (once it is opened, the item is
    decided or 暂缓决策 by whoever presides)."""
    return meeting_status == "in_session" and item_status == ITEM_PENDING


def may_delete(meeting_status: str) -> bool:
    """An item may be deleted from the agenda only before the meeting opens; from then on it was before the meeting
    and its end is recorded (暂缓审议 or 撤回, 四（二）4)."""
    return meeting_status == MEETING_SCHEDULED
