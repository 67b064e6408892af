"""Pure: the stored record of a meeting (plain data, see :mod:`minutes.load`) → structured minutes.

No Flask, no database, no python-docx. The same structure feeds the JSON API, the docx documents and, later, the
execution ledger. Labels come from :mod:`voting.vocabulary`, dates are written the GB/T 9704-2012 way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from voting import conclusion
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


# ---------------------------------------------------------------- output: the structured minutes


@dataclass
class Attendee:
    name: str
    title: str
    attendance: str
    attendance_label: str
    note: str = ""  # 请假事由 / 迟到 09:20 / 09:40 离席


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
    chain_seq: int = 0  # the meeting's event chain head this was built from (meeting.chain): 校验码
    chain_hash: str = ""

    def as_dict(self) -> dict:
        d = asdict(self)
        for it in d["items"]:
            dl = it["texts"].get("deadline")
            it["texts"]["deadline"] = dl.isoformat() if dl else None
        return d


def _attendee(seat: SeatRow) -> Attendee:
    note = ""
    if seat.attendance == "absent":
        note = seat.absence_reason
    elif seat.attendance == "late":
        note = f"{hm(seat.arrived_at)}到会" if seat.arrived_at else "迟到"
    elif seat.attendance == "left":
        note = f"{hm(seat.left_at)}离席" + (f"（{seat.absence_reason}）" if seat.absence_reason else "")
    return Attendee(seat.name, seat.title, seat.attendance, ATTENDANCE_LABELS.get(seat.attendance, ""), note)


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
    """The stance that agrees with the result, to mark dissent."""
    if result in (ItemResult.PASSED, ItemResult.HEAD_ADOPTED):
        return Stance.AGREE
    if result in (ItemResult.NOT_PASSED, ItemResult.HEAD_REJECTED):
        return Stance.DISAGREE
    if result == ItemResult.DEFERRED:
        return Stance.DEFER
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


def decision_text(t: Texts) -> str:
    """会议议定：……由××牵头、××配合，×月×日前完成。"""
    text = t.decided.strip().rstrip("。")
    tail = []
    if t.lead_unit:
        units = f"由{t.lead_unit}牵头"
        if t.supporting_units:
            units += f"、{t.supporting_units}配合"
        tail.append(units)
    if t.deadline:
        tail.append(f"{t.deadline.year}年{t.deadline.month}月{t.deadline.day}日前完成")
    parts = [p for p in [text, "，".join(tail)] if p]
    return "。".join(parts) + "。" if parts else ""


def _item(it: ItemRow, number: int, names: dict[int, str] | None = None) -> ItemOut:
    rounds = [_round(r, names) for r in it.rounds]
    last = rounds[-1] if rounds else None
    result = last.result if last else None
    title = it.title
    about = title if title.startswith("关于") else f"关于{title}"
    about = about.removesuffix("的议题")
    return ItemOut(
        id=it.id,
        number=number,
        heading=f"{cn_number(number)}、{about}",
        title=title,
        category=it.category,
        category_label=_label(ITEM_CATEGORY_LABELS, it.category, ItemCategory),
        personnel=it.category == ItemCategory.PERSONNEL,
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
                "text": _recusal_text(r),
            }
            for r in it.recusals
        ],
        rounds=rounds,
        status=it.status,
        result=result,
        result_label=last.result_label if last else "",
        decided=conclusion.concluded(it.status),  # decided, deferred or withdrawn
        texts=asdict(it.texts),
        decision_text=decision_text(it.texts),
        presiding=next((r.presiding for r in reversed(rounds) if r.presiding), ""),
        set_aside=_set_aside(it, last),
    )


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


def _recusal_text(r: RecusalRow) -> str:
    ground = r.relation_label or r.relation_type
    with_whom = f"与{r.subject}系{ground}关系" if r.subject else ground
    text = f"{r.name}（{with_whom}" + (f"，{r.reason}" if r.reason else "") + "）回避"
    return text + (f"，依据：{r.basis}" if r.basis else "")


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


def build(src: Source) -> StructuredMinutes:
    seats = src.seats
    present = [_attendee(x) for x in seats if x.attendance in ("present", "late", "left")]
    absent = [_attendee(x) for x in seats if x.attendance in ("absent", "expected")]
    late = [_attendee(x) for x in seats if x.attendance == "late"]
    left = [_attendee(x) for x in seats if x.attendance == "left"]
    names = {x.person_id: x.name for x in seats}
    if src.chair_person_id is not None:
        names.setdefault(src.chair_person_id, src.chair_name)
    items = [_item(it, i + 1, names) for i, it in enumerate(sorted(src.items, key=lambda x: x.position))]
    chair_words = f"{src.chair_title}{src.chair_name}" if src.chair_title else src.chair_name
    if src.delegated_by:
        chair_words += f"（受{src.delegated_by}委托）"
    short_body = src.body_name.replace("人民政府", "政府")

    def opening_of(shown: list[ItemOut]) -> str:
        studied = "、".join(it.heading.split("、", 1)[1] for it in shown) or "有关事项"
        return (
            f"{cn_date(src.starts_at)}，{chair_words}主持召开{short_body}第{src.session_number}次"
            f"{src.kind_label}，研究了{studied}等事项。现纪要如下："
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
    )
