"""Paper for the meeting room, each from the record: the 会议通知, the 签到表 and a one-page 表决结果单 per decided item
for the chair to sign — as plain data (:func:`notice`, :func:`sign_in`, :func:`result_sheets`: the print pages show
it) and as docx (:func:`notice_docx`, :func:`sign_in_docx`, :func:`result_docx`).

The docx reuse minutes.docx's page setup and fonts (GB/T 9704-2012: A4, 156 × 225 mm text block, 3号仿宋, 黑体
labels, 2号小标宋 titles, East-Asian font on every run) by import, so the printed papers look like the 纪要.
Citations are by title and number (:func:`voting.sources.office_form`, also for rounds stored with the old short form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlmodel import Session, col, select

from meeting.models import Observer, Person, Seat
from meeting.schemas import clean_text
from voting.sources import office_form

from .docx import FANGSONG, HEITI, SIZE_2, SIZE_4, XIAOBIAOSONG, _fonts, _labelled, _page_setup, _save, _text
from .record import StructuredMinutes, cn_date

WEEKDAYS = "一二三四五六日"
TEXT_WIDTH_MM = 156  # GB/T 9704-2012 §5.2.1
TABLE_SIZE = SIZE_4  # 4号 in the tables: a 9-member 签到表 on one page

# ---------------------------------------------------------------- what the papers say (plain data)


@dataclass
class Listed:
    """A person on the notice or the sign-in sheet: name, 单位, 职务 (or an observer's role)."""

    name: str
    unit: str = ""
    title: str = ""  # 职务, or an observer's role


@dataclass
class NoticeItem:
    heading: str  # 一、关于……
    submitting_unit: str
    presenter: str
    materials: int
    confidential: bool


@dataclass
class Paper:
    """The facts the 会议通知 and the 签到表 print."""

    meeting_id: int
    title: str  # 某某区人民政府第12次常务会议
    body: str
    kind_label: str
    session_number: int
    day: str  # 2023年12月9日（星期六）
    time: str  # 上午9:00
    place: str
    chair: str
    recorder: str
    office: str  # 发文单位: the body's 办公室
    issued_on: str
    contact: str
    members: list[Listed] = field(default_factory=list)
    observers: list[Listed] = field(default_factory=list)
    items: list[NoticeItem] = field(default_factory=list)
    came: set[int] = field(default_factory=set)  # person ids of the members who came (the 表决结果单's 实到)

    @property
    def notice_title(self) -> str:
        return f"关于召开{self.title}的通知"

    @property
    def sign_in_title(self) -> str:
        return f"{self.title}签到表"

    def notice_paragraphs(self) -> list[tuple[str, str]]:
        """(role, text): "addressee", "body", "heading" (一、…), "item" (议题), "sign" (发文单位 / date, right)."""
        members = "、".join(p.name for p in self.members) or "无"
        observers = "、".join("".join(x for x in (o.unit, o.name) if x) for o in self.observers) or "无"
        out = [
            ("addressee", f"{self.body}各组成人员，各有关单位："),
            (
                "body",
                f"经研究，定于{self.day}{self.time}在{self.place or '（地点另行通知）'}召开{self.title}，"
                "现将有关事项通知如下：",
            ),
            ("heading", "一、会议时间"),
            ("body", f"{self.day}{self.time}。"),
            ("heading", "二、会议地点"),
            ("body", f"{self.place or '另行通知'}。"),
            ("heading", "三、主持人"),
            ("body", f"{self.chair}。"),
            ("heading", "四、出席人员"),
            ("body", f"{members}。"),
            ("heading", "五、列席人员"),
            ("body", f"{observers}。"),
            ("heading", "六、会议议题"),
        ]
        for i, it in enumerate(self.items, 1):
            unit = f"（{it.submitting_unit}汇报" + (f"，汇报人：{it.presenter}" if it.presenter else "") + "）"
            out.append(("item", f"{i}. {it.heading.split('、', 1)[-1]}{unit if it.submitting_unit else ''}"))
        if not self.items:
            out.append(("item", "议题另行通知。"))
        with_materials = [i for i, it in enumerate(self.items, 1) if it.materials]
        secret = [i for i, it in enumerate(self.items, 1) if it.confidential]
        out.append(("heading", "七、有关要求"))
        note = "请各汇报单位于会前将汇报材料报送" + self.office + "。"
        if with_materials:
            note += "第" + "、".join(str(i) for i in with_materials) + "项议题材料已上传，可在会议平板上阅读。"
        if secret:
            note += "第" + "、".join(str(i) for i in secret) + "项议题材料涉密，会上分发，会后收回。"
        out.append(("body", note))
        out.append(
            (
                "body",
                "请出席、列席人员提前10分钟到会签到。因故不能出席的，请提前向会议主持人请假，并告知"
                + self.office
                + "。",
            )
        )
        out.append(("heading", "八、联系人"))
        out.append(("body", self.contact + "。"))
        out.append(("sign", self.office))
        out.append(("sign", self.issued_on))
        return out


def _weekday(d: date) -> str:
    return f"（星期{WEEKDAYS[d.weekday()]}）"


def _clock(hour: int, minute: int) -> str:
    half = "上午" if hour < 12 else "下午"
    return f"{half}{hour if hour <= 12 else hour - 12}:{minute:02d}"


def office_of(body: str) -> str:
    """The 发文单位 of a body's papers: 某某区人民政府 → 某某区人民政府办公室."""
    return body if body.endswith("办公室") else f"{body}办公室"


def paper(s: Session, m: StructuredMinutes, *, issued_on: date, phone: str = "") -> Paper:
    """The 会议通知's and 签到表's facts: the structured record (``m``: title, time, place, chair, items) and every
    member of the meeting (its seats, in seniority order) and observer with their 单位 and 职务."""
    seats = s.exec(
        select(Seat, Person)
        .join(Person, col(Person.id) == Seat.person_id)
        .where(Seat.meeting_id == m.meeting_id)
        .order_by(col(Seat.seniority), col(Seat.id))
    ).all()
    observers = s.exec(select(Observer).where(Observer.meeting_id == m.meeting_id).order_by(col(Observer.id))).all()
    hh, mm = (int(x) for x in (m.time or "00:00").split(":"))
    y, mo, d = (int(x) for x in re.findall(r"\d+", m.date)[:3])
    office = office_of(m.body)
    contact = "、".join(x for x in (m.recorder, phone) if x)
    chair = f"{m.chair_title}{m.chair}" + (f"（受{m.delegated_by}委托）" if m.delegated_by else "")
    return Paper(
        meeting_id=m.meeting_id,
        title=m.title,
        body=m.body,
        kind_label=m.kind_label,
        session_number=m.session_number,
        day=m.date + _weekday(date(y, mo, d)),
        time=_clock(hh, mm),
        place=m.place,
        chair=chair,
        recorder=m.recorder,
        office=office,
        issued_on=cn_date(issued_on),
        contact=(f"{office} {contact}" if contact else office),
        members=[Listed(p.name, p.unit, p.title) for _seat, p in seats],
        observers=[Listed(o.name, o.unit, o.role) for o in observers],
        items=[
            NoticeItem(it.heading, it.submitting_unit, it.presenter, len(it.materials), it.confidential)
            for it in m.items
        ],
    )


@dataclass
class ResultSheet:
    """One decided item's 表决结果单: the counts of its last round and the result per the profile's pass rule."""

    meeting_title: str
    date: str
    item_id: int
    heading: str
    submitting_unit: str
    expected: int  # 应到 (应到会成员)
    present: int  # 实到
    agree: int
    disagree: int
    defer: int
    recused: int
    written: str  # 书面意见 … (计入/不计入表决), or ""
    result_label: str
    rule: str  # 赞成票超过应到会成员半数（应到会成员9人，须赞成5票），实得赞成6票
    source: str  # by title and number
    head_decision: str
    presiding: str
    defer_reason: str
    chair: str
    recorder: str
    round_number: int

    @property
    def title(self) -> str:
        return "表决结果单"

    def signature_lines(self) -> list[str]:
        """The foot: the chair signs and dates by hand; the recorder is printed."""
        gap = "\u3000"
        return [
            f"主持人（签字）：{'＿' * 8}{gap * 2}记录人：{self.recorder or '＿' * 4}",
            f"签字日期：{gap * 3}年{gap * 2}月{gap * 2}日",
        ]


def present_ids(s: Session, meeting_id: int) -> set[int]:
    """The members who came to the meeting (present, late, or left early): 实到 counts a recused one among them."""
    return set(
        s.exec(
            select(Seat.person_id).where(
                Seat.meeting_id == meeting_id, col(Seat.attendance).in_(("present", "late", "left"))
            )
        ).all()
    )


def result_sheets(m: StructuredMinutes, came: set[int] | None = None) -> list[ResultSheet]:
    """A sheet for every item decided by a round (passed, not passed, deferred, or the head's decision), from its
    last round — also one the chair deferred (暂缓) before it was put to the vote: its sheet gives the reason. 实到: the members present for the
    item (the round's ``eligible``) and those of the recused who came (``came``, :func:`present_ids`), for a
    recused member is in the room until the item and leaves for it (四（二）5)."""
    out = []
    chair = f"{m.chair_title}{m.chair}" if m.chair_title else m.chair
    for it in m.items:
        rounds = [r for r in it.rounds if r.result and r.tally]
        if not it.decided or not rounds:
            continue
        r = rounds[-1]
        t, q = r.tally, r.tally.get("quorum", {})
        written = t.get("written_agree", 0) + t.get("written_disagree", 0) + t.get("written_defer", 0)
        rule = ""
        voted = bool(r.opinions or r.written)  # a chair's 暂缓 before anyone spoke: no pass test was applied
        if r.threshold and voted:
            rule = (
                f"赞成票{r.threshold.removeprefix('赞成票')}方为通过（按应到会成员{t.get('n', '')}人计，"
                f"须赞成{t.get('needed', '')}票），实得赞成{t.get('yes', t.get('agree', 0))}票"
            )
        out.append(
            ResultSheet(
                meeting_title=m.title,
                date=m.date,
                item_id=it.id,
                heading=it.heading,
                submitting_unit=it.submitting_unit,
                expected=int(q.get("n", t.get("n", 0)) or 0),
                present=len(t.get("eligible", [])) + len(set(t.get("recused", [])) & (came or set())),
                agree=int(t.get("agree", 0)),
                disagree=int(t.get("disagree", 0)),
                defer=int(t.get("defer", 0)),
                recused=len(t.get("recused", [])),
                written=(
                    f"书面意见{written}份：同意{t.get('written_agree', 0)}、不同意{t.get('written_disagree', 0)}、"
                    f"缓议{t.get('written_defer', 0)}（{'计入' if t.get('written_counted') else '不计入'}表决）"
                    if written
                    else ""
                ),
                result_label=r.result_label,
                rule=rule,
                source=office_form(r.threshold_source) if voted else "",
                head_decision=r.head_decision,
                presiding=r.presiding,
                defer_reason=r.defer_reason,
                chair=chair,
                recorder=m.recorder,
                round_number=r.number,
            )
        )
    return out


# ---------------------------------------------------------------- docx


def _repeat_header(row) -> None:
    """The header row repeats at the top of every page (w:tblHeader)."""
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _table(doc, columns: list[tuple[str, float]], *, header: bool = True):
    """A grid table of fixed widths (in w:gridCol, which LibreOffice and WPS lay out by, and on each cell, which Word
    reads), centred, the header row in 黑体."""
    table = doc.add_table(rows=1 if header else 0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for grid_col, (_label, width) in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), columns, strict=True):
        grid_col.set(qn("w:w"), str(round(Mm(width).twips)))
    if header:
        _repeat_header(table.rows[0])
        for cell, (label, width) in zip(table.rows[0].cells, columns, strict=True):
            cell.width = Mm(width)
            _cell(cell, label, font=HEITI)
    return table


def _cell(cell, text: str, *, font: str = FANGSONG, size: float = TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER):
    p = cell.paragraphs[0]
    p.style = None
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(0)
    pf.line_spacing = 1.0
    p.alignment = align
    snap = OxmlElement("w:snapToGrid")  # a cell's line is its own height, not the page's 22-line grid
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().insert_element_before(
        snap, "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:rPr"
    )
    _fonts(p.add_run(clean_text(text)), font, size)
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _row(table, columns, values, *, height_mm: float | None = None, aligns=None):
    row = table.add_row()
    if height_mm:
        row.height, row.height_rule = Mm(height_mm), WD_ROW_HEIGHT_RULE.AT_LEAST
    for i, (cell, value, (_label, width)) in enumerate(zip(row.cells, values, columns, strict=True)):
        cell.width = Mm(width)
        _cell(cell, value, align=(aligns[i] if aligns else WD_ALIGN_PARAGRAPH.CENTER))
    return row


def _title(doc, text: str) -> None:
    _text(doc, text, font=XIAOBIAOSONG, size=SIZE_2, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, pitch=Pt(40))


def notice_docx(p: Paper) -> bytes:
    """会议通知: 2号小标宋 title, 主送 line, 3号仿宋 body with 黑体 一、 headings, the agenda with the submitting
    units, the materials note and contact, then 发文单位 and date on the right."""
    doc = Document()
    _page_setup(doc, p.notice_title)
    _title(doc, p.notice_title)
    _text(doc, "", indent=False)
    for role, text in p.notice_paragraphs():
        if role == "addressee":
            _text(doc, text, indent=False)
        elif role == "heading":
            _text(doc, text, font=HEITI)
        elif role == "sign":
            _text(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        else:
            _text(doc, text)
    return _save(doc)


SIGN_ROW_MM = 11  # room for a signature; 9 members, observers and the heads on one page
SIGN_IN_COLUMNS = [("序号", 12), ("姓名", 24), ("单位及职务", 54), ("签名", 42), ("到会时间", 24)]


def sign_in_rows(p: Paper) -> list[tuple[str, list[list[str]]]]:
    """(group label, rows): 出席人员 then 列席人员, each row 序号, 姓名, 单位及职务, and blanks to sign and to write
    the arrival time in."""
    members = [[str(i), x.name, "".join(y for y in (x.unit, x.title) if y), "", ""] for i, x in enumerate(p.members, 1)]
    start = len(p.members)
    observers = [
        [str(start + i), x.name, "".join(y for y in (x.unit, x.title) if y), "", ""]
        for i, x in enumerate(p.observers, 1)
    ]
    return [("出席人员", members)] + ([("列席人员", observers)] if observers else [])


def sign_in_docx(p: Paper) -> bytes:
    """签到表: every member and observer, a row each (单位及职务, a wide 签名 column, 到会时间), the header row repeated
    on every page; a nine-member meeting on one A4 page."""
    doc = Document()
    _page_setup(doc, p.sign_in_title)
    _title(doc, p.sign_in_title)
    _labelled(doc, "时间：", f"{p.day}{p.time}　　地点：{p.place or '—'}")
    table = _table(doc, SIGN_IN_COLUMNS)
    width = sum(w for _l, w in SIGN_IN_COLUMNS)
    for label, rows in sign_in_rows(p):
        group = table.add_row()
        merged = group.cells[0].merge(group.cells[-1])
        merged.width = Mm(width)
        _cell(merged, label, font=HEITI, align=WD_ALIGN_PARAGRAPH.LEFT)
        for values in rows:
            _row(table, SIGN_IN_COLUMNS, values, height_mm=SIGN_ROW_MM)
    return _save(doc)


TALLY_COLUMNS = [("应到", 26), ("实到", 26), ("同意", 26), ("不同意", 26), ("缓议", 26), ("回避", 26)]


def result_docx(r: ResultSheet) -> bytes:
    """表决结果单 on one A4 page: the meeting and the item, the counts 应到/实到/同意/不同意/缓议/回避 in a table, the
    result per the pass rule with its source by title and number, the chair's 签字 line and the date."""
    doc = Document()
    _page_setup(doc, f"{r.title} {r.heading}")
    _title(doc, r.title)
    _text(doc, "", indent=False)
    _labelled(doc, "会议：", f"{r.meeting_title}（{r.date}）")
    _labelled(doc, "议题：", r.heading.split("、", 1)[-1] + (f"（第{r.round_number}轮）" if r.round_number > 1 else ""))
    if r.submitting_unit:
        _labelled(doc, "提请单位：", r.submitting_unit)
    table = _table(doc, TALLY_COLUMNS)
    _row(
        table,
        TALLY_COLUMNS,
        [str(x) for x in (r.expected, r.present, r.agree, r.disagree, r.defer, r.recused)],
        height_mm=12,
    )
    _text(doc, "", indent=False)
    if r.written:
        _labelled(doc, "书面意见：", r.written.removeprefix("书面意见"))
    if r.presiding:
        _labelled(doc, "主持：", r.presiding)
    if r.rule:
        _labelled(doc, "表决规则：", r.rule + "。")
    if r.source:
        _labelled(doc, "依据：", r.source + "。")
    if r.head_decision:
        _labelled(doc, "主持人决定：", r.head_decision.removeprefix("主持人决定：").rstrip("。") + "。")
    _labelled(doc, "表决结果：", r.result_label + "。")
    if r.defer_reason:
        _labelled(doc, "暂缓理由：", r.defer_reason.rstrip("。") + "。")
    _text(doc, "", indent=False)
    _text(doc, "", indent=False)
    for line in r.signature_lines():
        _text(doc, line, indent=False)
    return _save(doc)


__all__ = [
    "Paper",
    "ResultSheet",
    "notice_docx",
    "office_of",
    "paper",
    "result_docx",
    "result_sheets",
    "sign_in_docx",
    "sign_in_rows",
]
