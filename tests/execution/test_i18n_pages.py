"""English pages of the execution ledger, the public page, the minutes and the tablet after the meeting: signed in as
each role with ``?lang=en``, nothing Chinese is left on the page but what people typed (names, titles, the decided
text, units, reasons), dates written the Chinese way (2023年12月9日), document numbers (督〔2024〕1号) and the legal
sources cited as written."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from meeting.db import unit_of_work
from tests.execution.core import DECIDED, account, assignment_in, client, create, decided_meeting
from tests.factories import form_csrf
from voting.profiles import load_profile
from voting.sources import CITATIONS

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]+")
DATES = re.compile(r"\d{4}年(\d{1,2}月(\d{1,2}日)?)?(\s*\d{1,2}:\d{2})?")
NUMBERS = re.compile(r"[\u4e00-\u9fff]{1,4}〔\d{4}〕\d+号")
TODAY = date(2024, 4, 2)  # the first task is overdue (31 March), the second due in four days
SOURCES = CITATIONS  # a source cited by its title and number (《…》（…号）第二十四条), a proper name in any locale

TYPED = [  # what the people of this test typed or the factory named
    DECIDED,
    "同意，由区保密局负责，年底前完成。",
    "城南片区老旧小区改造",
    "关于城南片区老旧小区改造方案的议题",
    "关于区体育中心改扩建项目的议题",
    "关于某涉密事项的议题",
    "用地手续尚未完备",
    "区住建局",
    "区财政局",
    "区自然资源局",
    "城南小区改造已逾期，施工现场长期停工。",
    "赵先生",
    "进度严重滞后",
    "关于城区停车难问题的审议意见",
    "建议加快公共停车场建设。",
    "2024年第1批",
    "已完成入户摸底，正在编制施工图。",
    "征迁协调",
    "督查室李主任",
    "住建局联络员",
    "王秘书",
    "某某区人民政府",
    "区政府第一会议室",
    "常务会议",
    "中文",
    "张区长",
    "成员01",
]


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r'\s(?:value|data-[\w-]+|title|placeholder|aria-label)="[^"]*"', " ", html)  # typed values
    return re.sub(r"<[^>]+>", " ", html)


def _leftover(html: str, data: list[str]) -> list[str]:
    text = _visible(html)
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = text.replace(value, " ")
    text = NUMBERS.sub(" ", DATES.sub(" ", SOURCES.sub(" ", text)))  # a citation before the number it holds
    return [" ".join(text[max(0, m.start() - 30) : m.end() + 30].split()) for m in CJK.finditer(text)]


def _profile_words() -> list[str]:
    profile = load_profile()
    ex = profile.execution
    words = [ex.plan_due.source, ex.warning.source]  # (its title is a citation: SOURCES)
    words += [p.source for p in ex.npc.values()]
    return words


def _names(app) -> list[str]:
    from meeting.models import Body, Meeting, Person
    from voting.vocabulary import MEETING_KIND_LABELS

    with app.app_context(), unit_of_work() as s:
        people = s.exec(select(Person)).all()
        bodies = {b.id: b.name for b in s.exec(select(Body)).all()}
        meetings = [
            f"{bodies[m.body_id]}第{m.session_number}次{MEETING_KIND_LABELS[m.kind]}"
            for m in s.exec(select(Meeting)).all()
        ]
    return [x for x in [p.name for p in people] + [p.title for p in people] + list(bodies.values()) + meetings if x]


def _english(c, url: str, data: list[str]) -> str:
    resp = c.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert resp.status_code == 200, (url, resp.status_code)
    page = resp.get_data(as_text=True)
    assert 'lang="en"' in page, url
    left = _leftover(page, data)
    assert left == [], f"{url}: {left}"
    return page


def test_every_role_sees_the_execution_ledger_in_english(app, factory):
    app.config["YISHI_TODAY"] = TODAY.isoformat()
    d = decided_meeting(factory)
    later = TODAY + timedelta(days=90)
    overdue = create(app, assignment_in(d, public=True, responsible_leader="成员02"))
    due_soon = create(
        app,
        assignment_in(
            d, title="城南片区老旧小区改造二期", deadline=TODAY + timedelta(days=4), responsible_leader="成员02"
        ),
    )
    TYPED.append("城南片区老旧小区改造二期")
    factory.user("admin", "correct horse battery", display_name="王秘书", role="admin")
    account(factory, "office", "supervisor", display_name="督查室李主任")
    account(factory, "zhujian", "unit", unit="区住建局", display_name="住建局联络员")
    account(factory, "leader", "leader", person_id=d.ids[1], display_name="成员02")
    data = TYPED + _profile_words() + _names(app)

    unit = _client(app, "zhujian")
    assert (
        unit.post(
            f"/execution/assignments/{overdue.id}/progress",
            data={
                "csrf_token": unit.csrf,
                "reported_on": TODAY.isoformat(),
                "content": "已完成入户摸底，正在编制施工图。",
            },
        ).status_code
        == 303
    )
    assert (
        unit.post(
            f"/execution/assignments/{overdue.id}/extensions",
            data={"csrf_token": unit.csrf, "reason": "征迁协调", "new_deadline": later.isoformat()},
        ).status_code
        == 303
    )
    office = _client(app, "office")
    assert (
        office.post(
            "/supervision/accountability",
            data={
                "csrf_token": office.csrf,
                "unit_id": overdue_unit(app),
                "kind": "interview",
                "on": TODAY.isoformat(),
                "reason": "进度严重滞后",
            },
        ).status_code
        == 303
    )
    assert (
        office.post(
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
        ).status_code
        == 303
    )
    public = app.test_client()
    # (a flash is stored translated: each client chose English first)
    token = form_csrf(public.get("/public/complaints?lang=en").get_data(as_text=True))
    assert (
        public.post(
            "/public/complaints",
            data={
                "csrf_token": token,
                "content": "城南小区改造已逾期，施工现场长期停工。",
                "name": "赵先生",
                "contact": "13912345678",
                "assignment_id": str(overdue.id),
            },
        ).status_code
        == 303
    )

    data += _minutes_words(app, d.meeting_id) + ["2024年3月31日前", "年底前"]  # the minutes; deadlines read from them
    assert unit.get("/execution/unit").status_code == 200  # today's sweep: notices are stored in Chinese
    data += _notices(app)  # stored text (the record), shown as stored
    # the implementing unit
    page = _english(unit, "/execution/unit", data)
    assert "Our unit’s tasks" in page and "Overdue" in page
    page = _english(unit, f"/execution/assignments/{overdue.id}", data)
    assert "Basic details" in page and "Implementation plan" in page and "Extension requests" in page
    _english(unit, f"/execution/assignments/{due_soon.id}", data)
    _english(unit, "/supervision/notifications", data)

    # the leader in charge
    page = _english(_client(app, "leader"), "/execution/leader", data)
    assert "Tasks in my charge" in page

    # the supervision office
    page = _english(office, "/execution/", data)
    assert "Supervision ledger" in page and "Yellow warning" in page and "No warning" in page
    _english(office, "/execution/?status=overdue&warning=red&category=major_decision&q=改造", data + ["改造"])
    page = _english(office, "/supervision/", data)
    assert "Overdue tasks" in page and "Extensions awaiting approval" in page
    _english(office, f"/execution/assignments/{overdue.id}", data)
    _english(office, f"/supervision/assignments/{overdue.id}/reminder", data)
    _english(office, "/supervision/reminders", data)
    page = _english(office, "/supervision/accountability", data)
    assert "Interview" in page
    page = _english(office, "/supervision/complaints", data + ["13912345678"])
    assert "Unanswered" in page and "Letter" in page
    _english(office, "/supervision/holidays", data)
    _english(office, "/supervision/npc", data)
    case_id = _npc_case(app)
    page = _english(office, f"/supervision/npc/{case_id}", data)
    assert "Review opinion" in page and "within two weeks" in page
    _english(office, "/supervision/npc/compilation?name=2024年第1批", data)
    page = _english(office, "/execution/units", data)
    assert "Implementing unit" in page and "Leader in charge" in page

    # the secretary: tasks from the approved minutes; the administrator: units and accounts
    secretary = _client(app, "admin")
    page = _english(secretary, f"/execution/meetings/{d.meeting_id}", data)
    assert "Create another" in page
    _english(secretary, "/execution/units", data)

    # the public
    page = _english(public, "/public/", data)
    assert "Implementation of major decisions" in page
    _english(public, "/public/complaints", data)
    code = _complaint_code(app)
    page = _english(public, f"/public/complaints/lookup?code={code}", data)
    assert "Being handled; not yet answered" in page


def test_the_minutes_and_the_closed_tablet_in_english(app, factory, staff_http):
    d = decided_meeting(factory)
    data = TYPED + _profile_words() + _names(app) + _minutes_words(app, d.meeting_id)
    page = _english(staff_http, f"/minutes/meetings/{d.meeting_id}", data)
    assert "Create tasks" in page and "Minutes archive" in page
    _english(staff_http, "/minutes/archive", data)
    for kind in ("summary", "public"):
        page = _english(staff_http, f"/minutes/meetings/{d.meeting_id}/read/{kind}", data)
        assert "Approved." in page
    tablet = app.test_client()
    page = _english(tablet, f"/t/{factory.tokens(d.meeting_id)[d.ids[0]]}", data)
    assert 'data-closed="1"' in page and "Read the minutes and the meeting record, then approve." in page


# ---------------------------------------------------------------- helpers


def _client(app, username: str):
    c = client(app, username)
    c.get("/login?lang=en")  # the session remembers the language
    return c


def _notices(app) -> list[str]:
    from execution.models import Notification

    with app.app_context(), unit_of_work() as s:
        return [n.text for n in s.exec(select(Notification)).all()]


def overdue_unit(app) -> str:
    from execution.models import Unit

    with app.app_context(), unit_of_work() as s:
        return str(s.exec(select(Unit).where(Unit.name == "区住建局")).one().id)


def _npc_case(app) -> int:
    from execution.models import NpcCase

    with app.app_context(), unit_of_work() as s:
        return s.exec(select(NpcCase)).one().id


def _complaint_code(app) -> str:
    from execution.models import Complaint

    with app.app_context(), unit_of_work() as s:
        return s.exec(select(Complaint)).one().code


def _minutes_words(app, meeting_id: int) -> list[str]:
    """The minutes themselves are the Chinese official document (their paragraphs, as the docx prints them)."""
    from minutes import service
    from minutes import summary as summary_text

    with app.app_context(), unit_of_work() as s:
        m = service.structured(s, meeting_id, "Asia/Shanghai")
    words = [it.heading for it in m.items]
    for it in m.items:  # the record's own sentences: the tally, the rule applied and its source, the head's decision
        for rnd in it.rounds:
            words += [rnd.tally_text, rnd.threshold, rnd.threshold_source, rnd.head_decision]
    for public in (False, True):
        for p in summary_text.paragraphs(m, public=public):
            words += [x for x in (getattr(p, "text", ""), getattr(p, "label", "")) if x]
    return words
