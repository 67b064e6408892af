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
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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
    CLOSED,
    COMPLETED,
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
class ProgressEntry:
    reported_on: date
    content: str
    problems: str
    completes: bool


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
    history: list[ProgressEntry] = field(default_factory=list)  # every progress report, oldest first (the annex)

    @property
    def latest_progress(self) -> str:
        """The last progress entry only: the 台账 shows where things stand; the history is in the annex."""
        return self.progress[-1] if self.progress else "—"


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
        history = [ProgressEntry(p.reported_on, p.content, p.problems, p.completes) for p in reports.get(a.id, [])]
        closed_on = _local_day(a.closed_at, zone)
        finished_on = None
        if a.status == CLOSED:
            finished_on = closed_on
        elif a.status == COMPLETED:
            finished_on = next((p.reported_on for p in reversed(history) if p.completes), None)
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
                status=ledger.finished_label(r.status_label, a.deadline, finished_on),
                warning=r.warning_label or ("—" if finished_on or a.status in (CLOSED, COMPLETED) else "无"),
                evidence=evidence.get(a.id, []),
                closed_on=closed_on,
                history=history,
            )
        )
    return out


# ---------------------------------------------------------------- docx: the printable 台账

TABLE_SIZE = 10.5  # 五号: the 制表单位 line, the 催办单's facts
CELL_SIZE = 9  # 小五: the table's cells, so a three-item 台账 is one page
DOCX_TEXT_WIDTH = 267  # landscape A4 less 15 mm margins, in mm
DOCX_COLUMNS = (  # header, width in mm, sized to what the column holds at 小五 (3.2 mm a character, 3.8 mm padding)
    ("序号", 9),
    ("督办编号", 21),  # 2024-001 on one line, in the CJK font's Latin glyphs
    ("会议及届次", 22),
    ("决策事项（会议议定）", 46),  # the widest: the decided text verbatim
    ("分管领导", 17),  # four characters
    ("牵头单位", 17),
    ("配合单位", 18),
    ("责任人", 14),
    ("完成时限及节点", 28),  # 2024年12月31日 on one line
    ("最新进展", 36),
    ("存在问题及延期申请", 22),
    ("状态及预警", 17),
)
ANNEX_COLUMNS = (("序号", 9), ("督办编号", 17), ("事项名称", 50), ("报告日期", 26), ("进展情况", 105), ("存在问题", 60))


def _cell(
    cell, lines: list[str] | str, *, font: str = FANGSONG, size: float = CELL_SIZE, bold: bool = False, align=None
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


def _table(doc, columns) -> object:
    """A grid table of fixed column widths: the widths in the table grid (``w:gridCol``, which LibreOffice and WPS
    lay out by — python-docx writes equal ones) and on every cell (which Word reads), a fixed layout, and a header
    row in 黑体 repeated at the top of every page."""
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for grid_col, (_label, width) in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), columns, strict=True):
        grid_col.set(qn("w:w"), str(round(Mm(width).twips)))
    head = table.rows[0]
    _repeat_header(head)
    for cell, (label, width) in zip(head.cells, columns, strict=True):
        cell.width = Mm(width)
        _cell(cell, label, font=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER)
    return table


def _row(table, columns, values) -> None:
    cells = table.add_row().cells
    for cell, value, (label, width) in zip(cells, values, columns, strict=True):
        cell.width = Mm(width)
        _cell(cell, value, align=WD_ALIGN_PARAGRAPH.CENTER if label in ("序号", "状态及预警") else None)


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


def made_by_line(office: str, today: date) -> str:
    """制表单位：区政府督查室        制表日期：2024年4月2日 — the line under the 台账's title."""
    return f"制表单位：{office or '督查室'}" + "\u3000" * 4 + f"制表日期：{cn(today)}"


def _docx_values(i: int, r: ExportRow) -> list:
    leaders = r.responsible_leader + (f"（协调：{r.coordinating_leader}）" if r.coordinating_leader else "")
    due = (
        [cn(r.deadline) if r.deadline else "未定"]
        + ([f"（原定{cn(r.original_deadline)}）"] if r.original_deadline and r.original_deadline != r.deadline else [])
        + (
            [f"方案应报：{cn(r.plan_due)}" + (f"（{cn(r.plan_filed_on)}已报）" if r.plan_filed_on else "")]
            if r.plan_due
            else []
        )
        + r.milestones
    )
    progress = [r.latest_progress]
    if len(r.progress) > 1:
        progress.append(f"（共{len(r.progress)}次报告，见附表）")
    if r.evidence:
        progress.append("佐证材料：" + "、".join(r.evidence))
    problems = ([r.history[-1].problems] if r.history and r.history[-1].problems.strip() else []) + r.extensions
    status = (
        [r.status]
        + ([f"{cn(r.closed_on)}销号"] if r.closed_on else [])
        + ([r.warning] if r.warning not in ("", "无", "—") else [])
    )
    return [
        str(i),
        r.number,
        r.meeting or "—",
        [f"{r.title}（{r.category}）" if r.category else r.title, r.decided_text],
        leaders or "—",
        r.lead_unit,
        r.supporting_units or ["—"],
        r.person_responsible or "—",
        due,
        progress,
        problems or ["—"],
        status,
    ]


def ledger_docx(rows: list[ExportRow], *, title: str, today: date, filters_text: str = "", office: str = "") -> bytes:
    """The 台账 as a督查室 hands it up: landscape A4, title in 2号小标宋, 制表单位 and 制表日期 under it, one row per
    assignment with its 序号 and only its latest progress, columns sized to what they hold (the decided text widest,
    序号 narrow), the header row repeated on every page, body in 五号仿宋 (header in 黑体), page numbers "— 1 —";
    then 附表 with every progress report."""
    doc = Document()
    _landscape(doc, title)
    _heading(doc, title, font=XIAOBIAOSONG, size=SIZE_2)
    sub = f"（截至{cn(today)}，共{len(rows)}项" + (f"；{filters_text}" if filters_text else "") + "）"
    _heading(doc, sub, font=FANGSONG, size=SIZE_3, after=2)
    _heading(doc, made_by_line(office, today), font=FANGSONG, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
    table = _table(doc, DOCX_COLUMNS)
    for i, r in enumerate(rows, 1):
        _row(table, DOCX_COLUMNS, _docx_values(i, r))
    if any(len(r.history) > 1 for r in rows):
        _heading(doc, "附表：进展情况报告记录", font=HEITI, size=SIZE_3, after=4)
        annex = _table(doc, ANNEX_COLUMNS)
        for i, r in enumerate(rows, 1):
            for p in r.history:
                _row(
                    annex,
                    ANNEX_COLUMNS,
                    [
                        str(i),
                        r.number,
                        r.title,
                        cn(p.reported_on),
                        p.content + ("（报告办结）" if p.completes else ""),
                        p.problems or "—",
                    ],
                )
    return _save(doc)


# ---------------------------------------------------------------- xlsx

SHEET_FONT = "仿宋_GB2312"  # as the docx: a viewer without it falls back to its own CJK serif (仿宋 / 宋体)
HEAD_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
PRINT_COLUMNS = (  # the printed 台账: header, width (characters), kind
    ("序号", 5, "number"),
    ("督办编号", 10, "text"),
    ("会议及届次", 18, "text"),
    ("决策事项（会议议定）", 40, "text"),
    ("分管领导", 9, "text"),
    ("牵头单位", 12, "text"),
    ("配合单位", 13, "text"),
    ("责任人", 8, "text"),
    ("完成时限", 12, "date"),
    ("最新进展", 34, "text"),
    ("存在问题及延期申请", 22, "text"),
    ("状态", 11, "text"),
    ("预警", 8, "text"),
)
HEADER_ROW = 3  # title, 制表单位 line, then the header
XLSX_COLUMNS = (  # the 明细 sheet: every ledger field, one column each (for sorting and filtering)
    ("序号", 5, "number"),
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
    ("状态", 14, "text"),
    ("预警等级", 10, "text"),
    ("佐证材料", 24, "text"),
    ("销号日期", 14, "date"),
)
HISTORY_COLUMNS = (
    ("序号", 5, "number"),
    ("督办编号", 11, "text"),
    ("事项名称", 24, "text"),
    ("报告日期", 14, "date"),
    ("进展情况", 60, "text"),
    ("存在问题", 36, "text"),
    ("报告办结", 10, "text"),
)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def _print_values(i: int, r: ExportRow) -> list:
    join = "\n".join
    latest = r.latest_progress + (f"\n（共{len(r.progress)}次报告，见“进展情况”表）" if len(r.progress) > 1 else "")
    problems = ([r.history[-1].problems] if r.history and r.history[-1].problems.strip() else []) + r.extensions
    return [
        i,
        r.number,
        r.meeting,
        f"{r.title}\n{r.decided_text}" if r.decided_text else r.title,
        r.responsible_leader + (f"\n（协调：{r.coordinating_leader}）" if r.coordinating_leader else ""),
        r.lead_unit,
        join(r.supporting_units),
        r.person_responsible,
        r.deadline,
        latest,
        join(problems),
        r.status,
        r.warning,
    ]


def _xlsx_values(i: int, r: ExportRow) -> list:
    join = "\n".join
    return [
        i,
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


def _sheet(ws, columns, rows: list[list], *, title: str, made_by: str, landscape: bool = True) -> None:
    """A printable sheet: the title merged across the columns (小标宋), the 制表单位 line, the header row (黑体,
    repeated on every printed page, frozen, filterable), the rows in 仿宋 wrapped, columns at their widths, A4 fitted
    to one page wide, "第 x 页，共 y 页" in the footer."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    n = len(columns)
    last = get_column_letter(n)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([clean_text(title)] + [None] * (n - 1))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name=TITLE_FONT, size=18)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 36
    ws.append([clean_text(made_by)] + [None] * (n - 1))
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(name=SHEET_FONT, size=11)
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws.append([c[0] for c in columns])
    for cell in ws[HEADER_ROW]:
        cell.font = Font(name=HEAD_FONT, size=11)
        cell.fill = PatternFill("solid", fgColor="F0EFEA")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    body_font = Font(name=SHEET_FONT, size=11)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(wrap_text=True, vertical="top", horizontal="center")
    for values in rows:
        ws.append([clean_text(v) if isinstance(v, str) else v for v in values])  # legacy rows
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for cell, (_h, _w, kind) in zip(row, columns, strict=True):
            cell.font, cell.border = body_font, border
            cell.alignment = centre if kind == "number" else wrap
            if kind == "date":
                cell.number_format = DATE_FORMAT
    for i, (_h, width, _k) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(ws.max_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as many pages long as it takes
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = SHEET_FONT


def ledger_xlsx(rows: list[ExportRow], *, title: str, today: date, filters_text: str = "", office: str = "") -> bytes:
    """The 台账 workbook as a 督查室 hands it up. 督查台账: the printed table — title row merged, 制表单位 and 制表日期,
    序号, columns sized to content, latest progress only, late completions as such ("已销号（逾期3日）"), 仿宋 text,
    landscape A4 one page wide with the header row repeated and "第 x 页，共 y 页". 进展情况: every progress report.
    台账明细: every ledger field in a column of its own (dates as real dates). 说明: when and with which filters."""
    made_by = made_by_line(office, today)
    wb = Workbook()
    ws = wb.active
    ws.title = "督查台账"
    _sheet(ws, PRINT_COLUMNS, [_print_values(i, r) for i, r in enumerate(rows, 1)], title=title, made_by=made_by)
    history = [
        [i, r.number, r.title, p.reported_on, p.content, p.problems, "是" if p.completes else ""]
        for i, r in enumerate(rows, 1)
        for p in r.history
    ]
    _sheet(wb.create_sheet("进展情况"), HISTORY_COLUMNS, history, title=f"{title}附表：进展情况", made_by=made_by)
    _sheet(
        wb.create_sheet("台账明细"),
        XLSX_COLUMNS,
        [_xlsx_values(i, r) for i, r in enumerate(rows, 1)],
        title=f"{title}明细",
        made_by=made_by,
    )
    about = wb.create_sheet("说明")
    for line in (
        (title,),
        ("导出日期", today),
        ("事项数", len(rows)),
        ("筛选条件", filters_text or "全部"),
        ("制表单位", office or "督查室"),
    ):
        about.append(list(line))
    about["B2"].number_format = DATE_FORMAT
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 60
    for row in about.iter_rows():
        for cell in row:
            cell.font = Font(name=SHEET_FONT, size=11)
    wb.properties.title = title
    wb.properties.creator = office or "督查室"
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
