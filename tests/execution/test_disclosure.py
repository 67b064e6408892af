"""The public page (no sign-in) and complaints: decisions marked public with their status, never a confidential
item's, never opinions, contacts or internal notes; complaints get a tracking code and must be answered."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from execution import disclosure
from execution.models import Assignment, Complaint
from execution.schemas import PlanIn, ProgressIn
from meeting.actors import Actor
from tests.execution.supervision_fixtures import OFFICE, assignment, client_for, decided_meeting, run
from tests.factories import form_csrf

D = date.fromisoformat
OPEN_TEXT = "由区住建局牵头，2024年3月31日前完成城南片区老旧小区改造。"
SECRET_TEXT = "由区国安委牵头，对涉密通信设施实施改造。"


def _public_and_confidential(app, factory):
    m, (open_item, secret_item) = decided_meeting(
        factory,
        [("关于城南片区老旧小区改造的议题", OPEN_TEXT, False), ("关于涉密通信设施改造的议题", SECRET_TEXT, True)],
    )
    pub = assignment(
        app,
        title="城南片区老旧小区改造",
        text=OPEN_TEXT,
        decided_on=D("2023-12-09"),
        meeting_id=m,
        item_id=open_item,
        public=True,
    )
    secret = assignment(
        app,
        title="涉密通信设施改造",
        text=SECRET_TEXT,
        lead="区国安委",
        decided_on=D("2023-12-09"),
        meeting_id=m,
        item_id=secret_item,
    )

    def mark_public_by_mistake(s):  # what a careless edit would do: the page must still withhold it
        a = s.get(Assignment, secret)
        a.public = True
        s.add(a)

    run(app, mark_public_by_mistake)
    return pub, secret


def test_public_page_never_shows_a_confidential_item(app, factory, http):
    app.config["YISHI_TODAY"] = "2024-01-15"
    pub, _secret = _public_and_confidential(app, factory)
    internal = assignment(app, title="内部事项", text="不公开的内部安排。", public=False)
    # internal notes on the public one: plan, progress and problems — never public
    client_for(app, factory, "zhujian", unit="区住建局")
    from execution import reports
    from meeting.models import User

    unit = Actor(
        kind="account",
        name="联络员",
        role="unit",
        user_id=run(app, lambda s: s.exec(select(User.id).where(User.username == "zhujian")).one()),
    )
    run(
        app,
        lambda s: reports.file_plan(
            s,
            unit,
            pub,
            PlanIn(
                internal_unit="城建科",
                responsible_leader="王局长",
                person_responsible="李科长电话13800001111",
                measures="内部措施甲乙丙",
            ),
        ),
    )
    run(
        app,
        lambda s: reports.report_progress(
            s,
            unit,
            pub,
            ProgressIn(reported_on=D("2024-01-12"), content="内部进展记录", problems="资金缺口问题"),
            D("2024-01-12"),
        ),
    )
    resp = http.get("/public/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "城南片区老旧小区改造" in page and OPEN_TEXT in page and "推进中" in page
    for hidden in (
        "涉密通信设施改造",
        SECRET_TEXT,
        "区国安委",
        "内部事项",
        "不公开的内部安排",
        "13800001111",
        "内部措施甲乙丙",
        "内部进展记录",
        "资金缺口问题",
        "城建科",
        "成员0",
        "同意",
    ):
        assert hidden not in page, hidden
    assert internal not in {r.id for r in run(app, lambda s: disclosure.public_rows(s, D("2024-01-15")))}


def test_public_rows_carry_nothing_but_the_public_fields():
    assert set(disclosure.PublicRow.__dataclass_fields__) == {
        "id",
        "number",
        "title",
        "decided_text",
        "category",
        "decided_on",
        "lead_unit",
        "supporting_units",
        "deadline",
        "status",
    }


def test_complaint_by_the_public_form_and_the_answer(app, factory, http):
    app.config["YISHI_TODAY"] = "2024-04-02"
    pub = assignment(app, public=True, deadline=D("2024-03-31"))
    form = http.get(f"/public/complaints?decision={pub}").get_data(as_text=True)
    token = form_csrf(form)  # the form carries the session's CSRF token
    resp = http.post(
        "/public/complaints",
        data={
            "csrf_token": token,
            "content": "城南小区改造已逾期，施工现场长期停工。",
            "name": "赵先生",
            "contact": "13912345678",
            "assignment_id": str(pub),
        },
    )
    assert resp.status_code == 303
    done = http.get(resp.headers["Location"]).get_data(as_text=True)
    c = run(app, lambda s: s.exec(select(Complaint)).one())
    assert c.code in done and "正在办理" in done and "13912345678" not in done
    assert (c.channel, c.assignment_id, c.contact) == ("web", pub, "13912345678")
    # the office sees it unanswered, on the dashboard too, and answers it
    office = client_for(app, factory, "ducha", role="supervisor")
    assert c.code in office.get("/supervision/").get_data(as_text=True)
    assert "13912345678" in office.get("/supervision/complaints").get_data(as_text=True)
    short = office.post(f"/supervision/complaints/{c.id}/answer", data={"csrf_token": office.csrf, "answer": "好"})
    assert short.status_code == 400 and "答复内容过短" in short.get_data(as_text=True)
    ok = office.post(
        f"/supervision/complaints/{c.id}/answer",
        data={"csrf_token": office.csrf, "answer": "已责令区住建局于4月15日前复工，并约谈其主要负责人。"},
    )
    assert ok.status_code == 303
    again = office.post(
        f"/supervision/complaints/{c.id}/answer", data={"csrf_token": office.csrf, "answer": "第二次答复内容"}
    )
    assert again.status_code == 409
    looked = http.get(f"/public/complaints/lookup?code={c.code.lower()}").get_data(as_text=True)
    assert "已责令区住建局于4月15日前复工" in looked and "13912345678" not in looked
    assert c.code not in office.get("/supervision/").get_data(as_text=True)  # answered: off the dashboard


@pytest.mark.parametrize(
    "data, said",
    [
        ({"content": "太短了"}, "投诉内容过短"),
        ({"content": "内" * 2001}, "投诉内容过长"),
        ({"content": "足够长的投诉内容，超过十个字。", "contact": "1" * 101}, "联系方式过长"),
        ({"content": "足够长的投诉内容，超过十个字。", "assignment_id": "999"}, "不在公开目录中"),
        ({"content": "足够长的投诉内容\x00，超过十个字。"}, "控制字符"),
    ],
)
def test_complaint_validation_changes_nothing(app, http, data, said):
    token = form_csrf(http.get("/public/complaints").get_data(as_text=True))
    resp = http.post("/public/complaints", data={"csrf_token": token, **data})
    assert resp.status_code == 400 and said in resp.get_data(as_text=True)
    assert run(app, lambda s: s.exec(select(Complaint)).all()) == []


def test_complaint_form_needs_its_csrf_token(app, http):
    resp = http.post("/public/complaints", data={"content": "足够长的投诉内容，超过十个字。"})
    assert resp.status_code == 403
    assert run(app, lambda s: s.exec(select(Complaint)).all()) == []


def test_a_confidential_decision_cannot_be_complained_about_by_id(app, factory):
    _pub, secret = _public_and_confidential(app, factory)
    with pytest.raises(disclosure.NotPublicDecision):
        run(
            app,
            lambda s: disclosure.submit_complaint(
                s,
                disclosure.ComplaintIn(content="足够长的投诉内容，超过十个字。", assignment_id=secret),
                D("2024-01-15"),
            ),
        )


def test_office_registers_letters_calls_and_emails(app, factory):
    office = client_for(app, factory, "ducha", role="supervisor")
    resp = office.post(
        "/supervision/complaints",
        data={
            "csrf_token": office.csrf,
            "channel": "phone",
            "content": "来电反映背街小巷整治进度缓慢。",
            "name": "钱女士",
        },
    )
    assert resp.status_code == 303
    c = run(app, lambda s: s.exec(select(Complaint)).one())
    assert c.channel == "phone" and len(c.code) == 10
    bad = office.post(
        "/supervision/complaints",
        data={"csrf_token": office.csrf, "channel": "fax", "content": "来电反映背街小巷整治进度缓慢。"},
    )
    assert bad.status_code == 400 and "来源渠道取值无效" in bad.get_data(as_text=True)
    assert run(app, lambda s: len(s.exec(select(Complaint)).all())) == 1
    assert run(app, lambda s: disclosure.lookup(s, "nonsense")) is None
    assert run(app, lambda s: [x.code for x, _a in disclosure.complaints(s, "open")]) == [c.code]
    run(app, lambda s: disclosure.answer_complaint(s, OFFICE, c.id, disclosure.AnswerIn(answer="已转区城管局办理。")))
    assert run(app, lambda s: disclosure.complaints(s, "open")) == []
    assert run(app, lambda s: len(disclosure.complaints(s, "answered"))) == 1
