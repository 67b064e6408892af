"""The ledger (督查台账) as documents: docx (a printable table, landscape A4, official fonts) and xlsx, and the
reminder notice (催办单) as docx.

Both ledger formats carry every ledger field of the domain guide (seed 000 第9条; seed 004 §三1): number, meeting
and session, decided text verbatim, category, responsible leader, lead and supporting units, person responsible,
deadline and milestones, dated progress entries, problems, extension requests (reason, new date, approval),
status, warning level and evidence attachments — built from the same rows as the ledger page
(:func:`execution.ledger.rows`, same filters), so 逾期 and the warning colours mean the same everywhere.

The only module of execution/ that imports python-docx; the font helpers are minutes.docx's (w:eastAsia on every
run, so Word, WPS and LibreOffice pick the Chinese face).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlmodel import Session, col, select

from meeting.clock import DEFAULT_ZONE, to_local
from meeting.models import Body, Meeting
from meeting.schemas import clean_text
from meeting.state import title_of
from minutes.docx import FANGSONG, HEITI, RED, SIZE_2, SIZE_3, XIAOBIAOSONG, _fonts, _page_number, _save
from voting.vocabulary import ITEM_CATEGORY_LABELS

from . import ledger
from .calendar import cn
from .models import (
    Assignment,
    AssignmentUnit,
    Attachment,
    ExecutionPlan,
    ExtensionRequest,
    Milestone,
    ProgressReport,
    Reminder,
    SignOff,
    Unit,
)

EXTENSION_STATUS = {"pending": "待审批", "approved": "已批准", "refused": "不同意"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class ExportRow:
    """One ledger row with everything the 台账 prints."""

    number: str
    meeting: str  # 会议及届次, or the people's-congress case
    decided_on: date
    title: str
    decided_text: str
    category: str
    responsible_leader: str
    coordinating_leader: str
    lead_unit: str
    supporting_units: list[str]  # "单位（分工）"
    person_responsible: str
    plan_due: date | None
    plan_filed_on: date | None
    deadline: date | None
    original_deadline: date | None
    milestones: list[str] = field(default_factory=list)
    progress: list[str] = field(default_factory=list)  # dated entries
    problems: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    status: str = ""
    warning: str = ""
    evidence: list[str] = field(default_factory=list)
    closed_on: date | None = None


def _local_day(dt, zone: str) -> date | None:
    local = to_local(dt, zone)
    return None if local is None else local.date()


def export_rows(
    s: Session,
    today: date,
    f: ledger.LedgerFilter | None = None,
    *,
    only_ids: Iterable[int] | None = None,
    zone: str = DEFAULT_ZONE,
) -> list[ExportRow]:
    """The ledger rows (same filters as the page) with their plans, progress, requests and evidence."""
    rows = ledger.rows(s, today, f, only_ids=only_ids)
    if not rows:
        return []
    ids = [r.assignment.id for r in rows]

    def by_assignment(model, order):
        out: dict[int, list] = {}
        for x in s.exec(select(model).where(col(model.assignment_id).in_(ids)).order_by(order)).all():
            out.setdefault(x.assignment_id, []).append(x)
        return out

    milestones = by_assignment(Milestone, col(Milestone.due))
    reports = by_assignment(ProgressReport, col(ProgressReport.reported_on))
    extensions = by_assignment(ExtensionRequest, col(ExtensionRequest.requested_at))
    plans = by_assignment(ExecutionPlan, col(ExecutionPlan.filed_at))
    signoffs = by_assignment(SignOff, col(SignOff.signed_on))
    parts = {
        (lk.assignment_id, lk.unit_id): lk.part
        for lk in s.exec(select(AssignmentUnit).where(col(AssignmentUnit.assignment_id).in_(ids))).all()
    }
    unit_ids = {u.name: u.id for u in s.exec(select(Unit)).all()}
    owners = {("progress", p.id): aid for aid, ps in reports.items() for p in ps}
    owners |= {("signoff", x.id): aid for aid, xs in signoffs.items() for x in xs}
    owners |= {("plan", x.id): aid for aid, xs in plans.items() for x in xs}
    evidence: dict[int, list[str]] = {}
    if owners:
        for att in s.exec(
            select(Attachment)
            .where(
                col(Attachment.owner).in_(["progress", "signoff", "plan"]),
                col(Attachment.owner_id).in_([k[1] for k in owners]),
            )
            .order_by(col(Attachment.id))
        ).all():
            aid = owners.get((att.owner, att.owner_id))
            if aid is not None:
                evidence.setdefault(aid, []).append(att.filename)
    meetings = {}
    meeting_ids = {r.assignment.meeting_id for r in rows if r.assignment.meeting_id}
    if meeting_ids:
        for m, b in s.exec(
            select(Meeting, Body).join(Body, col(Body.id) == Meeting.body_id).where(col(Meeting.id).in_(meeting_ids))
        ).all():
            meetings[m.id] = f"{title_of(m, b)}（{cn(_local_day(m.starts_at, zone))}）"

    out = []
    for r in rows:
        a: Assignment = r.assignment
        supporting = []
        for name in r.supporting_units:
            part = parts.get((a.id, unit_ids.get(name)), "")
            supporting.append(f"{name}（{part}）" if part else name)
        exts = []
        for x in extensions.get(a.id, []):
            line = (
                f"{cn(_local_day(x.requested_at, zone))}申请延期至{cn(x.new_deadline)}，理由：{x.reason}；"
                f"{EXTENSION_STATUS.get(x.status, x.status)}"
            )
            if x.decided_at:
                line += f"（{cn(_local_day(x.decided_at, zone))}{x.decided_by}）"
            exts.append(line)
        filed = plans.get(a.id, [])
        out.append(
            ExportRow(
                number=a.number,
                meeting=meetings.get(a.meeting_id, "")
                if a.meeting_id
                else ("人大决议决定、审议意见" if a.source == "npc" else ""),
                decided_on=a.decided_on,
                title=a.title,
                decided_text=a.decided_text,
                category=ITEM_CATEGORY_LABELS.get(a.category, a.category),
                responsible_leader=a.responsible_leader,
                coordinating_leader=a.coordinating_leader,
                lead_unit=r.lead_unit,
                supporting_units=supporting,
                person_responsible=a.person_responsible,
                plan_due=a.plan_due,
                plan_filed_on=_local_day(filed[0].filed_at, zone) if filed else None,
                deadline=a.deadline,
                original_deadline=a.original_deadline,
                milestones=[
                    f"{m.title}：{cn(m.due)}" + (f"（{cn(m.done_on)}完成）" if m.done_on else "")
                    for m in milestones.get(a.id, [])
                ],
                progress=[
                    f"{cn(p.reported_on)}：{p.content}" + ("（报告办结）" if p.completes else "")
                    for p in reports.get(a.id, [])
                ],
                problems=[f"{cn(p.reported_on)}：{p.problems}" for p in reports.get(a.id, []) if p.problems.strip()],
                extensions=exts,
                status=r.status_label,
                warning=r.warning_label or "无",
                evidence=evidence.get(a.id, []),
                closed_on=_local_day(a.closed_at, zone),
            )
        )
    return out


# ---------------------------------------------------------------- docx: the printable 台账

TABLE_SIZE = 10.5  # 五号
DOCX_COLUMNS = (  # header, width in mm (landscape A4 text width 267 mm)
    ("督办编号", 17),
    ("会议及届次", 25),
    ("决策事项（会议议定）", 45),
    ("类别", 12),
    ("分管领导", 15),
    ("牵头单位", 18),
    ("配合单位", 20),
    ("责任人", 13),
    ("完成时限及节点", 24),
    ("进展情况", 34),
    ("存在问题及延期申请", 24),
    ("状态", 10),
    ("预警", 10),
)


def _cell(
    cell, lines: list[str] | str, *, font: str = FANGSONG, size: float = TABLE_SIZE, bold: bool = False, align=None
) -> None:
    lines = [lines] if isinstance(lines, str) else (lines or [""])
    p = cell.paragraphs[0]
    for i, line in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        pf = p.paragraph_format
        pf.space_before, pf.space_after, pf.first_line_indent = Pt(0), Pt(0), Pt(0)
        pf.line_spacing = 1.0
        if align is not None:
            p.alignment = align
        _fonts(p.add_run(clean_text(line)), font, size, bold=bold)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _landscape(doc, title: str) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(15), Mm(15)
    sec.footer_distance = Mm(10)
    _normal(doc, title)
    _page_number(sec.footer, WD_ALIGN_PARAGRAPH.CENTER)


def _normal(doc, title: str) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, Pt(TABLE_SIZE)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN"


def _heading(
    doc, text: str, *, font: str, size: float, align=WD_ALIGN_PARAGRAPH.CENTER, color=None, after: float = 4
) -> None:
    p = doc.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    _fonts(p.add_run(clean_text(text)), font, size, color=color)


def ledger_docx(rows: list[ExportRow], *, title: str, today: date, filters_text: str = "") -> bytes:
    """The 台账 as a landscape A4 table: title in 2号小标宋, the header row repeated on every page, body in 五号仿宋
    (header in 黑体), page numbers "— 1 —"."""
    doc = Document()
    _landscape(doc, title)
    _heading(doc, title, font=XIAOBIAOSONG, size=SIZE_2)
    sub = f"（截至{cn(today)}，共{len(rows)}项" + (f"；{filters_text}" if filters_text else "") + "）"
    _heading(doc, sub, font=FANGSONG, size=SIZE_3, after=8)
    table = doc.add_table(rows=1, cols=len(DOCX_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    head = table.rows[0]
    _repeat_header(head)
    for cell, (label, width) in zip(head.cells, DOCX_COLUMNS, strict=True):
        cell.width = Mm(width)
        _cell(cell, label, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    for r in rows:
        leaders = r.responsible_leader + (f"（协调：{r.coordinating_leader}）" if r.coordinating_leader else "")
        due = (
            [f"完成时限：{cn(r.deadline)}" if r.deadline else "完成时限：未定"]
            + (
                [f"原定：{cn(r.original_deadline)}"]
                if r.original_deadline and r.original_deadline != r.deadline
                else []
            )
            + (
                [f"方案应报：{cn(r.plan_due)}" + (f"（{cn(r.plan_filed_on)}已报）" if r.plan_filed_on else "")]
                if r.plan_due
                else []
            )
            + r.milestones
        )
        progress = r.progress or ["—"]
        if r.evidence:
            progress = progress + ["佐证材料：" + "、".join(r.evidence)]
        values = [
            r.number,
            r.meeting or "—",
            [r.title, r.decided_text],
            r.category,
            leaders or "—",
            r.lead_unit,
            r.supporting_units or ["—"],
            r.person_responsible or "—",
            due,
            progress,
            (r.problems + r.extensions) or ["—"],
            r.status + (f"（{cn(r.closed_on)}）" if r.closed_on else ""),
            r.warning,
        ]
        cells = table.add_row().cells
        for cell, value, (_label, width) in zip(cells, values, DOCX_COLUMNS, strict=True):
            cell.width = Mm(width)
            _cell(cell, value)
    return _save(doc)


# ---------------------------------------------------------------- xlsx

XLSX_COLUMNS = (  # header, width (characters), kind
    ("督办编号", 11, "text"),
    ("会议及届次", 26, "text"),
    ("决策日期", 14, "date"),
    ("事项名称", 24, "text"),
    ("决策内容（会议议定原文）", 48, "text"),
    ("类别", 12, "text"),
    ("分管领导", 10, "text"),
    ("协调领导", 10, "text"),
    ("牵头单位", 16, "text"),
    ("配合单位", 22, "text"),
    ("责任人", 10, "text"),
    ("方案应报日期", 14, "date"),
    ("方案报送日期", 14, "date"),
    ("完成时限", 14, "date"),
    ("原定完成时限", 14, "date"),
    ("节点", 28, "text"),
    ("进展情况", 44, "text"),
    ("存在问题", 30, "text"),
    ("延期申请", 36, "text"),
    ("状态", 9, "text"),
    ("预警等级", 10, "text"),
    ("佐证材料", 24, "text"),
    ("销号日期", 14, "date"),
)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def _xlsx_values(r: ExportRow) -> list:
    join = "\n".join
    return [
        r.number,
        r.meeting,
        r.decided_on,
        r.title,
        r.decided_text,
        r.category,
        r.responsible_leader,
        r.coordinating_leader,
        r.lead_unit,
        join(r.supporting_units),
        r.person_responsible,
        r.plan_due,
        r.plan_filed_on,
        r.deadline,
        r.original_deadline,
        join(r.milestones),
        join(r.progress),
        join(r.problems),
        join(r.extensions),
        r.status,
        r.warning,
        join(r.evidence),
        r.closed_on,
    ]


def ledger_xlsx(rows: list[ExportRow], *, title: str, today: date, filters_text: str = "") -> bytes:
    """One sheet 督查台账: a header row (frozen, filterable), one row per assignment, dates as real dates,
    column widths set; a second sheet 说明 says when and with which filters it was exported."""
    wb = Workbook()
    ws = wb.active
    ws.title = "督查台账"
    ws.append([c[0] for c in XLSX_COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F0EFEA")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment = (
            bold,
            fill,
            Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
    for r in rows:
        ws.append([clean_text(v) if isinstance(v, str) else v for v in _xlsx_values(r)])  # legacy rows
    for row in ws.iter_rows(min_row=2):
        for cell, (_h, _w, kind) in zip(row, XLSX_COLUMNS, strict=True):
            cell.alignment = wrap
            if kind == "date":
                cell.number_format = DATE_FORMAT
    from openpyxl.utils import get_column_letter

    for i, (_h, width, _k) in enumerate(XLSX_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_options.gridLines = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    about = wb.create_sheet("说明")
    for line in ((title,), ("导出日期", today), ("事项数", len(rows)), ("筛选条件", filters_text or "全部")):
        about.append(list(line))
    about["B2"].number_format = DATE_FORMAT
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 60
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- 催办单


def reminder_docx(r: Reminder, a: Assignment, unit: Unit, *, office: str, issued_on: date) -> bytes:
    """The reminder notice on portrait A4: 2号小标宋 red title, the number, the addressee and text in 3号仿宋, the
    facts of the assignment, the office and date at the foot."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _normal(doc, f"督办事项催办单 {r.number}")
    _heading(doc, "督办事项催办单", font=XIAOBIAOSONG, size=SIZE_2, color=RED, after=6)
    _heading(doc, r.number, font=FANGSONG, size=SIZE_3, after=12)
    for i, para in enumerate(r.content.splitlines() or [""]):
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(0 if i == 0 else SIZE_3 * 2)
        p.paragraph_format.line_spacing = Pt(29)
        _fonts(p.add_run(clean_text(para.strip())), FANGSONG, SIZE_3)
    facts = [
        ("督办编号：", a.number),
        ("督办事项：", a.title),
        ("决策内容：", a.decided_text),
        ("完成时限：", cn(a.deadline) or "未定"),
        ("报送期限：", cn(r.reply_by) or "收到后及时报送"),
    ]
    for label, text in facts:
        p = doc.add_paragraph()
        p.paragraph_format.line_spacing = Pt(29)
        _fonts(p.add_run(clean_text(label)), HEITI, SIZE_3)
        _fonts(p.add_run(clean_text(text)), FANGSONG, SIZE_3)
    for text in ("", office, cn(issued_on)):
        _heading(doc, text, font=FANGSONG, size=SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT, after=0)
    return _save(doc)


__all__ = ["DOCX", "XLSX", "ExportRow", "export_rows", "ledger_docx", "ledger_xlsx", "reminder_docx"]
