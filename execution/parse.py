"""Pure: read the decided text of a minutes item ("由区住建局牵头，区财政局、区自然资源局配合，2024年3月31日前完成")
into the fields of an assignment, so the secretary confirms instead of typing.

Parse what can be parsed and leave the rest empty; a person checks every field in the form. Recognised:

- the lead unit: 由××牵头 / 负责 / 承办 / 主办, ××牵头, 牵头单位：××;
- supporting units: ××、××（等部门）配合 / 协助 / 协同 / 参与, 配合单位：××;
- leaders: 分管副区长张三 (responsible, 分管领导), 副区长李四（负责）协调 / 协调领导：李四 (coordinating),
  责任人：王五;
- deadlines, counted from the day of the decision (seed 000 第15条 counts the plan from the decision too):
  2024年3月31日前; 3月31日前 (the next such day on or after the decision); 6月底前; 年底前 / 年内 / 本年度内;
  上半年 / 一季度末 …; 30日内 / 30天内 / 两周内 / 三个月内 / 半年内 / 15个工作日内 (working days through
  :func:`voting.deadlines.add_working_days`). With several dates the latest is the deadline and the others are
  milestones (节点), each with the words that follow it.

No Flask, no database: tested with a table of cases (tests/execution/test_parse.py).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from voting.deadlines import add_months, add_working_days

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"[0-9]+|[零〇一二两三四五六七八九十百]+"
SEP = "，,。；;"
UNIT_CHARS = rf"[^{SEP}、\s：:（）()]"
NAME = r"[\u4e00-\u9fa5·]{2,4}?"
NAME_END = r"(?=同志|负责|牵头|统筹|协调|督促|分管|[，,。；;、（(\s]|$)"
LEADER_TITLES = r"(?:常务)?副?(?:区长|市长|县长|州长|旗长|镇长|乡长|主任|书记|秘书长)"


def cn_int(text: str) -> int | None:
    """'30' → 30, '三十' → 30, '十五' → 15, '二十一' → 21, '两' → 2, '一百' → 100; None if unreadable."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in CN_DIGITS and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for c in text:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + CN_DIGITS[c]
    return total + current


@dataclass
class Parsed:
    lead_unit: str = ""
    supporting_units: list[str] = field(default_factory=list)
    responsible_leader: str = ""
    coordinating_leader: str = ""
    person_responsible: str = ""
    deadline: date | None = None
    deadline_text: str = ""  # the words the deadline was read from, e.g. 6月底前
    milestones: list[tuple[str, date]] = field(default_factory=list)


# ---------------------------------------------------------------- units

_LEAD_PATTERNS = [
    re.compile(rf"牵头单位[：:]\s*(?P<u>{UNIT_CHARS}+)"),
    re.compile(rf"由(?P<u>{UNIT_CHARS}+?)(?:牵头|负责|承办|主办)"),
    re.compile(rf"(?:^|[{SEP}])\s*(?P<u>{UNIT_CHARS}+?)牵头"),
]
_SUPPORT_PATTERNS = [
    re.compile(rf"配合单位[：:]\s*(?P<u>[^{SEP}]+)"),
    re.compile(
        rf"(?:牵头|负责|承办|主办)(?:负责)?[，,、\s]*(?P<u>[^{SEP}]+?)(?:等(?:有关|相关)?(?:部门|单位))?"
        r"(?:积极|共同|全力)?(?:配合|协助|协同|参与)"
    ),
]


def _units(text: str) -> list[str]:
    names = []
    for part in re.split(r"[、，,和及与]|以及", text):
        part = re.sub(r"^(?:由|请)", "", part.strip())
        part = re.sub(r"等(?:有关|相关)?(?:部门|单位)$", "", part).strip()
        if part and part not in names:
            names.append(part)
    return names


def _is_leader(words: str) -> bool:
    return bool(re.search(LEADER_TITLES, words)) or "分管" in words


def parse_units(text: str) -> tuple[str, list[str]]:
    lead = ""
    for pat in _LEAD_PATTERNS:
        for m in pat.finditer(text):
            if not _is_leader(m.group("u")):
                lead = m.group("u").strip()
                break
        if lead:
            break
    supporting: list[str] = []
    for pat in _SUPPORT_PATTERNS:
        m = pat.search(text)
        if m:
            supporting = [u for u in _units(m.group("u")) if u != lead and not _is_leader(u)]
            break
    return lead, supporting


# ---------------------------------------------------------------- leaders

_RESPONSIBLE = re.compile(rf"分管(?:领导|{LEADER_TITLES})[：:]?\s*(?P<n>{NAME}){NAME_END}")
_COORDINATING = [
    re.compile(rf"协调领导[：:]\s*(?P<n>{NAME}){NAME_END}"),
    re.compile(rf"(?<!分管){LEADER_TITLES}(?P<n>{NAME})(?:同志)?(?:负责|牵头)?(?:统筹)?协调"),
    re.compile(rf"(?P<n>{NAME})(?:{LEADER_TITLES})(?:同志)?(?:负责|牵头)?(?:统筹)?协调"),
]
_PERSON = re.compile(rf"责任人[：:]\s*(?P<n>{NAME}){NAME_END}")


def parse_leaders(text: str) -> tuple[str, str, str]:
    m = _RESPONSIBLE.search(text)
    responsible = m.group("n") if m else ""
    coordinating = ""
    for pat in _COORDINATING:
        m = pat.search(text)
        if m and m.group("n") != responsible:
            coordinating = m.group("n")
            break
    m = _PERSON.search(text)
    return responsible, coordinating, m.group("n") if m else ""


# ---------------------------------------------------------------- deadlines


def _next_on_or_after(start: date, month: int, day: int) -> date | None:
    for year in (start.year, start.year + 1):
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            continue
        d = date(year, month, day)
        if d >= start:
            return d
    return None


def _month_end(start: date, month: int) -> date:
    year = start.year if month >= start.month else start.year + 1
    return date(year, month, calendar.monthrange(year, month)[1])


QUARTER_ENDS = {1: 3, 2: 6, 3: 9, 4: 12}
_DATE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2}|[一二三四五六七八九十]+)月(?:(?P<d>\d{1,2}|[一二三四五六七八九十]+)日"
    r"(?:前|之前|以前|止)|(?P<end>底|末)(?:前|之前)?)"
)
_YEAR_END = re.compile(r"(?:(?P<y>\d{4})年|(?:本年度|今年|当年)?年)(?:底|末)(?:前|之前)?|(?:本年度|年)内")
_HALF = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<h>上|下)半年|(?:第)?(?P<q>[一二三四1-4])季度)(?:末|底)?(?:前|内)?")
_WITHIN = re.compile(rf"(?P<n>{NUM}|半)(?:个)?(?P<u>工作日|日|天|周|星期|个月|月|年)(?:以)?内")


def _within(start: date, n: int, unit: str, holidays: Mapping[date, bool] | None) -> date:
    if unit == "工作日":
        return add_working_days(start, n, holidays)
    if unit in ("日", "天"):
        return start + timedelta(days=n)
    if unit in ("周", "星期"):
        return start + timedelta(weeks=n)
    if unit in ("个月", "月"):
        return add_months(start, n)
    return add_months(start, 12 * n)


def _dates(text: str, start: date, holidays: Mapping[date, bool] | None) -> list[tuple[int, int, date]]:
    """(position, end, date) of every deadline phrase, in text order."""
    found: list[tuple[int, int, date]] = []
    taken: list[range] = []

    def add(m: re.Match, d: date | None) -> None:
        if d is None or any(m.start() in r for r in taken):
            return
        taken.append(range(m.start(), m.end()))
        found.append((m.start(), m.end(), d))

    for m in _DATE.finditer(text):
        month = cn_int(m.group("m"))
        if month is None or not 1 <= month <= 12:
            continue
        if m.group("end"):
            if m.group("y"):
                y = int(m.group("y"))
                add(m, date(y, month, calendar.monthrange(y, month)[1]))
            else:
                add(m, _month_end(start, month))
            continue
        day = cn_int(m.group("d"))
        if day is None:
            continue
        if m.group("y"):
            y = int(m.group("y"))
            if 1 <= day <= calendar.monthrange(y, month)[1]:
                add(m, date(y, month, day))
        else:
            add(m, _next_on_or_after(start, month, day))
    for m in _YEAR_END.finditer(text):
        add(m, date(int(m.group("y")) if m.group("y") else start.year, 12, 31))
    for m in _HALF.finditer(text):
        y = int(m.group("y")) if m.group("y") else start.year
        if m.group("h"):
            add(m, date(y, 6, 30) if m.group("h") == "上" else date(y, 12, 31))
        else:
            q = cn_int(m.group("q")) or 4
            month = QUARTER_ENDS[q]
            add(m, date(y, month, calendar.monthrange(y, month)[1]))
    for m in _WITHIN.finditer(text):
        unit = m.group("u")
        if m.group("n") == "半":
            n, unit = (6, "个月") if unit == "年" else (15, "日") if unit in ("个月", "月") else (0, unit)
        else:
            n = cn_int(m.group("n"))
        if n:
            add(m, _within(start, n, unit, holidays))
    return sorted(found)


def _what_follows(text: str, end: int) -> str:
    """The words after a date up to the next separator: 完成初步设计 (a milestone's title)."""
    rest = re.split(rf"[{SEP}]", text[end:], maxsplit=1)[0].strip()
    return rest[:200]


def parse_deadlines(
    text: str, decided_on: date, holidays: Mapping[date, bool] | None = None
) -> tuple[date | None, str, list[tuple[str, date]]]:
    found = _dates(text, decided_on, holidays)
    if not found:
        return None, "", []
    last = max(found, key=lambda f: (f[2], f[0]))
    milestones = [
        (_what_follows(text, end) or text[pos:end], d) for pos, end, d in found if (pos, end, d) != last and d < last[2]
    ]
    return last[2], text[last[0] : last[1]], milestones


def parse_decision(text: str, decided_on: date, holidays: Mapping[date, bool] | None = None) -> Parsed:
    """Everything that can be read from the decided text; empty fields where nothing was found."""
    text = (text or "").replace("\u3000", " ")
    lead, supporting = parse_units(text)
    responsible, coordinating, person = parse_leaders(text)
    deadline, said, milestones = parse_deadlines(text, decided_on, holidays)
    return Parsed(lead, supporting, responsible, coordinating, person, deadline, said, milestones)
