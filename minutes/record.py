"""Pure: the stored record of a meeting (plain data, see :mod:`minutes.load`) → structured minutes.

No Flask, no database, no python-docx. The same structure feeds the JSON API, the docx documents and, later, the
execution ledger. Labels come from :mod:`voting.vocabulary`, dates are written the GB/T 9704-2012 way.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from voting import conclusion, decided_text
from voting.vocabulary import (
    ATTENDANCE_LABELS,
    ITEM_CATEGORY_LABELS,
    ITEM_RESULT_LABELS,
    SET_ASIDE_LABELS,
    STANCE_LABELS,
    ItemCategory,
    ItemResult,
    Stance,
)

CN_NUMERALS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (up to 99), for 一、关于…… headings."""
    if n < 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens] if tens > 1 else "") + "十" + (CN_NUMERALS[ones] if ones else "")


def cn_date(d: date | datetime | None) -> str:
    """2023年12月9日: Arabic numerals, no zero padding (GB/T 9704-2012). ``d`` is already local."""
    return "" if d is None else f"{d.year}年{d.month}月{d.day}日"


def hm(d: datetime | None) -> str:
    return "" if d is None else d.strftime("%H:%M")


# ---------------------------------------------------------------- input: plain rows (built by minutes.load)


@dataclass
class SeatRow:
    person_id: int
    name: str
    title: str
    attendance: str
    absence_reason: str = ""
    arrived_at: datetime | None = None  # local time
    left_at: datetime | None = None


@dataclass
class MovementRow:
    """One arrival or departure after the meeting opened (read from the attendance events): ``kind`` is
    arrived (late), left or returned."""

    person_id: int
    at: datetime  # local time
    kind: str
    reason: str = ""


@dataclass
class OpinionRow:
    person_id: int
    name: str
    stance: str
    reason: str
    is_chair: bool
    version: int = 1
    proxy_by: str = ""  # deadends: 代录 — the secretary recorded it on the member's behalf


@dataclass
class WrittenRow:
    person_id: int
    name: str
    stance: str
    reason: str
    submitted_by: str


@dataclass
class RecusalRow:
    person_id: int
    name: str
    relation_type: str
    relation_label: str
    subject: str
    reason: str
    basis: str
    source: str
    kinship: tuple[str, ...] = ()  # the words an office writes for a relation of this type (relations.toml)


@dataclass
class RoundRow:
    number: int
    result: str | None
    tally: dict
    head_adopt: bool | None
    head_reason: str
    defer_reason: str
    reconsider_reason: str
    reconsider_agreeing: list[str]
    opinions: list[OpinionRow]  # in the order given (Opinion.id)
    written: list[WrittenRow]


@dataclass
class Texts:
    """What the secretary writes: 会议听取了…… / 会议认为…… / 会议议定：…… with units and deadline."""

    discussion: str = ""
    considered: str = ""
    decided: str = ""
    lead_unit: str = ""
    supporting_units: str = ""
    deadline: date | None = None


@dataclass
class ItemRow:
    id: int
    position: int
    title: str
    category: str
    presenter: str
    submitting_unit: str
    summary: str
    confidential: bool
    status: str
    amount_yuan: int | None
    materials: list[str]
    subjects: list[str]  # "姓名（拟任……）"
    recusals: list[RecusalRow]
    rounds: list[RoundRow]
    texts: Texts
    started_at: datetime | None = None  # local: when the item was opened (item.opened)
    ended_at: datetime | None = None  # local: when its last round closed (decided or deferred)


@dataclass
class Source:
    meeting_id: int
    title: str  # meeting.state.meeting_title
    body_name: str
    kind: str
    kind_label: str
    session_number: int
    starts_at: datetime  # local
    place: str
    chair_name: str
    chair_title: str
    delegated_by: str  # name of the head who delegated, or ""
    recorder: str
    status: str
    seats: list[SeatRow]
    observers: list[tuple[str, str, str]]  # name, unit, role
    items: list[ItemRow]
    minutes_status: str = "draft"
    issue_number: int | None = None
    amendments: list[dict] = field(default_factory=list)
    chair_person_id: int | None = None
    delegated_by_title: str = ""  # 区长 — the head who delegated the chair
    opened_at: datetime | None = None  # local: the actual opening (meeting.opened)
    closed_at: datetime | None = None  # local: the actual closing (meeting.closed)
    movements: list[MovementRow] = field(default_factory=list)  # arrivals and departures after the opening
    requirements: str = ""  # 会议要求/会议强调: the secretary's text for the meeting, optional
    classification: str = ""  # 密级, when one is set
    # the 版头 and 版记 the secretary may set on the minutes (minutes.models.Minutes; "" = the default)
    issue_label: str = ""
    issuing_office: str = ""
    distribution: str = ""
    copy_to: str = ""


# ---------------------------------------------------------------- output: the structured minutes


@dataclass
class Attendee:
    name: str
    title: str
    attendance: str
    attendance_label: str
    note: str = ""  # 请假事由 / 迟到 09:20 / 09:40 离席
    movements: str = ""  # 09:20到会；10:05因接待上级检查组离席，10:40返回
    departures: str = ""  # 10:05因接待上级检查组离席，10:40返回 — from the first departure on


@dataclass
class OpinionOut:
    order: int
    name: str
    stance: str
    stance_label: str
    reason: str
    is_chair: bool
    dissent: bool  # differs from the result
    proxy: bool = False  # deadends: 代录 — its name reads 某某（代录）


@dataclass
class WrittenOut:
    name: str
    stance: str
    stance_label: str
    reason: str
    submitted_by: str
    counted: bool


@dataclass
class RoundOut:
    number: int
    result: str | None
    result_label: str
    opinions: list[OpinionOut]
    written: list[WrittenOut]
    tally: dict
    tally_text: str
    threshold: str  # e.g. 赞成票超过应到会成员半数
    threshold_source: str
    head_decision: str  # "" or the head's decision with reasons
    against_majority: bool
    defer_reason: str
    reconsider_reason: str  # why this round was reopened (复议), with who agreed
    reconsider_agreeing: list[str]
    presiding: str = ""  # 王志强同志回避，本议题由李明同志主持 — when the chair was recused from the item


@dataclass
class ItemOut:
    id: int
    number: int  # 1-based, in agenda order
    heading: str  # 一、关于……
    title: str
    category: str
    category_label: str
    personnel: bool
    confidential: bool
    presenter: str
    submitting_unit: str
    summary: str
    materials: list[str]
    subjects: list[str]
    recusals: list[dict]
    rounds: list[RoundOut]
    status: str
    result: str | None
    result_label: str
    decided: bool  # closed or deferred
    texts: dict
    decision_text: str  # 会议议定：……由××牵头、××配合，×月×日前完成。
    presiding: str = ""  # who presided over the item when the chair was recused from it (its last round's)
    withheld: bool = False  # its opinions and tally are withheld from this reader (recused from it: withhold())
    outcome: str | None = None  # passed | not_passed | deferred (voting.decided_text.outcome), None while open
    contradiction: str = ""  # how the typed 议定 text contradicts the result (a sentence), or ""
    default_decision: str = ""  # the sentence offered when no 议定 text is typed (default_decision())
    deferral: str = ""  # who deferred it and why (a deferred item): 主持人……决定暂缓，理由：……
    started: str = ""  # 09:05 — when the item was opened
    ended: str = ""  # 09:40 — when it was decided or deferred
    set_aside: str = ""  # deadends: 暂缓审议 / 撤回 of an item never opened, with the reason (_set_aside)


@dataclass
class StructuredMinutes:
    meeting_id: int
    title: str
    body: str
    kind: str
    kind_label: str
    session_number: int
    issue_number: int
    year: int
    date: str
    time: str
    place: str
    chair: str
    chair_title: str
    delegated_by: str
    recorder: str
    status: str
    present: list[Attendee]
    absent: list[Attendee]
    late: list[Attendee]
    left_early: list[Attendee]
    observers: list[dict]
    items: list[ItemOut]
    open_items: list[str]  # titles not yet closed or deferred
    opening: str  # 2023年12月9日，区长×××主持召开……。现纪要如下：
    public_opening: str  # the same, naming only the items the 公开版 shows
    amendments: list[dict]
    delegated_by_title: str = ""  # 区长: the head who delegated the chair
    opened: str = ""  # the actual opening time, 09:02 ("" if it never opened)
    closed: str = ""  # the actual closing time
    requirements: str = ""  # 会议要求/会议强调 (the secretary's text), shown after the items
    marking: str = ""  # 内部资料 注意保存 (or the 密级) when the meeting holds a confidential or personnel item
    draft_mark: str = ""  # 草稿 (a draft) / 送审稿 (approved, not yet archived) / "" (archived)
    contradictions: list[dict] = field(default_factory=list)  # items whose 议定 text contradicts their result
    chain_seq: int = 0  # the meeting's event chain head this was built from (meeting.chain): 校验码
    chain_hash: str = ""
    # 版头 and 版记 (GB/T 9704-2012 §7.1, §7.4, §10.3): what the secretary set, or the defaults of :func:`build`
    issue_label: str = ""  # 期号 as printed: "〔2023〕第12期" unless set ("第5期", "〔2026〕5号")
    office: str = ""  # 编发单位 / 印发机关: the body's 办公室
    distribution: str = ""  # 分送
    copy_to: str = ""  # 抄送 ("" = none)

    def as_dict(self) -> dict:
        d = asdict(self)
        for it in d["items"]:
            dl = it["texts"].get("deadline")
            it["texts"]["deadline"] = dl.isoformat() if dl else None
        return d


MOVEMENT_WORDS = {"arrived": "到会", "left": "离席", "returned": "返回"}


def movements_text(moves: list[MovementRow]) -> str:
    """09:20到会；10:05因接待上级检查组离席，10:40返回 — a member's arrivals and departures after the opening, in
    order; a departure and the return after it in one clause."""
    parts: list[str] = []
    for mv in moves:
        word = f"{hm(mv.at)}" + (f"因{mv.reason}" if mv.reason else "") + MOVEMENT_WORDS.get(mv.kind, mv.kind)
        if mv.kind == "returned" and parts and "离席" in parts[-1]:
            parts[-1] += "，" + word
        else:
            parts.append(word)
    return "；".join(parts)


def _attendee(seat: SeatRow, moves: list[MovementRow] | None = None) -> Attendee:
    note = ""
    if seat.attendance == "absent":
        note = seat.absence_reason
    elif seat.attendance == "late":
        note = f"{hm(seat.arrived_at)}到会" if seat.arrived_at else "迟到"
    elif seat.attendance == "left":
        note = f"{hm(seat.left_at)}离席" + (f"（{seat.absence_reason}）" if seat.absence_reason else "")
    return Attendee(
        seat.name,
        seat.title,
        seat.attendance,
        ATTENDANCE_LABELS.get(seat.attendance, ""),
        note,
        movements_text(moves or []),
        movements_text([mv for mv in moves or [] if mv.kind != "arrived"]),
    )


def _label(labels: dict, code, enum) -> str:
    try:
        return labels[enum(code)]
    except (ValueError, KeyError):
        return code or ""


def _tally_text(t: dict) -> str:
    if not t:
        return ""
    text = f"同意{t.get('agree', 0)}票，不同意{t.get('disagree', 0)}票，缓议{t.get('defer', 0)}票"
    w = t.get("written_agree", 0) + t.get("written_disagree", 0) + t.get("written_defer", 0)
    if w:
        text += (
            f"；书面意见同意{t.get('written_agree', 0)}、不同意{t.get('written_disagree', 0)}、"
            f"缓议{t.get('written_defer', 0)}（{'计入' if t.get('written_counted') else '不计入'}表决）"
        )
    if "n" in t:
        text += (
            f"；应到会成员{t['n']}人，通过须赞成{t.get('needed', '')}票，实得赞成{t.get('yes', t.get('agree', 0))}票"
        )
    return text


def _agrees(result: str | None) -> str | None:
    """The stance that agrees with the result, to mark dissent (【不同意见】: an opinion differing from the result).
    None for a deferred item: deferring decides nothing, so nobody's 同意 or 不同意 differs from a decision — the record
    says instead who deferred it and why (:func:`deferral_text`)."""
    if result in (ItemResult.PASSED, ItemResult.HEAD_ADOPTED):
        return Stance.AGREE
    if result in (ItemResult.NOT_PASSED, ItemResult.HEAD_REJECTED):
        return Stance.DISAGREE
    return None


def presiding_text(tally: dict, names: dict[int, str]) -> str:
    """王志强同志回避，本议题由李明同志主持 — read from the round's record (``tally_json``: ``chair_recused``,
    ``chair_person_id``, ``presided_by``, written when the round closed; meeting.room._close_round). Empty when the
    chair presided. A recused member leaves the item and the minutes say so (四（二）5)."""
    if not tally.get("chair_recused"):
        return ""
    chair = names.get(tally.get("chair_person_id"), "主持人")
    acting = names.get(tally.get("presided_by"))
    return f"{chair}同志回避，本议题由{acting}同志主持" if acting else f"{chair}同志回避，本议题无其他成员可以主持"


def _round(r: RoundRow, names: dict[int, str] | None = None) -> RoundOut:
    agrees = _agrees(r.result)
    members = [o for o in r.opinions if not o.is_chair]
    chairs = [o for o in r.opinions if o.is_chair]
    ordered = members + chairs  # the chair speaks last; keep that place even if the store differs
    ops = [
        OpinionOut(
            i + 1,
            o.name + ("（代录）" if o.proxy_by else ""),
            o.stance,
            _label(STANCE_LABELS, o.stance, Stance),
            o.reason,
            o.is_chair,
            agrees is not None and o.stance != agrees,
            bool(o.proxy_by),
        )
        for i, o in enumerate(ordered)
    ]
    spoke = {o.person_id for o in r.opinions}
    counted_flag = bool(r.tally.get("written_counted"))
    recused = set(r.tally.get("recused", []))
    written = [
        WrittenOut(
            w.name,
            w.stance,
            _label(STANCE_LABELS, w.stance, Stance),
            w.reason,
            w.submitted_by,
            counted_flag and w.person_id not in spoke and w.person_id not in recused,
        )
        for w in r.written
    ]
    head, against = "", False
    if r.head_adopt is not None:
        majority = r.tally.get("passes")
        against = majority is not None and bool(majority) != bool(r.head_adopt)
        head = (
            "主持人决定："
            + ("通过" if r.head_adopt else "不通过")
            + ("（与多数意见不一致）" if against else "")
            + (f"。理由：{r.head_reason}" if r.head_reason else "")
        )
    return RoundOut(
        r.number,
        r.result,
        (
            SET_ASIDE_LABELS[ItemResult.DEFERRED]
            if _before_opening(r)
            else _label(ITEM_RESULT_LABELS, r.result, ItemResult)
        )
        if r.result
        else "",
        ops,
        written,
        r.tally,
        _tally_text(r.tally),
        r.tally.get("rule", ""),
        r.tally.get("source", ""),
        head,
        against,
        r.defer_reason,
        r.reconsider_reason,
        r.reconsider_agreeing,
        presiding_text(r.tally, names or {}),
    )


def has_lead_unit(text: str) -> bool:
    """The typed text already names who leads (由……牵头 / ……牵头负责)."""
    return "牵头" in text


def has_deadline(text: str) -> bool:
    """The typed text already says by when (……前完成 / 月底前 / 年内完成)."""
    return re.search(r"前完成|日前|月底前|年底前|年内完成|月内完成|限期", text) is not None


def decision_text(t: Texts, *, personnel: bool = False, outcome: str | None = decided_text.PASSED) -> str:
    """会议议定：……由××牵头、××配合，×月×日前完成。 The generated "由…牵头…前完成" is appended only to a passed,
    non-personnel item's text, and only the part the typed text lacks (never doubled)."""
    text = t.decided.strip().rstrip("。")
    tail = []
    if personnel or outcome not in (decided_text.PASSED, None):
        return text + "。" if text else ""
    if t.lead_unit and not has_lead_unit(text):
        units = f"由{t.lead_unit}牵头"
        if t.supporting_units:
            units += f"、{t.supporting_units}配合"
        tail.append(units)
    if t.deadline and not has_deadline(text):
        tail.append(f"{t.deadline.year}年{t.deadline.month}月{t.deadline.day}日前完成")
    parts = [p for p in [text, "，".join(tail)] if p]
    return "。".join(parts) + "。" if parts else ""


def deferral_text(last: RoundRow | None, names: dict[int, str], chair: str = "") -> str:
    """Who deferred a deferred item and why: the presiding member's 暂缓 (the chair decides, 四（二）3), the reason
    recorded, and how many members had given 缓议 in the round."""
    if last is None or last.result != ItemResult.DEFERRED:
        return ""
    who = names.get(last.tally.get("presided_by")) or chair
    text = f"主持人{who}同志决定暂缓" if who else "主持人决定暂缓"
    reason = last.defer_reason.strip().rstrip("。")
    if reason:
        text += f"，理由：{reason}"
    deferring = sum(1 for o in last.opinions if o.stance == Stance.DEFER)
    if deferring:
        text += f"（{deferring}名成员发表缓议意见）"
    return text


def default_decision(it: ItemOut, *, public: bool = False) -> str:
    """The 议定 sentence offered when the secretary typed none, by the result: passed "原则同意……", a personnel item
    "同意……", deferred "该事项暂缓决策。……" (who deferred and why, if recorded), not passed "会议未通过……" (with the
    tally, or the head's decision). With ``public`` (the 公开版) the result only: no names, reasons or votes
    (deliberations and votes are not disclosed, 四（二）5)."""
    about = it.heading.split("、", 1)[1].removeprefix("关于")
    if it.outcome == decided_text.PASSED:
        return f"同意{about}。" if it.personnel else f"原则同意{about}。"
    if it.outcome == decided_text.DEFERRED:
        why = f"{it.deferral}。" if it.deferral and not public else ""
        return f"该事项暂缓决策。{why}待进一步调查研究后再提请会议研究。"
    if it.outcome == decided_text.NOT_PASSED and public:
        return "会议未通过该事项。"
    if it.outcome == decided_text.NOT_PASSED:
        last = it.rounds[-1] if it.rounds else None
        t = last.tally if last else {}
        detail = ""
        if last is not None and last.result == ItemResult.HEAD_REJECTED:
            detail = "主持人在集体讨论的基础上决定不予通过"
        elif "n" in t:
            detail = f"赞成{t.get('yes', t.get('agree', 0))}票，未超过应到会成员{t['n']}人的半数"
        return f"会议未通过该事项（{detail}）。" if detail else "会议未通过该事项。"
    return ""


def stated_decision(it: ItemOut, *, public: bool = False) -> str:
    """The 议定 text as the 纪要 prints it: the typed text, with the result stated first when the text does not
    state it (a deferred item's paragraph says it was deferred whatever is typed); the default sentence when none is
    typed (for the 公开版, its public form)."""
    text = it.decision_text
    if not text:
        return (default_decision(it, public=True) if public else it.default_decision) or "（待定）"
    if it.outcome == decided_text.DEFERRED and not decided_text.states_deferral(text):
        return "该事项暂缓决策。" + text
    if it.outcome == decided_text.NOT_PASSED and not decided_text.states_rejection(text):
        return "会议未通过该事项。" + text
    return text


def _item(it: ItemRow, number: int, names: dict[int, str] | None = None, chair: str = "") -> ItemOut:
    rounds = [_round(r, names) for r in it.rounds]
    last = rounds[-1] if rounds else None
    result = last.result if last else None
    title = it.title
    about = title if title.startswith("关于") else f"关于{title}"
    about = about.removesuffix("的议题")
    personnel = it.category == ItemCategory.PERSONNEL
    outcome = decided_text.outcome(result)
    found = decided_text.contradiction(result, it.texts.decided)
    out = ItemOut(
        id=it.id,
        number=number,
        heading=f"{cn_number(number)}、{about}",
        title=title,
        category=it.category,
        category_label=_label(ITEM_CATEGORY_LABELS, it.category, ItemCategory),
        personnel=personnel,
        confidential=it.confidential,
        presenter=it.presenter,
        submitting_unit=it.submitting_unit,
        summary=it.summary,
        materials=it.materials,
        subjects=it.subjects,
        recusals=[
            {
                "name": r.name,
                "relation_type": r.relation_type,
                "relation_label": r.relation_label,
                "subject": r.subject,
                "reason": r.reason,
                "basis": r.basis,
                "source": r.source,
                "text": recusal_sentence(r),
            }
            for r in it.recusals
        ],
        rounds=rounds,
        status=it.status,
        result=result,
        result_label=last.result_label if last else "",
        decided=conclusion.concluded(it.status),  # decided, deferred or withdrawn
        texts=asdict(it.texts),
        decision_text=decision_text(it.texts, personnel=personnel, outcome=outcome),
        presiding=next((r.presiding for r in reversed(rounds) if r.presiding), ""),
        outcome=outcome,
        contradiction=decided_text.MESSAGES[found] if found else "",
        deferral=deferral_text(it.rounds[-1] if it.rounds else None, names or {}, chair),
        started=hm(it.started_at),
        ended=hm(it.ended_at),
        set_aside=_set_aside(it, last),
    )
    out.default_decision = default_decision(out)
    return out


RECUSAL_LAW = "《中华人民共和国公务员法》第七十六条"  # 公务回避 (第七十四条 is 任职回避: the relations it lists)
KINSHIP_TYPES = ("SPOUSE", "LINEAL", "COLLATERAL_3", "IN_LAW")


def recusal_sentence(r: RecusalRow) -> str:
    """王志强同志因与王磊系父子关系（直系血亲），依照《中华人民共和国公务员法》第七十六条回避。 — the kinship word when the
    relation's stated reason is one of its type's words (relations.toml ``kinship``), else the type's category
    (直系血亲/三代以内旁系血亲/近姻亲/夫妻); never the same word twice. 第七十六条 is recusal in official business (its
    第（二）项 refers to the relations of 第七十四条)."""
    who = f"{r.name}同志"
    reason = r.reason.strip().rstrip("。")
    category = (r.relation_label or "").removesuffix("关系")
    if r.relation_type in KINSHIP_TYPES:
        word = reason.removesuffix("关系") if reason.removesuffix("关系") in r.kinship else ""
        if r.subject:
            ground = f"因与{r.subject}系{word or category}关系"
        else:
            ground = f"因{word or category}关系"
        if word and word != category:
            ground += f"（{category}）"
    elif r.relation_type == "SELF":
        ground = "系本议题的任免对象" if not reason or "任免对象" in reason else f"因{reason}"
    else:
        ground = f"因{reason}" if reason else "因存在其他可能影响公正的情形"
    return f"{who}{ground}，依照{RECUSAL_LAW}回避。"


# -- deadends: an item set aside before it was opened (voting/conclusion.py) — its line in the minutes
def _before_opening(r: RoundRow) -> bool:
    return r.result == ItemResult.DEFERRED and bool(r.tally.get("before_opening"))


def _set_aside(it: ItemRow, last: RoundOut | None) -> str:
    """暂缓审议 / 撤回 with the reason, for an item never opened; "" for any other."""
    if last is None or not last.tally.get("before_opening"):
        return ""
    why = f"理由：{last.defer_reason}" if last.defer_reason else ""
    if last.result == ItemResult.WITHDRAWN:
        unit = f"由{it.submitting_unit}" if it.submitting_unit else "由提交单位"
        return f"该议题{unit}撤回。" + (why + "。" if why else "")
    return "该议题暂缓审议，列入以后的会议。" + (why + "。" if why else "")


WITHHELD_NOTE = "您已回避本议题，本议题的发表意见和表决情况不向您提供"


def withhold(m: StructuredMinutes, item_ids) -> StructuredMinutes:
    """The minutes as a member recused from ``item_ids`` may read them: those items keep their heading, recusals,
    result and decision, but lose who said what — the named opinions, the written opinions, the tally and the
    head's reasons (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）5: a recused member
    leaves the item; the deliberation is not disclosed to him). A new object: ``m`` is left as it was."""
    item_ids = set(item_ids)
    if not item_ids:
        return m
    items = []
    for it in m.items:
        if it.id in item_ids:
            rounds = [
                replace(
                    r,
                    opinions=[],
                    written=[],
                    tally={},
                    tally_text="",
                    head_decision="",
                    against_majority=False,
                    reconsider_agreeing=[],
                )
                for r in it.rounds
            ]
            it = replace(it, rounds=rounds, withheld=True)
        items.append(it)
    return replace(m, items=items)


MANY_ITEMS = 5  # with more items the opening names the first and counts them: 研究了关于……等7项议题
INTERNAL_MARK = "内部资料 注意保存"
DRAFT_MARKS = {"draft": "草稿", "approved": "送审稿"}  # archived: none


def studied_text(headings: list[str]) -> str:
    """研究了…… — every item (关于A、关于B等事项), or with more than :data:`MANY_ITEMS` the first and the count."""
    if not headings:
        return "有关事项"
    if len(headings) > MANY_ITEMS:
        return f"{headings[0]}等{len(headings)}项议题"
    return "、".join(headings) + "等事项"


def chair_words(src: Source) -> str:
    """区长张建国 — or, delegated, 受区长张建国委托，常务副区长李明."""
    chair = f"{src.chair_title}{src.chair_name}"
    if src.delegated_by:
        return f"受{src.delegated_by_title}{src.delegated_by}委托，{chair}"
    return chair


def build(src: Source) -> StructuredMinutes:
    seats = src.seats
    moves: dict[int, list[MovementRow]] = {}
    for mv in sorted(src.movements, key=lambda x: x.at):
        moves.setdefault(mv.person_id, []).append(mv)

    def att(x: SeatRow) -> Attendee:
        return _attendee(x, moves.get(x.person_id))

    present = [att(x) for x in seats if x.attendance in ("present", "late", "left")]
    absent = [att(x) for x in seats if x.attendance in ("absent", "expected")]
    late = [att(x) for x in seats if x.attendance == "late"]
    left = [att(x) for x in seats if x.attendance == "left"]
    names = {x.person_id: x.name for x in seats}
    if src.chair_person_id is not None:
        names.setdefault(src.chair_person_id, src.chair_name)
    items = [
        _item(it, i + 1, names, src.chair_name) for i, it in enumerate(sorted(src.items, key=lambda x: x.position))
    ]
    short_body = src.body_name.replace("人民政府", "政府")

    def opening_of(shown: list[ItemOut]) -> str:
        studied = studied_text([it.heading.split("、", 1)[1] for it in shown])
        return (
            f"{cn_date(src.starts_at)}，{chair_words(src)}主持召开{short_body}第{src.session_number}次"
            f"{src.kind_label}，研究了{studied}。现纪要如下："
        )

    opening = opening_of(items)  # the internal 纪要 names every item it records
    public_opening = opening_of([it for it in items if not (it.confidential or it.personnel)])
    return StructuredMinutes(
        meeting_id=src.meeting_id,
        title=src.title,
        body=src.body_name,
        kind=src.kind,
        kind_label=src.kind_label,
        session_number=src.session_number,
        issue_number=src.issue_number or src.session_number,
        year=src.starts_at.year,
        date=cn_date(src.starts_at),
        time=hm(src.starts_at),
        place=src.place,
        chair=src.chair_name,
        chair_title=src.chair_title,
        delegated_by=src.delegated_by,
        delegated_by_title=src.delegated_by_title,
        recorder=src.recorder,
        status=src.minutes_status,
        present=present,
        absent=absent,
        late=late,
        left_early=left,
        observers=[{"name": n, "unit": u, "role": r} for n, u, r in src.observers],
        items=items,
        open_items=[it.title for it in items if not it.decided],
        opening=opening,
        public_opening=public_opening,
        amendments=src.amendments,
        opened=hm(src.opened_at),
        closed=hm(src.closed_at),
        requirements=src.requirements.strip(),
        marking=src.classification or (INTERNAL_MARK if any(it.confidential or it.personnel for it in items) else ""),
        draft_mark=DRAFT_MARKS.get(src.minutes_status, ""),
        contradictions=[
            {"item_id": it.id, "number": it.number, "title": it.title, "message": it.contradiction}
            for it in items
            if it.contradiction
        ],
        issue_label=src.issue_label or f"〔{src.starts_at.year}〕第{src.issue_number or src.session_number}期",
        office=src.issuing_office or default_office(src.body_name),
        distribution=src.distribution or default_distribution(src.body_name),
        copy_to=src.copy_to,
    )


def default_office(body: str) -> str:
    """The 编发单位 of a body's 纪要 when the secretary named none: the body's 办公室 (某某区人民政府 → 某某区人民政府办公室)."""
    return f"{body}办公室"


def default_distribution(body: str) -> str:
    """分送 when the secretary wrote none: the body's members and the units concerned."""
    return f"{body}领导班子成员，各有关单位"
