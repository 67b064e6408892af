"""The ledger exported as docx (landscape A4 台账 in the official fonts) and xlsx, read back; the same filters as the
ledger page."""

from __future__ import annotations

import io
from datetime import date, datetime

import docx
import openpyxl
from docx.oxml.ns import qn

from execution.schemas import ExtensionIn, PlanIn, ProgressIn
from tests.execution.supervision_fixtures import assignment, client_for, run

D = date.fromisoformat


def _with_history(app, factory):
    """Two assignments of the housing bureau (one with plan, progress, problems and an extension request) and one
    of the education bureau."""
    from execution import reports
    from meeting.actors import Actor

    a = assignment(
        app,
        title="城南片区老旧小区改造",
        supporting=("区财政局",),
        deadline=D("2024-03-31"),
        milestones=[("完成设计招标", D("2024-02-15"))],
    )
    b = assignment(app, title="背街小巷整治", deadline=D("2024-12-31"), public=True)
    c = assignment(app, title="校舍安全改造", lead="区教育局", category="major_project", deadline=D("2024-05-31"))
    unit = client_for(app, factory, "zhujian", unit="区住建局")
    actor = Actor(kind="account", name="区住建局联络员", user_id=_user_id(app, "zhujian"), role="unit")
    run(
        app,
        lambda s: reports.file_plan(
            s,
            actor,
            a,
            PlanIn(
                internal_unit="城建科", responsible_leader="王局长", person_responsible="李科长", measures="分三批实施"
            ),
        ),
    )
    run(
        app,
        lambda s: reports.report_progress(
            s,
            actor,
            a,
            ProgressIn(reported_on=D("2024-03-20"), content="第一批12个小区已开工", problems="资金拨付滞后"),
            D("2024-03-20"),
        ),
    )
    run(
        app,
        lambda s: reports.request_extension(
            s, actor, a, ExtensionIn(reason="雨季影响施工", new_deadline=D("2024-06-30")), D("2024-03-25")
        ),
    )
    return a, b, c, unit


def _user_id(app, username):
    from sqlmodel import select

    from meeting.models import User

    return run(app, lambda s: s.exec(select(User.id).where(User.username == username)).one())


def _sheet_rows(ws, header_row: int = 3) -> tuple[list, list[dict]]:
    header = [c.value for c in ws[header_row]]
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=header_row + 1)]
    return header, rows


def test_xlsx_has_every_ledger_field_with_real_dates(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    _with_history(app, factory)
    office = client_for(app, factory, "ducha", role="supervisor")
    resp = office.get("/supervision/ledger.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["督查台账", "进展情况", "台账明细", "说明"]
    ws = wb["台账明细"]
    header, rows = _sheet_rows(ws)
    for name in (
        "序号",
        "督办编号",
        "会议及届次",
        "决策内容（会议议定原文）",
        "类别",
        "分管领导",
        "牵头单位",
        "配合单位",
        "责任人",
        "完成时限",
        "节点",
        "进展情况",
        "存在问题",
        "延期申请",
        "状态",
        "预警等级",
        "佐证材料",
    ):
        assert name in header, name
    assert ws.freeze_panes == "C4"
    assert ws.column_dimensions["F"].width == 48
    assert [r["督办编号"] for r in rows] == ["2024-001", "2024-002", "2024-003"]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first["决策内容（会议议定原文）"] == "由区住建局牵头，区财政局配合，2024年3月31日前完成改造。"
    assert isinstance(first["完成时限"], datetime) and first["完成时限"].date() == D("2024-03-31")
    assert first["决策日期"].date() == D("2024-01-10")
    assert first["方案报送日期"] is not None
    assert first["状态"] == "逾期" and first["预警等级"] == "红色预警"
    assert first["配合单位"] == "区财政局" and first["分管领导"] == "张副区长"
    assert "2024年3月20日：第一批12个小区已开工" in first["进展情况"]
    assert "资金拨付滞后" in first["存在问题"]
    assert "申请延期至2024年6月30日" in first["延期申请"] and "雨季影响施工" in first["延期申请"]
    assert "待审批" in first["延期申请"]
    assert "完成设计招标：2024年2月15日" in first["节点"]
    assert rows[2]["类别"] == "重大项目安排" and rows[2]["牵头单位"] == "区教育局"
    assert ws["O4"].number_format == 'yyyy"年"m"月"d"日"'
    assert wb["说明"]["B4"].value == "全部"


def test_filters_are_the_ledgers(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    _with_history(app, factory)
    office = client_for(app, factory, "ducha", role="supervisor")
    from tests.execution.supervision_fixtures import unit_id

    def numbers(query):
        wb = openpyxl.load_workbook(io.BytesIO(office.get("/supervision/ledger.xlsx?" + query).data))
        return [r[1].value for r in wb["督查台账"].iter_rows(min_row=4)], wb["说明"]["B4"].value

    assert numbers(f"unit_id={unit_id(app, '区教育局')}")[0] == ["2024-003"]
    assert numbers("status=overdue")[0] == ["2024-001"]
    assert numbers("category=major_project")[0] == ["2024-003"]
    assert numbers("due_before=2024-06-01")[0] == ["2024-001", "2024-003"]
    assert numbers("q=背街")[0] == ["2024-002"]
    nums, said = numbers("warning=red&leader=张副区长")
    assert nums == ["2024-001"] and "红色预警" in said and "张副区长" in said
    assert office.get("/supervision/ledger.xlsx?due_before=2024-13-01").status_code == 400


def test_docx_is_a_landscape_table_in_official_fonts(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    _with_history(app, factory)
    office = client_for(app, factory, "ducha", role="supervisor")
    resp = office.get("/supervision/ledger.docx?unit_id=")
    assert resp.status_code == 200
    doc = docx.Document(io.BytesIO(resp.data))
    sec = doc.sections[0]
    assert sec.page_width > sec.page_height and round(sec.page_width.mm) == 297
    assert doc.paragraphs[0].text == "重大决策执行督查台账"
    assert "截至2024年4月2日，共3项" in doc.paragraphs[1].text
    assert doc.paragraphs[2].text.startswith("制表单位：督查室") and "制表日期：2024年4月2日" in doc.paragraphs[2].text
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:2] == ["序号", "督办编号"] and "最新进展" in header and header[-1] == "状态及预警"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    body = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert set(body) == {"2024-001", "2024-002", "2024-003"}
    assert [body[n][0] for n in ("2024-001", "2024-002", "2024-003")] == ["1", "2", "3"]
    first = body["2024-001"]
    assert "由区住建局牵头，区财政局配合，2024年3月31日前完成改造。" in first[3]
    assert first[8].startswith("2024年3月31日") and "完成设计招标" in first[8]
    assert "第一批12个小区已开工" in first[9] and "雨季影响施工" in first[10]
    assert first[11] == "逾期\n红色预警"
    for run_el in doc.element.body.iter(qn("w:r")):  # every run names its East-Asian font
        fonts = run_el.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in ("方正小标宋简体", "仿宋_GB2312", "黑体")


def test_reminder_docx_reads_back(app, factory):
    from execution import supervision
    from tests.execution.supervision_fixtures import OFFICE

    app.config["YISHI_TODAY"] = "2024-04-02"
    aid = assignment(app)
    rid = run(
        app,
        lambda s: (
            supervision.issue_reminder(
                s,
                OFFICE,
                aid,
                supervision.ReminderIn(content="区住建局：\n请抓紧办理。", reply_by=D("2024-04-09")),
                D("2024-04-02"),
            ).id
        ),
    )
    office = client_for(app, factory, "ducha", role="supervisor")
    doc = docx.Document(io.BytesIO(office.get(f"/supervision/reminders/{rid}.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督办事项催办单" in text and "催办〔2024〕1号" in text and "报送期限：2024年4月9日" in text
    assert "督办编号：2024-001" in text and text.rstrip().endswith("日")
