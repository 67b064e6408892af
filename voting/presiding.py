"""Who presides over an item (主持本议题): the chair, or — when the chair is recused from it — an acting chair.

A recused member leaves the item: no vote, no view of its deliberation (《洮北区人民政府“三重一大”事项决策实施办法
（试行）》（白洮政发〔2023〕14号）四（二）5；《中华人民共和国公务员法》第七十六条). The chair is no exception: a
chair recused from an item may not preside over it — not speak last on it, not defer it, not decide it, not see its
tally. Someone else presides over that item and speaks last on it in the chair's place (会议主持人应当最后发表意见,
四（二）2). Who that is, the sources do not say: it is a setting of the rule profile (``[presiding]``), with its
source. The rules:

- ``next_in_seniority`` (the default): the deputy first in seniority order — the first present, non-recused
  member after the chair in seat seniority, wrapping round to the most senior when no one after the chair can;
- ``most_senior``: the most senior present, non-recused member, wherever the chair sits.

Nobody may preside (``None``) when no present member is free of the recusal: the item then cannot be decided in
this meeting (the quorum would fail first in any real room).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum


class PresidingRule(StrEnum):
    NEXT_IN_SENIORITY = "next_in_seniority"
    MOST_SENIOR = "most_senior"


def presiding_person(
    *,
    chair_id: int,
    seniority_order: Sequence[int],
    present: Iterable[int],
    recused: Iterable[int],
    rule: PresidingRule | str = PresidingRule.NEXT_IN_SENIORITY,
) -> int | None:
    """The person who presides over an item: the chair unless recused from it, else the acting chair by ``rule``.

    ``seniority_order``: the meeting's seats' persons, most senior first (the chair among them or not: a delegated
    chair has a seat; a chair without one is placed before everyone). ``present``: who is in the room (present or
    late). ``recused``: who is recused from the item.
    """
    rule = PresidingRule(rule)
    recused = frozenset(recused)
    if chair_id not in recused:
        return chair_id
    present = frozenset(present)
    order = list(dict.fromkeys(seniority_order))
    candidates = [p for p in order if p in present and p not in recused and p != chair_id]
    if not candidates:
        return None
    if rule == PresidingRule.MOST_SENIOR or chair_id not in order:
        return candidates[0]
    after = order.index(chair_id)
    rank = {p: i for i, p in enumerate(order)}
    later = [p for p in candidates if rank[p] > after]
    return later[0] if later else candidates[0]
