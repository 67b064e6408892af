"""Whether the 会议议定 text the secretary writes agrees with the item's result (pure).

《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）6: 应当如实记录会议有关情况 …
并形成会议纪要; 《重大行政决策程序暂行条例》（国务院令第713号）第三十条: 集体讨论情况和决定应当如实记录. A 纪要 whose
议定 text reads "暂缓" for an item that passed, or "原则同意……由……牵头" for an item deferred, records a decision the
meeting did not take.

The reading is deliberately narrow, so a correct text is never refused: what the text *decides* is read from its first
clause (up to the first ，。；：), after the usual lead-in (会议议定：/ 经研究，); a passed item's text may go on to defer
or refuse a part ("原则同意方案，其中二期工程暂缓实施"). A deferred or not-passed item's text must say so somewhere,
and its first clause may not read as agreement.
"""

from __future__ import annotations

import re
from enum import StrEnum

from .vocabulary import ItemResult

SOURCE = "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）6"

PASSED, NOT_PASSED, DEFERRED = "passed", "not_passed", "deferred"

DEFER_WORDS = ("暂缓", "缓议", "推迟", "择期", "另行研究", "再行研究", "再作决策", "再提交", "再议", "暂不决策")
REJECT_WORDS = ("不同意", "未通过", "不通过", "不予通过", "不予同意", "不予批准", "未获通过", "否决", "退回")
AGREE_WORDS = ("同意", "通过", "批准")
LEAD_INS = ("会议议定：", "会议议定:", "会议议定", "经研究，", "经研究,", "经讨论，", "经讨论,", "会议决定", "会议")


class Contradiction(StrEnum):
    """How a 议定 text contradicts its item's result (the message is :data:`MESSAGES`)."""

    PASSED_READS_DEFERRED = "passed_reads_deferred"
    PASSED_READS_REJECTED = "passed_reads_rejected"
    DEFERRED_READS_AGREED = "deferred_reads_agreed"
    DEFERRED_NOT_STATED = "deferred_not_stated"
    NOT_PASSED_READS_AGREED = "not_passed_reads_agreed"
    NOT_PASSED_NOT_STATED = "not_passed_not_stated"


MESSAGES = {
    Contradiction.PASSED_READS_DEFERRED: "该议题已通过，议定内容却写为暂缓",
    Contradiction.PASSED_READS_REJECTED: "该议题已通过，议定内容却写为不同意或未通过",
    Contradiction.DEFERRED_READS_AGREED: "该议题暂缓决策，议定内容却写为同意",
    Contradiction.DEFERRED_NOT_STATED: "该议题暂缓决策，议定内容未写明暂缓",
    Contradiction.NOT_PASSED_READS_AGREED: "该议题未通过，议定内容却写为同意",
    Contradiction.NOT_PASSED_NOT_STATED: "该议题未通过，议定内容未写明未通过",
}


def outcome(result: str | None) -> str | None:
    """The result as the 纪要 states it: passed (通过, or adopted by the head), not passed (未通过, or rejected by the
    head), deferred; None while undecided."""
    if result in (ItemResult.PASSED, ItemResult.HEAD_ADOPTED):
        return PASSED
    if result in (ItemResult.NOT_PASSED, ItemResult.HEAD_REJECTED):
        return NOT_PASSED
    if result == ItemResult.DEFERRED:
        return DEFERRED
    return None


def first_clause(text: str) -> str:
    """What the text decides: its first clause, after the lead-in."""
    t = text.strip()
    for lead in LEAD_INS:
        if t.startswith(lead):
            t = t[len(lead) :].lstrip("，,：: ")
            break
    return re.split(r"[，。；：,;:！!\n]", t, maxsplit=1)[0]


def _has(text: str, words) -> bool:
    return any(w in text for w in words)


def reads_agreed(clause: str) -> bool:
    """The clause agrees (同意/通过/批准) once the refusing words (不同意, 未通过 …) are taken out."""
    for w in REJECT_WORDS:
        clause = clause.replace(w, "")
    return _has(clause, AGREE_WORDS)


def states_deferral(text: str) -> bool:
    return _has(text, DEFER_WORDS)


def states_rejection(text: str) -> bool:
    return _has(text, REJECT_WORDS)


def contradiction(result: str | None, text: str) -> Contradiction | None:
    """How ``text`` (the 议定 text as typed) contradicts ``result`` (an :class:`ItemResult` value), or None.
    An empty text contradicts nothing (the default sentence for the result is offered instead)."""
    if not text or not text.strip():
        return None
    kind = outcome(result)
    clause = first_clause(text)
    if kind == PASSED:
        if states_deferral(clause):
            return Contradiction.PASSED_READS_DEFERRED
        if states_rejection(clause):
            return Contradiction.PASSED_READS_REJECTED
    elif kind == DEFERRED:
        if reads_agreed(clause) and not states_deferral(clause):
            return Contradiction.DEFERRED_READS_AGREED
        if not states_deferral(text):
            return Contradiction.DEFERRED_NOT_STATED
    elif kind == NOT_PASSED:
        if reads_agreed(clause) and not states_rejection(clause):
            return Contradiction.NOT_PASSED_READS_AGREED
        if not states_rejection(text):
            return Contradiction.NOT_PASSED_NOT_STATED
    return None


__all__ = ["MESSAGES", "SOURCE", "Contradiction", "contradiction", "first_clause", "outcome"]
