"""The 台账 as a 督查室 hands it up: sized columns, 序号, a title row with 制表单位 and date, the latest progress only
(the history in its own sheet / annex), late completions as such, official fonts, one page wide with the header
repeated and page x of y; a three-item 台账 through LibreOffice is one page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from execution.ledger import finished_label
from execution.schemas import ProgressIn
from tests.execution.supervision_fixtures import client_for, run
from tests.execution.test_export import _user_id, _with_history
from tests.pdf import calc_installed, needs_office, to_pdf

D = date.fromisoformat


@pytest.mark.parametrize(
    "deadline, finished_on, expected",
    [
        (D("2024-03-31"), D("2024-03-30"), "已销号"),
        (D("2024-03-31"), D("2024-03-31"), "已销号"),  # the deadline day itself is in time
        (D("2024-03-31"), D("2024-04-01"), "已销号（逾期1日）"),
        (D("2024-03-31"), D("2024-04-03"), "已销号（逾期3日）"),
        (D("2024-02-28"), D("2024-03-01"), "已销号（逾期2日）"),  # 2024 is a leap year
        (None, D("2024-04-03"), "已销号"),
        (D("2024-03-31"), None, "已销号"),
    ],
)
def test_finished_label(deadline, finished_on, expected):
    assert finished_label("已销号", deadline, finished_on) == expected


def _closed_late(app, factory):
    """The history of test_export, a second progress report on the first, and the second closed three days late."""
    from execution import reports
    from execution.models import CLOSED, Assignment
    from meeting.actors import Actor

    a, b, c, _unit = _with_history(app, factory)
    actor = Actor(kind="account", name="区住建局联络员", user_id=_user_id(app, "zhujian"), role="unit")
    run(
        app,
        lambda s: reports.report_progress(
            s, actor, a, ProgressIn(reported_on=D("2024-04-01"), content="第二批8个小区进场"), D("2024-04-01")
        ),
    )

    def close_late(s):
        x = s.get(Assignment, b)
        x.deadline = D("2024-03-31")
        x.status, x.closed_at = CLOSED, datetime(2024, 4, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
        s.add(x)

    run(app, close_late)
    return client_for(app, factory, "ducha", role="supervisor")


def test_xlsx_prints_as_the_office_hands_it_up(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-05"
    office = _closed_late(app, factory)
    wb = openpyxl.load_workbook(io.BytesIO(office.get("/supervision/ledger.xlsx").data))
    ws = wb["督查台账"]
    # the title row, merged across the table, and 制表单位 / 制表日期 under it
    assert ws["A1"].value == "重大决策执行督查台账" and "A1:M1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.name == "方正小标宋简体"
    assert ws["A2"].value.startswith("制表单位：督查室") and "制表日期：2024年4月5日" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:2] == ["序号", "督办编号"] and "最新进展" in header and "事项" not in header
    widths = {h: ws.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(header)}
    assert widths["序号"] <= 6 and widths["决策事项（会议议定）"] == max(widths.values())  # sized to content
    # fonts: 仿宋 in the body, 黑体 in the header, never Calibri
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if cell.value is not None:
                assert cell.font.name in ("方正小标宋简体", "仿宋_GB2312", "黑体"), (cell.coordinate, cell.font.name)
    assert {c.font.name for c in ws[3]} == {"黑体"}
    assert all(c.alignment.wrap_text for c in ws[4])
    # print: landscape A4, one page wide, the header row repeated, page x of y
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=4)]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    first, second = rows[0], rows[1]
    assert first["最新进展"].startswith("2024年4月1日：第二批8个小区进场")  # the latest only …
    assert "第一批12个小区已开工" not in first["最新进展"] and "共2次报告" in first["最新进展"]
    assert second["状态"] == "已销号（逾期3日）" and second["预警"] == "—"  # not "已销号 / 无"
    # … the whole history in its own sheet
    history = wb["进展情况"]
    entries = [[c.value for c in r] for r in history.iter_rows(min_row=4)]
    assert [(e[1], e[4]) for e in entries] == [
        ("2024-001", "第一批12个小区已开工"),
        ("2024-001", "第二批8个小区进场"),
    ]
    assert history.print_title_rows == "$3:$3" and history.page_setup.fitToWidth == 1
    assert wb["台账明细"].cell(row=5, column=21).value == "已销号（逾期3日）"


def test_docx_columns_are_sized_and_the_history_is_annexed(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-05"
    office = _closed_late(app, factory)
    doc = docx.Document(io.BytesIO(office.get("/supervision/ledger.docx").data))
    table = doc.tables[0]
    grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(grid)) > 3  # not equal columns
    assert grid[0] == min(grid) and grid[3] == max(grid)  # 序号 narrowest, 决策事项 widest
    assert abs(sum(grid) / 1440 * 25.4 - 267) < 1  # the text width of landscape A4
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows[0][9].startswith("2024年4月1日：第二批8个小区进场") and "第一批" not in rows[0][9]
    assert rows[1][11].startswith("已销号（逾期3日）")
    annex = doc.tables[1]
    assert annex.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [r.cells[4].text for r in annex.rows[1:]] == ["第一批12个小区已开工", "第二批8个小区进场"]
    assert any(p.text == "附表：进展情况报告记录" for p in doc.paragraphs)


@needs_office
def test_a_three_item_docx_ledger_is_one_page(app, factory, tmp_path):
    app.config["YISHI_TODAY"] = "2024-04-02"
    _with_history(app, factory)
    office = client_for(app, factory, "ducha", role="supervisor")
    pages, text = to_pdf(tmp_path, "ledger", office.get("/supervision/ledger.docx").data)
    flat = "".join(text.split())
    assert pages == 1
    assert "重大决策执行督查台账" in flat and "制表单位：督查室" in flat and "2024-003" in flat


@needs_office
@pytest.mark.skipif(not calc_installed(), reason="LibreOffice Calc (libreoffice-calc) not installed")
def test_a_three_item_xlsx_ledger_prints_on_one_page(app, factory, tmp_path):
    app.config["YISHI_TODAY"] = "2024-04-02"
    _with_history(app, factory)
    office = client_for(app, factory, "ducha", role="supervisor")
    pages, text = to_pdf(tmp_path, "ledger", office.get("/supervision/ledger.xlsx").data, "xlsx")
    # every sheet prints; the 台账 itself is the first page
    assert "重大决策执行督查台账" in "".join(text.split("\f")[0].split())
    assert "2024-003" in "".join(text.split("\f")[0].split())
