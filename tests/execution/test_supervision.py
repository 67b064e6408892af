"""The supervision office: the dashboard, the daily sweep of notifications, reminder notices (催办单), the
accountability log (two 约谈 in a year → 通报批评, seed 004) and who may open what."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from execution import supervision
from execution.models import AccountabilityAction, Notification, Reminder
from meeting.errors import InvalidPayload, NotFound
from tests.execution.supervision_fixtures import OFFICE, assignment, client_for, run, unit_id
from voting import accountability as rules

D = date.fromisoformat


# ---------------------------------------------------------------- the pure rule (seed 004 §二3)


@pytest.mark.parametrize("interviews, due", [(0, False), (1, False), (2, True), (3, True)])
def test_two_interviews_in_a_year_call_for_criticism(interviews, due):
    """一年内被约谈两次以上的，给予通报批评 — 以上 includes the number (民法典 第1259条)."""
    assert rules.criticism_due(interviews) is due


@pytest.mark.parametrize(
    "actions, year, count",
    [
        ([("interview", "2024-01-05"), ("interview", "2024-12-31")], 2024, 2),
        ([("interview", "2023-12-31"), ("interview", "2024-01-01")], 2024, 1),  # a calendar year, not any 12 months
        ([("correction", "2024-03-01"), ("notice", "2024-03-02"), ("interview", "2024-05-01")], 2024, 1),
        ([], 2024, 0),
    ],
)
def test_interviews_are_counted_per_calendar_year(actions, year, count):
    assert rules.interviews_in_year([(k, D(d)) for k, d in actions], year) == count


def test_interview_counts_per_unit():
    acts = [
        (1, "interview", D("2024-02-01")),
        (1, "interview", D("2024-06-01")),
        (2, "interview", D("2024-06-01")),
        (2, "correction", D("2024-06-02")),
        (3, "interview", D("2023-06-01")),
    ]
    assert rules.interview_counts(acts, 2024) == {1: 2, 2: 1}


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        rules.criticism_due(-1)


# ---------------------------------------------------------------- sweep and notifications


def test_sweep_notifies_due_overdue_and_plan_overdue_once_a_day(app):
    overdue = assignment(app, title="逾期事项", deadline=D("2024-03-31"), supporting=("区财政局",))
    due = assignment(app, title="将到期事项", deadline=D("2024-04-10"))
    calm = assignment(app, title="时间充裕事项", deadline=D("2024-12-31"))
    day = D("2024-04-02")

    n = run(app, lambda s: supervision.sweep(s, day))
    notes = run(app, lambda s: s.exec(select(Notification)).all())
    kinds = sorted((x.assignment_id, x.kind, x.unit_id) for x in notes)
    lead, fin = unit_id(app, "区住建局"), unit_id(app, "区财政局")
    # decided 2024-01-10: plans were due 2024-02-09 and none is filed → plan_overdue to the lead unit only
    assert kinds == sorted(
        [
            (overdue, "overdue", lead),
            (overdue, "overdue", fin),
            (overdue, "plan_overdue", lead),
            (due, "due_soon", lead),
            (due, "plan_overdue", lead),
            (calm, "plan_overdue", lead),
        ]
    )
    assert n == 6
    text = next(x.text for x in notes if x.kind == "overdue")
    assert "已逾期2日" in text and "2024年3月31日" in text
    assert "还有8日（蓝色预警）" in next(x.text for x in notes if x.kind == "due_soon")  # 8 days: ≤ 15, > 5
    # the same day again: nothing new; the next day: a new notice per row
    assert run(app, lambda s: supervision.sweep(s, day)) == 0
    assert run(app, lambda s: supervision.sweep(s, D("2024-04-03"))) == 6


def test_finished_rows_are_not_chased(app):
    from execution.models import Assignment

    aid = assignment(app, deadline=D("2024-03-31"))

    def finish(s):
        a = s.get(Assignment, aid)
        a.status = "completed"
        s.add(a)

    run(app, finish)
    assert run(app, lambda s: supervision.sweep(s, D("2024-04-02"))) == 0


def test_notifications_for_a_unit_and_mark_read(app):
    assignment(app, deadline=D("2024-03-31"))
    other = assignment(app, lead="区教育局", deadline=D("2024-03-31"))
    run(app, lambda s: supervision.sweep(s, D("2024-04-02")))
    housing, edu = unit_id(app, "区住建局"), unit_id(app, "区教育局")
    mine = run(app, lambda s: supervision.notifications_for(s, housing))
    assert mine and all(x.unit_id == housing for x in mine)
    assert other not in {x.assignment_id for x in mine}
    # marking another unit's notice through one's own unit changes nothing
    theirs = run(app, lambda s: supervision.notifications_for(s, edu))
    assert run(app, lambda s: supervision.mark_read(s, housing, [theirs[0].id])) == 0
    assert run(app, lambda s: supervision.mark_read(s, housing, [mine[0].id])) == 1
    assert run(app, lambda s: supervision.unread_count(s, housing)) == len(mine) - 1
    assert run(app, lambda s: supervision.mark_read(s, housing)) == len(mine) - 1
    assert run(app, lambda s: supervision.unread_count(s, housing)) == 0
    assert run(app, lambda s: supervision.unread_count(s, edu)) == len(theirs)


def test_cli_sweep(app, monkeypatch, tmp_path, database_url):
    assignment(app, deadline=D("2024-03-31"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("YISHI_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("YISHI_TODAY", "2024-04-02")
    monkeypatch.setenv("YISHI_ASYNC_MODE", "threading")
    from yishi import cli

    made = []

    def create_app(config=None):  # the command's own app, disposed afterwards (no connection left open)
        made.append(real(config))
        return made[-1]

    real = cli.create_app
    monkeypatch.setattr(cli, "create_app", create_app)
    try:
        assert cli.main(["execution-sweep"]) == 0
        assert run(app, lambda s: len(s.exec(select(Notification)).all())) == 2  # overdue + plan overdue
        assert cli.main(["execution-sweep"]) == 0
        assert run(app, lambda s: len(s.exec(select(Notification)).all())) == 2
    finally:
        for other in made:
            other.extensions["yishi.engine"].dispose()


# ---------------------------------------------------------------- reminders (催办单)


def test_reminders_are_numbered_per_year_and_notify_the_unit(app):
    aid = assignment(app, deadline=D("2024-03-31"), supporting=("区财政局",))
    data = supervision.ReminderIn(content="请抓紧办理。", reply_by=D("2024-04-10"))
    r1 = run(app, lambda s: supervision.issue_reminder(s, OFFICE, aid, data, D("2024-04-02")))
    r2 = run(
        app,
        lambda s: supervision.issue_reminder(
            s, OFFICE, aid, supervision.ReminderIn(content="再催。", unit_id=unit_id(app, "区财政局")), D("2024-04-05")
        ),
    )
    r3 = run(
        app,
        lambda s: supervision.issue_reminder(
            s, OFFICE, aid, supervision.ReminderIn(content="新年再催。"), D("2025-01-03")
        ),
    )
    assert (r1.number, r2.number, r3.number) == ("催办〔2024〕1号", "催办〔2024〕2号", "催办〔2025〕1号")
    assert r1.unit_id == unit_id(app, "区住建局") and r2.unit_id == unit_id(app, "区财政局")
    notes = run(app, lambda s: s.exec(select(Notification).where(Notification.kind == "reminder")).all())
    assert sorted(n.unit_id for n in notes) == sorted([r1.unit_id, r2.unit_id, r3.unit_id])
    assert "催办〔2024〕1号" in next(n.text for n in notes if n.dedupe_key == f"reminder:{r1.id}")


@pytest.mark.parametrize(
    "payload, error",
    [
        ({"content": "请办理。", "reply_by": "2024-04-01"}, supervision.ReplyByPast),
        ({"content": "请办理。", "unit_name": "区教育局"}, supervision.UnitNotOnAssignment),
    ],
)
def test_reminder_refusals_change_nothing(app, payload, error):
    aid = assignment(app, deadline=D("2024-03-31"))
    if "unit_name" in payload:
        payload = {"content": payload["content"], "unit_id": unit_id(app, payload.pop("unit_name"))}
    data = supervision.ReminderIn(**payload)
    with pytest.raises(error):
        run(app, lambda s: supervision.issue_reminder(s, OFFICE, aid, data, D("2024-04-02")))
    assert run(app, lambda s: s.exec(select(Reminder)).all()) == []
    assert run(app, lambda s: s.exec(select(Notification)).all()) == []


def test_reminder_for_a_missing_assignment(app):
    with pytest.raises(NotFound):
        run(
            app,
            lambda s: supervision.issue_reminder(s, OFFICE, 999, supervision.ReminderIn(content="x"), D("2024-04-02")),
        )


# ---------------------------------------------------------------- accountability


def test_second_interview_in_a_year_flags_criticism(app):
    aid = assignment(app)
    housing = unit_id(app, "区住建局")

    def act(kind, on):
        data = supervision.AccountabilityIn(
            unit_id=housing, assignment_id=aid, kind=kind, on=D(on), reason="进度严重滞后"
        )
        return run(app, lambda s: supervision.record_action(s, OFFICE, data, D("2024-12-31")))

    assert act("correction", "2024-03-01").criticism_due is False
    assert act("interview", "2023-11-01").interviews == 1  # counted in 2023
    first = act("interview", "2024-04-01")
    assert (first.interviews, first.criticism_due) == (1, False)
    second = act("interview", "2024-09-01")
    assert (second.interviews, second.criticism_due) == (2, True)
    log = run(app, lambda s: supervision.accountability_log(s, 2024))
    assert [(r.unit.name, r.interviews, r.criticism_due) for r in log.units] == [("区住建局", 2, True)]
    assert [x.kind for x, _u, _a in log.entries] == ["interview", "interview", "correction"]
    assert all(x.author == "督查室李主任" and x.reason for x, _u, _a in log.entries)
    assert run(app, lambda s: supervision.accountability_log(s, 2023)).units[0].criticism_due is False


def test_accountability_refusals(app):
    from execution.errors import DateInFuture

    aid = assignment(app)
    other = unit_id(app, "区教育局")
    future = supervision.AccountabilityIn(unit_id=other, kind="interview", on=D("2025-01-01"), reason="x")
    with pytest.raises(DateInFuture):
        run(app, lambda s: supervision.record_action(s, OFFICE, future, D("2024-12-31")))
    stranger = supervision.AccountabilityIn(
        unit_id=other, assignment_id=aid, kind="notice", on=D("2024-05-01"), reason="x"
    )
    with pytest.raises(supervision.UnitNotOnAssignment):
        run(app, lambda s: supervision.record_action(s, OFFICE, stranger, D("2024-12-31")))
    assert run(app, lambda s: s.exec(select(AccountabilityAction)).all()) == []
    with pytest.raises(InvalidPayload):
        supervision.parse_in(
            supervision.AccountabilityIn, {"unit_id": "1", "kind": "fine", "on": "2024-01-01", "reason": "x"}
        )


# ---------------------------------------------------------------- pages and who may open them

OFFICE_PAGES = [
    "/supervision/",
    "/supervision/reminders",
    "/supervision/accountability",
    "/supervision/npc",
    "/supervision/complaints",
    "/supervision/holidays",
    "/supervision/ledger.docx",
    "/supervision/ledger.xlsx",
    "/supervision/assignments/{aid}/reminder",
    "/supervision/npc/compilation",
]


def test_a_unit_account_cannot_open_office_pages_or_exports(app, factory):
    aid = assignment(app)
    unit = client_for(app, factory, "zhujian", unit="区住建局")
    for url in OFFICE_PAGES:
        assert unit.get(url.format(aid=aid)).status_code == 403, url
    resp = unit.post(f"/supervision/assignments/{aid}/reminder", data={"csrf_token": unit.csrf, "content": "x"})
    assert resp.status_code == 403
    assert run(app, lambda s: s.exec(select(Reminder)).all()) == []


def test_nobody_signed_in_is_sent_to_sign_in(app, http):
    for url in ("/supervision/", "/supervision/ledger.xlsx", "/supervision/notifications"):
        resp = http.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_the_secretary_exports_but_does_not_run_the_office(app, factory):
    secretary = client_for(app, factory, "mishu", role="secretary")
    assert secretary.get("/supervision/ledger.xlsx").status_code == 200
    assert secretary.get("/supervision/").status_code == 403


def test_office_pages_render(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    aid = assignment(app, deadline=D("2024-03-31"))
    assignment(app, title="将到期事项", deadline=D("2024-04-10"))
    office = client_for(app, factory, "ducha", role="supervisor")
    page = office.get("/supervision/").get_data(as_text=True)
    assert "城南片区老旧小区改造" in page and "逾期2日" in page and "将到期事项" in page and "蓝色预警" in page
    assert "执行工作方案逾期未报" in page
    for url in OFFICE_PAGES[:6]:
        assert office.get(url.format(aid=aid)).status_code == 200, url
    form = office.get(f"/supervision/assignments/{aid}/reminder").get_data(as_text=True)
    assert "现已逾期2日" in form  # the usual wording, pre-filled


def test_issue_reminder_over_http_and_print_it(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    aid = assignment(app, deadline=D("2024-03-31"))
    office = client_for(app, factory, "ducha", role="supervisor")
    bad = office.post(
        f"/supervision/assignments/{aid}/reminder",
        data={"csrf_token": office.csrf, "content": "请抓紧。", "reply_by": "2024-03-01"},
    )
    assert bad.status_code == 400 and "不能早于今天" in bad.get_data(as_text=True)
    assert "请抓紧。" in bad.get_data(as_text=True)  # what was typed is kept
    no_csrf = office.post(f"/supervision/assignments/{aid}/reminder", data={"content": "请抓紧。"})
    assert no_csrf.status_code == 403
    ok = office.post(
        f"/supervision/assignments/{aid}/reminder",
        data={"csrf_token": office.csrf, "content": "区住建局：\n请抓紧。", "reply_by": "2024-04-10"},
    )
    assert ok.status_code == 303
    sheet = office.get(ok.headers["Location"]).get_data(as_text=True)
    assert "催办〔2024〕1号" in sheet and "督办事项催办单" in sheet and "2024年4月10日" in sheet
    rid = run(app, lambda s: s.exec(select(Reminder)).one().id)
    docx = office.get(f"/supervision/reminders/{rid}.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"


def test_accountability_over_http_shows_the_flag(app, factory):
    app.config["YISHI_TODAY"] = "2024-12-31"
    assignment(app)
    housing = unit_id(app, "区住建局")
    office = client_for(app, factory, "ducha", role="supervisor")
    for on in ("2024-03-01", "2024-08-01"):
        resp = office.post(
            "/supervision/accountability",
            data={
                "csrf_token": office.csrf,
                "unit_id": housing,
                "kind": "interview",
                "on": on,
                "reason": "进度严重滞后",
            },
        )
        assert resp.status_code == 303
    page = office.get("/supervision/accountability?year=2024").get_data(as_text=True)
    assert 'data-flag="criticism"' in page and "应给予通报批评" in page
    bad = office.post(
        "/supervision/accountability",
        data={"csrf_token": office.csrf, "unit_id": housing, "kind": "interview", "on": "", "reason": "x"},
    )
    assert bad.status_code == 400 and "日期为必填项" in bad.get_data(as_text=True)


def test_unit_sees_its_own_notifications_page(app, factory):
    app.config["YISHI_TODAY"] = "2024-04-02"
    assignment(app, title="住建局的事项", deadline=D("2024-03-31"))
    assignment(app, title="教育局的事项", lead="区教育局", deadline=D("2024-03-31"))
    unit = client_for(app, factory, "zhujian", unit="区住建局")
    page = unit.get("/supervision/notifications").get_data(as_text=True)
    assert "住建局的事项" in page and "教育局的事项" not in page and "已逾期2日" in page
    edu = unit_id(app, "区教育局")
    assert unit.get(f"/supervision/notifications?unit_id={edu}").get_data(as_text=True).count("教育局的事项") == 0
    resp = unit.post("/supervision/notifications/read", data={"csrf_token": unit.csrf})
    assert resp.status_code == 303
    assert run(app, lambda s: supervision.unread_count(s, unit_id(app, "区住建局"))) == 0
    assert run(app, lambda s: supervision.unread_count(s, edu)) > 0


# ---------------------------------------------------------------- the holiday calendar page


def test_holiday_overrides_feed_the_working_day_rules(app, factory):
    from execution import calendar
    from voting import deadlines

    years = deadlines.calendar_years()
    beyond = years[1] + 1
    office = client_for(app, factory, "ducha", role="supervisor")
    page = office.get("/supervision/holidays").get_data(as_text=True)
    assert f"{years[0]}—{years[1]}" in page and f"{beyond}年及以后" in page
    day = date(beyond, 1, 1)
    resp = office.post(
        "/supervision/holidays",
        data={"csrf_token": office.csrf, "day": day.isoformat(), "working": "0", "name": "元旦"},
    )
    assert resp.status_code == 303
    again = office.post(
        "/supervision/holidays", data={"csrf_token": office.csrf, "day": day.isoformat(), "working": "1", "name": "x"}
    )
    assert again.status_code == 409 and "已有节假日设置" in again.get_data(as_text=True)
    inside = office.post("/supervision/holidays", data={"csrf_token": office.csrf, "day": "2024-10-08", "working": "0"})
    assert inside.status_code == 400 and "以国务院办公厅节假日安排为准" in inside.get_data(as_text=True)
    ov = run(app, calendar.overrides)
    assert ov == {day: False}
    assert deadlines.is_working_day(day, ov) is False
    assert deadlines.is_working_day(day, None) is (day.weekday() < 5)
    # the notice: a date in a year past the package, until the office enters that year
    later = date(beyond + 1, 3, 1)
    assert str(beyond + 1) in calendar.coverage_notice(later, run(app, calendar.override_years))
    assert calendar.coverage_notice(date(beyond, 3, 1), run(app, calendar.override_years)) == ""
    assert calendar.coverage_notice(date(2024, 3, 1), set()) == ""
    oid = run(app, lambda s: calendar.listing(s)[0].id)
    assert office.post(f"/supervision/holidays/{oid}/delete", data={"csrf_token": office.csrf}).status_code == 303
    assert run(app, calendar.overrides) == {}


def test_npc_deadline_past_the_calendar_says_so(app, factory):
    from execution import npc
    from voting import deadlines

    last = deadlines.calendar_years()[1]
    case = npc.NpcCaseIn(kind="resolution", title="跨年度的决议", content="决议内容。", received_on=date(last, 9, 1))
    cid = run(app, lambda s: npc.register_case(s, OFFICE, case, date(last, 9, 2)).id)
    dates = run(app, lambda s: npc.case_deadlines(s, s.get(npc.NpcCase, cid)))
    notices = {d.key: d.notice for d in dates}
    assert notices["department_plan"] == "" and str(last + 1) in notices["reply"]
    app.config["YISHI_TODAY"] = date(last, 9, 2).isoformat()
    office = client_for(app, factory, "ducha", role="supervisor")
    assert "超出节假日日历的覆盖年份" in office.get(f"/supervision/npc/{cid}").get_data(as_text=True)
