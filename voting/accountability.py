"""Accountability (问责): the escalation of seed 000 第27条 and the interview count of seed 004 — pure functions.

- seed 000 第27条: a unit that fails in its duties is ordered to correct (责令改正); if it refuses, its head is
  interviewed (约谈) and the unit is named in a notice (通报).
- seed 004 §二3 三（强化追责问责）: "一年内被约谈两次以上的，给予通报批评" — two or more interviews of a unit within
  one calendar year call for a circulated criticism (通报批评); "以上" includes the number (民法典 第1259条).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from enum import StrEnum

INTERVIEWS_FOR_CRITICISM = 2  # seed 004 §二3 三：一年内被约谈两次以上


class ActionKind(StrEnum):
    CORRECTION = "correction"  # 责令改正
    INTERVIEW = "interview"  # 约谈
    NOTICE = "notice"  # 通报


ACTION_LABELS = {ActionKind.CORRECTION: "责令改正", ActionKind.INTERVIEW: "约谈", ActionKind.NOTICE: "通报"}


def interviews_in_year(actions: Iterable[tuple[str, _dt.date]], year: int) -> int:
    """How many 约谈 among ``actions`` ((kind, date) pairs of one unit) fall in calendar ``year``."""
    return sum(1 for kind, on in actions if kind == ActionKind.INTERVIEW and on.year == year)


def criticism_due(interviews: int, threshold: int = INTERVIEWS_FOR_CRITICISM) -> bool:
    """通报批评 is called for: ``interviews`` in one calendar year ≥ ``threshold`` (两次以上, 以上 includes the
    number). seed 004 §二3 三; 民法典 第1259条."""
    if interviews < 0 or threshold < 1:
        raise ValueError("counts must be non-negative and the threshold at least 1")
    return interviews >= threshold


def interview_counts(actions: Iterable[tuple[int, str, _dt.date]], year: int) -> dict[int, int]:
    """Per unit id: its 约谈 in ``year``, from (unit_id, kind, date) triples. Units without one are absent."""
    out: dict[int, int] = {}
    for unit_id, kind, on in actions:
        if kind == ActionKind.INTERVIEW and on.year == year:
            out[unit_id] = out.get(unit_id, 0) + 1
    return out


__all__ = [
    "ACTION_LABELS",
    "INTERVIEWS_FOR_CRITICISM",
    "ActionKind",
    "criticism_due",
    "interview_counts",
    "interviews_in_year",
]
