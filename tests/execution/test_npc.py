"""People's-congress resolutions and review opinions (seed 004): registered, classified, compiled, instructed,
assigned with the seed's four periods from the day of receipt, and the reply record with its 5-month warning."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from execution import npc
from execution.errors import DateInFuture
from execution.models import Assignment, Milestone, NpcCase
from meeting.actors import Actor
from meeting.errors import PermissionDenied
from tests.execution.supervision_fixtures import OFFICE, client_for, run

D = date.fromisoformat
CASE = npc.NpcCaseIn(
    kind="review_opinion",
    number="皋人大常〔2024〕3号",
    title="关于城区停车难问题的审议意见",
    content="建议加快公共停车场建设，规范路内停车管理。",
    received_on=D("2024-01-31"),
    department="区住建局",
    compilation="2024年第1批",
)


def _case(app, data=CASE, today=D("2024-02-01")) -> int:
    return run(app, lambda s: npc.register_case(s, OFFICE, data, today).id)


def test_four_periods_from_the_day_of_receipt(app):
    cid = _case(app)
    dates = run(app, lambda s: npc.case_deadlines(s, s.get(NpcCase, cid)))
    assert [(d.key, d.due) for d in dates] == [
        ("department_plan", D("2024-02-14")),  # two weeks
        ("government_plan", D("2024-02-29")),  # one month (clamped to the leap February)
        ("reply", D("2024-06-30")),  # five months
        ("report", D("2024-07-31")),  # six months
    ]
    assert all(d.source and d.period_label for d in dates)
    assert all(d.notice == "" for d in dates)  # 2024 is inside the holiday calendar


def test_assignment_from_a_case(app):
    cid = _case(app)
    data = npc.CaseAssignmentIn(
        title="城区停车难问题整改", lead_unit="区住建局", supporting_units=["区公安分局"], responsible_leader="张副区长"
    )
    aid = run(app, lambda s: npc.create_assignment_from_case(s, OFFICE, cid, data).id)
    a = run(app, lambda s: s.get(Assignment, aid))
    assert (a.source, a.npc_case_id, a.decided_on) == ("npc", cid, D("2024-01-31"))
    assert a.decided_text == CASE.content  # verbatim
    assert a.deadline == D("2024-06-30")  # the reply's day by default
    assert a.plan_due == D("2024-02-14")  # the department's handling plan: two weeks (seed 004 §二2 第一)
    ms = run(app, lambda s: s.exec(select(Milestone).where(Milestone.assignment_id == aid)).all())
    assert sorted((m.title, m.due) for m in ms) == sorted(
        [("承办单位处理方案报市政府", D("2024-02-14")), ("市政府处理方案送人大常委会征求意见", D("2024-02-29"))]
    )
    # an earlier deadline keeps only the milestones before it
    early = npc.CaseAssignmentIn(title="先行整改", lead_unit="区住建局", deadline=D("2024-02-20"))
    aid2 = run(app, lambda s: npc.create_assignment_from_case(s, OFFICE, cid, early).id)
    assert run(app, lambda s: [m.due for m in s.exec(select(Milestone).where(Milestone.assignment_id == aid2))]) == [
        D("2024-02-14")
    ]


def test_classify_compile_and_instructions(app):
    a = _case(app)
    b = _case(
        app,
        CASE.model_copy(
            update={
                "title": "关于义务教育均衡发展的决议",
                "kind": "resolution",
                "department": "",
                "compilation": "2024年第1批",
            }
        ),
    )
    _case(app, CASE.model_copy(update={"title": "下一批的意见", "compilation": "2024年第2批"}))
    groups = run(app, lambda s: npc.compilation_groups(s, "2024年第1批"))
    assert [(dept, [c.title for c in cs]) for dept, cs in groups] == [
        ("区住建局", ["关于城区停车难问题的审议意见"]),
        ("", ["关于义务教育均衡发展的决议"]),
    ]  # unclassified last
    run(
        app,
        lambda s: npc.classify(
            s,
            OFFICE,
            b,
            npc.ClassifyIn(
                department="区教育局", compilation="2024年第1批", leader_instructions="请区教育局牵头研究落实。——市长"
            ),
        ),
    )
    case = run(app, lambda s: s.get(NpcCase, b))
    assert case.leader_instructions.startswith("请区教育局") and case.department_unit_id is not None
    assert [d for d, _ in run(app, lambda s: npc.compilation_groups(s, "2024年第1批"))] == ["区住建局", "区教育局"]
    assert run(app, lambda s: npc.compilations(s)) == ["2024年第2批", "2024年第1批"]
    assert a != b


@pytest.mark.parametrize(
    "reply, today, warning",
    [
        ({}, "2024-06-01", ""),
        ({}, "2024-06-20", "还有10日"),
        ({}, "2024-07-02", "已逾期2日"),
        (
            {
                "reply_draft": "答复如下……",
                "reply_reviewer": "办公室王主任",
                "reply_signed_on": "2024-06-25",
                "reply_sent_on": "2024-06-28",
            },
            "2024-07-10",
            "",
        ),
        (
            {
                "reply_draft": "答复如下……",
                "reply_reviewer": "办公室王主任",
                "reply_signed_on": "2024-07-01",
                "reply_sent_on": "2024-07-03",
            },
            "2024-07-10",
            "超过五个月的期限",
        ),
    ],
)
def test_reply_warning(app, reply, today, warning):
    cid = _case(app)
    if reply:
        run(app, lambda s: npc.record_reply(s, OFFICE, cid, npc.ReplyIn(**reply), D(today)))
    said = run(app, lambda s: npc.reply_warning(s, s.get(NpcCase, cid), D(today)))
    assert (warning in said) if warning else said == ""


@pytest.mark.parametrize(
    "reply, error",
    [
        (
            {"reply_draft": "x", "reply_reviewer": "王", "reply_signed_on": "2024-01-01"},
            npc.ReplyOrder,
        ),  # before receipt
        (
            {
                "reply_draft": "x",
                "reply_reviewer": "王",
                "reply_signed_on": "2024-03-02",
                "reply_sent_on": "2024-03-01",
            },
            npc.ReplyOrder,
        ),
        ({"reply_draft": "x", "reply_reviewer": "王", "reply_signed_on": "2024-09-01"}, DateInFuture),
        ({"reply_signed_on": "2024-03-01"}, Exception),  # no draft, no reviewer
    ],
)
def test_reply_refusals_change_nothing(app, reply, error):
    cid = _case(app)
    with pytest.raises(error):
        run(app, lambda s: npc.record_reply(s, OFFICE, cid, npc.ReplyIn(**reply), D("2024-08-01")))
    case = run(app, lambda s: s.get(NpcCase, cid))
    assert case.reply_signed_on is None and case.reply_draft == ""


def test_sent_needs_signed():
    from execution.supervision import parse_in
    from meeting.errors import InvalidPayload

    with pytest.raises(InvalidPayload, match="签字、加盖公章"):
        parse_in(npc.ReplyIn, {"reply_sent_on": "2024-03-01"})


def test_only_the_office_registers(app):
    unit = Actor(kind="account", name="联络员", role="unit")
    with pytest.raises(PermissionDenied):
        run(app, lambda s: npc.register_case(s, unit, CASE, D("2024-02-01")))
    with pytest.raises(DateInFuture):
        run(app, lambda s: npc.register_case(s, OFFICE, CASE, D("2024-01-30")))


def test_npc_pages(app, factory):
    app.config["YISHI_TODAY"] = "2024-07-02"
    office = client_for(app, factory, "ducha", role="supervisor")
    resp = office.post(
        "/supervision/npc",
        data={
            "csrf_token": office.csrf,
            "kind": "review_opinion",
            "title": "关于城区停车难问题的审议意见",
            "content": "建议加快公共停车场建设。",
            "received_on": "2024-01-31",
            "department": "区住建局",
            "compilation": "2024年第1批",
        },
    )
    assert resp.status_code == 303
    page = office.get(resp.headers["Location"]).get_data(as_text=True)
    for due in ("2024年2月14日", "2024年2月29日", "2024年6月30日", "2024年7月31日"):
        assert due in page
    assert "已逾期2日" in page  # the 5-month reply is late
    cid = run(app, lambda s: s.exec(select(NpcCase.id)).one())
    resp = office.post(
        f"/supervision/npc/{cid}/assignments",
        data={
            "csrf_token": office.csrf,
            "title": "停车场建设",
            "lead_unit": "区住建局",
            "supporting_units": "区公安分局、区财政局",
            "category": "other",
        },
    )
    assert resp.status_code == 303
    assert "2024-001" in office.get(f"/supervision/npc/{cid}").get_data(as_text=True)
    bad = office.post(f"/supervision/npc/{cid}/reply", data={"csrf_token": office.csrf, "reply_sent_on": "2024-06-01"})
    assert bad.status_code == 400 and "签字、加盖公章" in bad.get_data(as_text=True)
    assert "2024年第1批" in office.get("/supervision/npc/compilation?name=2024年第1批").get_data(as_text=True)
    empty = office.post(
        "/supervision/npc",
        data={
            "csrf_token": office.csrf,
            "kind": "resolution",
            "title": "",
            "content": "x",
            "received_on": "2024-01-31",
        },
    )
    assert empty.status_code == 400 and "标题为必填项" in empty.get_data(as_text=True)
