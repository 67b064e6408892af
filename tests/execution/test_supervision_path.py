"""The whole path through the real app, continuing the core path: a meeting decides in the real room, minutes are
approved, an assignment is created from the decided item (execution.service.create_assignment), the unit files its
plan and progress, its extension is approved, it still runs late → overdue on the dashboard, a 催办单 issued and
printed, the notice seen by the unit, and the ledger exported to docx and xlsx and read back."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
from flask import url_for
from sqlmodel import select

from execution import reports
from execution.models import ExtensionRequest
from execution.schemas import ExtensionDecisionIn, ExtensionIn, PlanIn, ProgressIn
from execution.service import AssignmentIn, create_assignment
from meeting.actors import Actor
from meeting.models import User
from tests.execution.supervision_fixtures import OFFICE, client_for, decided_meeting, run

D = date.fromisoformat
DECIDED = "由区住建局牵头，区财政局配合，2024年3月31日前完成城南片区老旧小区改造。"


def test_overdue_reminder_notification_and_export(app, factory):
    m, (item,) = decided_meeting(factory, [("关于城南片区老旧小区改造的议题", DECIDED, False)])
    aid = run(
        app,
        lambda s: (
            create_assignment(
                s,
                OFFICE,
                AssignmentIn(
                    title="城南片区老旧小区改造",
                    decided_text=DECIDED,
                    category="major_decision",
                    decided_on=D("2023-12-09"),
                    lead_unit="区住建局",
                    supporting_units=["区财政局"],
                    responsible_leader="张副区长",
                    person_responsible="李科长",
                    deadline=D("2024-03-31"),
                    meeting_id=m,
                    item_id=item,
                    public=True,
                ),
            ).id
        ),
    )
    unit_http = client_for(app, factory, "zhujian", unit="区住建局")
    finance_http = client_for(app, factory, "caizheng", unit="区财政局")
    office_http = client_for(app, factory, "ducha", role="supervisor")
    unit = Actor(
        kind="account",
        name="区住建局联络员",
        role="unit",
        user_id=run(app, lambda s: s.exec(select(User.id).where(User.username == "zhujian")).one()),
    )

    # plan and progress in time; an extension to 4月30日 approved by the office
    run(
        app,
        lambda s: reports.file_plan(
            s,
            unit,
            aid,
            PlanIn(
                internal_unit="城建科", responsible_leader="王局长", person_responsible="李科长", measures="分三批实施"
            ),
        ),
    )
    run(
        app,
        lambda s: reports.report_progress(
            s,
            unit,
            aid,
            ProgressIn(reported_on=D("2024-02-20"), content="第一批12个小区已开工", problems="雨季施工受阻"),
            D("2024-02-20"),
        ),
    )
    run(
        app,
        lambda s: reports.request_extension(
            s, unit, aid, ExtensionIn(reason="雨季影响施工", new_deadline=D("2024-04-30")), D("2024-03-25")
        ),
    )
    rid = run(app, lambda s: s.exec(select(ExtensionRequest.id)).one())
    run(
        app,
        lambda s: reports.decide_extension(s, OFFICE, rid, ExtensionDecisionIn(approve=True, note="同意延期一个月")),
    )

    # 5月6日: past the new deadline → overdue on the dashboard (the page load runs the day's sweep)
    app.config["YISHI_TODAY"] = "2024-05-06"
    dash = office_http.get("/supervision/").get_data(as_text=True)
    assert "城南片区老旧小区改造" in dash and "逾期6日" in dash

    # the office issues a 催办单 and prints it
    form = office_http.get(f"/supervision/assignments/{aid}/reminder").get_data(as_text=True)
    assert "现已逾期6日" in form
    resp = office_http.post(
        f"/supervision/assignments/{aid}/reminder",
        data={
            "csrf_token": office_http.csrf,
            "content": "区住建局：\n请于5月10日前报送整改进展。",
            "reply_by": "2024-05-10",
        },
    )
    assert resp.status_code == 303
    sheet = office_http.get(resp.headers["Location"]).get_data(as_text=True)
    assert "催办〔2024〕1号" in sheet and "2024年4月30日" in sheet  # the deadline as extended

    # the unit sees the notices (overdue and the reminder) on its notifications page and its home
    notes = unit_http.get("/supervision/notifications").get_data(as_text=True)
    assert "催办〔2024〕1号" in notes and "已逾期6日" in notes
    with app.test_request_context():
        home_url = url_for("execution.unit_home")
    assert "催办〔2024〕1号" in unit_http.get(home_url).get_data(as_text=True)
    # the supporting unit is told it is overdue too, but the reminder went to the lead unit only
    theirs = finance_http.get("/supervision/notifications").get_data(as_text=True)
    assert "已逾期6日" in theirs and "催办〔2024〕1号" not in theirs

    # the ledger, exported and read back
    wb = openpyxl.load_workbook(io.BytesIO(office_http.get("/supervision/ledger.xlsx").data))
    ws = wb["台账明细"]  # every field in a column of its own, under the title and 制表单位 rows
    header = [c.value for c in ws[3]]
    row = dict(zip(header, [c.value for c in ws[4]], strict=True))
    assert row["督办编号"] == "2023-001" and row["会议及届次"].startswith("某某区人民政府第1次")
    assert row["决策内容（会议议定原文）"] == DECIDED
    assert row["完成时限"].date() == D("2024-04-30") and row["原定完成时限"].date() == D("2024-03-31")
    assert row["状态"] == "逾期" and row["预警等级"] == "红色预警"
    assert "已批准" in row["延期申请"] and "第一批12个小区已开工" in row["进展情况"]
    assert ws.max_row == 4

    doc = docx.Document(io.BytesIO(office_http.get("/supervision/ledger.docx").data))
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells[:2] == ["1", "2023-001"] and DECIDED in cells[3] and cells[11] == "逾期\n红色预警"
    assert "（原定2024年3月31日）" in cells[8] and "已批准" in cells[10]

    # and the public page shows the decision with its status
    public = app.test_client().get("/public/").get_data(as_text=True)
    assert DECIDED in public and "逾期" in public and "雨季施工受阻" not in public
