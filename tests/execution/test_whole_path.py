"""The whole path through the real app: a meeting decides in the room → minutes approved (minutes.service) → the
secretary creates the assignment from the pre-filled form → the unit files its plan and progress → extension
requested and approved → overdue on a later (pinned) day → completed → the leader signs in the app → the office
closes it; the closed row stays in the ledger."""

from __future__ import annotations

import io
import re
from datetime import date

from tests.execution.core import account, client, decided_meeting


def _get(c, path):
    resp = c.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.get_data(as_text=True)


def _post(c, path, data, **kw):
    resp = c.post(path, data={"csrf_token": c.csrf, **data}, **kw)
    assert resp.status_code == 303, (path, resp.status_code, resp.get_data(as_text=True)[:500])
    return resp


def _row(html: str, number: str) -> str:
    m = re.search(rf'<tr class="row-\w+" data-number="{number}">.*?</tr>', html, flags=re.S)
    assert m, number
    return m.group(0)


def test_decision_to_close_out(app, factory):
    d = decided_meeting(factory)
    factory.user("mishu", "correct horse battery", display_name="王秘书", role="secretary")
    factory.user("ducha", "correct horse battery", display_name="督查室张", role="supervisor")
    account(factory, "lingdao", "leader", person_id=d.ids[1], display_name="成员02")
    app.config["YISHI_TODAY"] = date(2023, 12, 11)

    # the secretary: the minutes page offers the entry, the form is pre-filled from the decided text
    sec = client(app, "mishu")
    assert "生成督办事项" in _get(sec, f"/minutes/meetings/{d.meeting_id}")
    page = _get(sec, f"/execution/meetings/{d.meeting_id}")
    assert 'value="区住建局"' in page and 'value="区财政局、区自然资源局"' in page and 'value="2024-03-31"' in page
    assert "本议题未获通过或暂缓决策" in page  # the deferred item gets none
    _post(
        sec,
        f"/execution/meetings/{d.meeting_id}/items/{d.passed}",
        {
            "title": "城南片区老旧小区改造",
            "category": "major_decision",
            "decided_on": "2023-12-09",
            "decided_text": "原则同意城南片区老旧小区改造方案，由区住建局牵头，区财政局、区自然资源局配合，2024年3月31日前完成。",
            "lead_unit": "区住建局",
            "supporting_units": "区财政局、区自然资源局",
            "responsible_leader": "成员02",
            "deadline": "2024-03-31",
            "milestones": "2024-01-31 完成摸底调查",
        },
    )
    page = _get(sec, f"/execution/meetings/{d.meeting_id}")
    assert "2023-001" in page
    assignment_id = int(re.search(r"/execution/assignments/(\d+)", page).group(1))

    # the office makes the unit's account on its page
    office = client(app, "ducha")
    units = _get(office, "/execution/units")
    unit_id = re.search(r'<option value="(\d+)">区住建局</option>', units).group(1)
    _post(
        office,
        "/execution/accounts",
        {
            "role": "unit",
            "unit_id": unit_id,
            "username": "zhujian",
            "display_name": "住建局李",
            "password": "correct horse battery",
        },
    )

    # the unit: plan, then progress with an attachment (未启动 → 推进中)
    unit = client(app, "zhujian")
    assert "2023-001" in _get(unit, "/execution/unit")
    _post(
        unit,
        f"/execution/assignments/{assignment_id}/plan",
        {
            "internal_unit": "城建科",
            "responsible_leader": "局长甲",
            "person_responsible": "科长乙",
            "measures": "分三批实施改造",
            "schedule": "1月摸底，3月完成",
        },
    )
    assert "未启动" in _row(_get(office, "/execution/"), "2023-001")
    _post(
        unit,
        f"/execution/assignments/{assignment_id}/progress",
        {
            "reported_on": "2023-12-11",
            "content": "已完成摸底调查",
            "problems": "个别住户意见不一",
            "files": (io.BytesIO(b"%PDF-1.4 survey"), "摸底表.pdf"),
        },
        content_type="multipart/form-data",
    )
    row = _row(_get(office, "/execution/"), "2023-001")
    assert "推进中" in row

    # 20 March: blue (11 days left); 28 March: yellow; the unit asks for more time, the office approves
    app.config["YISHI_TODAY"] = date(2024, 3, 20)
    assert "蓝色预警" in _row(_get(office, "/execution/?warning=blue"), "2023-001")
    app.config["YISHI_TODAY"] = date(2024, 3, 28)
    row = _row(_get(office, "/execution/?warning=yellow"), "2023-001")
    assert "黄色预警" in row
    _post(
        unit,
        f"/execution/assignments/{assignment_id}/extensions",
        {"reason": "征迁工作未完成", "new_deadline": "2024-04-30"},
    )
    page = _get(office, f"/execution/assignments/{assignment_id}")
    rid = re.search(r"/execution/extensions/(\d+)/decision", page).group(1)
    _post(office, f"/execution/extensions/{rid}/decision", {"approve": "1", "note": "同意延期一个月"})
    page = _get(office, f"/execution/assignments/{assignment_id}")
    assert "2024年4月30日" in page and "原定2024年3月31日" in page

    # 6 May: overdue, red, in the ledger filtered by status
    app.config["YISHI_TODAY"] = date(2024, 5, 6)
    row = _row(_get(office, "/execution/?status=overdue"), "2023-001")
    assert "逾期" in row and "红色预警" in row

    # completed, signed by the leader in the app with evidence, closed by the office
    _post(
        unit,
        f"/execution/assignments/{assignment_id}/progress",
        {"reported_on": "2024-05-06", "content": "改造全部完成并验收", "completes": "1"},
    )
    assert "已办结" in _row(_get(office, "/execution/"), "2023-001")
    leader = client(app, "lingdao")
    assert "2023-001" in _get(leader, "/execution/leader")
    _post(
        leader,
        f"/execution/assignments/{assignment_id}/signoff",
        {"signed_on": "2024-05-06", "opinion": "同意销号", "files": (io.BytesIO(b"%PDF-1.4 signed"), "签字件.pdf")},
        content_type="multipart/form-data",
    )
    _post(office, f"/execution/assignments/{assignment_id}/close", {})
    ledger = _get(office, "/execution/")
    row = _row(ledger, "2023-001")
    assert "已销号" in row and "逾期" not in row
    page = _get(office, f"/execution/assignments/{assignment_id}")
    for words in ("分管领导成员02于2024年5月6日签字确认", "签字件.pdf", "摸底表.pdf", "立项督办", "批准延期", "销号"):
        assert words in page, words
