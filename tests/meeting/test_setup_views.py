"""The secretary's setting-up pages, through HTTP with a signed-in client: every form stores through the real
services, every refusal is shown in Chinese on the same page and stores nothing."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from meeting import setup
from meeting.db import read_only
from meeting.models import (
    AgendaItem,
    Body,
    Event,
    ItemStep,
    ItemSubject,
    Material,
    Meeting,
    Observer,
    Person,
    Relation,
    Seat,
)
from tests.factories import csrf_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def rows(app, model, *where, order=None):
    with app.app_context(), read_only() as s:
        q = select(model)
        for w in where:
            q = q.where(w)
        q = q.order_by(order if order is not None else col(model.id))
        return list(s.exec(q).all())


def text(resp) -> str:
    return resp.get_data(as_text=True)


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})}, **kw)


def members(app, body_id) -> list[int]:
    with app.app_context(), read_only() as s:
        return [p.id for _, p in setup.members_of(s, body_id)]


def agenda(app, meeting_id) -> list[int]:
    return [i.id for i in rows(app, AgendaItem, AgendaItem.meeting_id == meeting_id, order=col(AgendaItem.position))]


# ---------------------------------------------------------------- access


def test_anonymous_is_sent_to_login_and_nothing_is_stored(http, app):
    for path in ("/", "/bodies", "/people", "/meetings/new?body_id=1", "/meetings/1/setup", "/items/1/edit"):
        resp = http.get(path)
        assert resp.status_code == 302, path
        assert resp.headers["Location"].startswith("/login?next="), path
    # an anonymous form carries no CSRF token of a session: refused before anything (Flask-WTF's CSRFProtect)
    resp = http.post("/bodies", data={"name": "某某区人民政府"})
    assert resp.status_code == 403 and "页面已过期，请刷新后重试。" in text(resp)
    resp = http.post("/bodies", data={"name": "某某区人民政府", "csrf_token": csrf_of(http)})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    resp = http.post("/meetings/1/agenda/order", json={"item_ids": [1]}, headers={"X-CSRF-Token": csrf_of(http)})
    assert resp.status_code == 302
    assert rows(app, Body) == []


def test_missing_or_wrong_csrf_token_is_refused(staff_http, app, factory):
    resp = staff_http.post("/bodies", data={"name": "某某区人民政府"})
    assert resp.status_code == 403
    assert "页面已过期，请刷新后重试。" in text(resp)
    resp = staff_http.post("/people", data={"name": "张三", "csrf_token": "forged"})
    assert resp.status_code == 403
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    a = factory.item(m.id, title="甲")
    b = factory.item(m.id, title="乙")
    resp = staff_http.post(f"/meetings/{m.id}/agenda/order", json={"item_ids": [b.id, a.id]})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "permission_denied"
    assert rows(app, Body, Body.name == "某某区人民政府", Body.id != body.id) == []
    assert rows(app, Person, Person.name == "张三") == []
    assert agenda(app, m.id) == [a.id, b.id]


# ---------------------------------------------------------------- bodies, people, members, relations


def test_create_a_body_and_see_it_listed(staff_http, app):
    page = text(staff_http.get("/bodies"))
    assert "行政首长负责制（集体讨论，首长决定）" in page
    assert "地方组织法 第6、78条" in page  # the one-line explanation of the mode
    assert "洮北区人民政府“三重一大”事项决策实施办法（试行）" in page  # the profile's title

    resp = post(
        staff_http,
        "/bodies",
        {"name": "某某区人民政府", "kind": "government", "decision_mode": "head_decides", "profile": "taobei-2023"},
    )
    assert resp.status_code == 303
    (body,) = rows(app, Body)
    assert (body.name, body.kind, body.decision_mode, body.profile) == (
        "某某区人民政府",
        "government",
        "head_decides",
        "taobei-2023",
    )
    assert resp.headers["Location"] == f"/bodies/{body.id}"
    page = text(staff_http.get(resp.headers["Location"]))
    assert "已创建领导班子“某某区人民政府”" in page
    assert "尚无成员" in page

    listing = text(staff_http.get("/bodies"))
    assert f'href="/bodies/{body.id}"' in listing and "0人" in listing

    resp = post(
        staff_http,
        f"/bodies/{body.id}",
        {"name": "某某区人民政府党组", "kind": "party_group", "decision_mode": "majority", "profile": "taobei-2023"},
    )
    assert resp.status_code == 303
    (body,) = rows(app, Body)
    assert (body.name, body.kind, body.decision_mode) == ("某某区人民政府党组", "party_group", "majority")


def test_a_body_with_a_bad_profile_or_no_name_is_refused_on_the_same_page(staff_http, app):
    resp = post(
        staff_http, "/bodies", {"name": "某某区", "kind": "government", "decision_mode": "majority", "profile": "nope"}
    )
    assert resp.status_code == 400
    assert "所选规则配置不存在" in text(resp)
    assert 'value="某某区"' in text(resp)  # what was typed stays
    resp = post(
        staff_http, "/bodies", {"name": "", "kind": "government", "decision_mode": "majority", "profile": "taobei-2023"}
    )
    assert resp.status_code == 400
    assert "名称不能为空" in text(resp) and "请求格式" not in text(resp)
    resp = post(
        staff_http,
        "/bodies",
        {"name": "某某区", "kind": "government", "decision_mode": "vote", "profile": "taobei-2023"},
    )
    assert resp.status_code == 400 and "决策方式取值无效" in text(resp)
    assert rows(app, Body) == []


def test_people_are_created_and_edited(staff_http, app):
    resp = post(staff_http, "/people", {"name": "张建国", "title": "区长", "unit": "某某区人民政府"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/people"
    (p,) = rows(app, Person)
    assert (p.name, p.title, p.unit) == ("张建国", "区长", "某某区人民政府")
    page = text(staff_http.get(f"/people/{p.id}/edit"))
    assert "修改：张建国" in page and 'value="区长"' in page

    resp = post(staff_http, f"/people/{p.id}", {"name": "张建国", "title": "区委副书记、区长", "unit": "某某区"})
    assert resp.status_code == 303
    (p,) = rows(app, Person)
    assert p.title == "区委副书记、区长"
    assert "区委副书记、区长" in text(staff_http.get("/people"))

    resp = post(staff_http, f"/people/{p.id}", {"name": "", "title": "x", "unit": ""})
    assert resp.status_code == 400 and "姓名不能为空" in text(resp)
    assert rows(app, Person)[0].name == "张建国"
    assert staff_http.get("/people/999/edit").status_code == 404


def test_members_are_added_reordered_and_removed_as_one_ordered_list(staff_http, app, factory):
    resp = post(
        staff_http,
        "/bodies",
        {"name": "某某区人民政府", "kind": "government", "decision_mode": "majority", "profile": "taobei-2023"},
    )
    body_id = rows(app, Body)[0].id
    a, b, c = (factory.person(n, "副区长").id for n in ("甲", "乙", "丙"))
    url = f"/bodies/{body_id}/members"
    for pid in (a, b, c):
        resp = post(staff_http, url, {"person_ids": members(app, body_id), "op": "add", "add": str(pid)})
        assert resp.status_code == 303
    assert members(app, body_id) == [a, b, c]
    page = text(staff_http.get(f"/bodies/{body_id}"))
    assert "共3人" in page and "主要负责人" in page

    # the up / down buttons post the whole list plus the move
    post(staff_http, url, {"person_ids": [a, b, c], "up": str(c)})
    assert members(app, body_id) == [a, c, b]
    post(staff_http, url, {"person_ids": [a, c, b], "down": str(a)})
    assert members(app, body_id) == [c, a, b]
    # drag and drop submits the list in its new order; the first is the head
    post(staff_http, url, {"person_ids": [b, c, a], "op": "save"})
    assert members(app, body_id) == [b, c, a]
    post(staff_http, url, {"person_ids": [b, c, a], "remove": str(c)})
    assert members(app, body_id) == [b, a]

    resp = post(staff_http, url, {"person_ids": [b, a, b], "op": "save"})
    assert resp.status_code == 400 and "同一人不能重复列入成员名单" in text(resp)
    resp = post(staff_http, url, {"person_ids": [b, a, 9999], "op": "save"})
    assert resp.status_code == 404 and "未找到人员 9999" in text(resp)
    resp = post(staff_http, url, {"person_ids": [b, a], "op": "add", "add": ""})
    assert resp.status_code == 400 and "请选择要添加的人员" in text(resp)
    assert members(app, body_id) == [b, a]


def test_relations_other_needs_a_reason_and_relations_can_be_deleted(staff_http, app, factory):
    body, ids = factory.body(3)
    subject = factory.person("王晓明", "区发改局副局长")
    page = text(staff_http.get(f"/bodies/{body.id}"))
    assert "直系血亲关系" in page and "祖父母、外祖父母" in page  # type label and examples

    url = f"/bodies/{body.id}/relations"
    resp = post(staff_http, url, {"person_a_id": ids[1], "person_b_id": subject.id, "type": "OTHER", "reason": " "})
    assert resp.status_code == 400
    assert "“其他可能影响公正的关系”须写明理由（《中华人民共和国公务员法》第七十六条（三））" in text(resp)
    assert rows(app, Relation) == []
    resp = post(staff_http, url, {"person_a_id": ids[1], "person_b_id": ids[1], "type": "SPOUSE"})
    assert resp.status_code == 400 and "不能是同一人" in text(resp)
    resp = post(staff_http, url, {"person_a_id": ids[1], "person_b_id": subject.id, "type": "COUSIN"})
    assert resp.status_code == 400 and "所选关系类型不存在" in text(resp)
    assert rows(app, Relation) == []

    resp = post(
        staff_http,
        url,
        {"person_a_id": ids[1], "person_b_id": subject.id, "type": "OTHER", "reason": "曾为直接上下级且有经济往来"},
    )
    assert resp.status_code == 303
    resp = post(staff_http, url, {"person_a_id": ids[2], "person_b_id": subject.id, "type": "LINEAL"})
    assert resp.status_code == 303
    rels = rows(app, Relation)
    assert [(r.person_a_id, r.person_b_id, r.type, r.reason) for r in rels] == [
        (ids[1], subject.id, "OTHER", "曾为直接上下级且有经济往来"),
        (ids[2], subject.id, "LINEAL", ""),
    ]
    page = text(staff_http.get(f"/bodies/{body.id}"))
    assert "曾为直接上下级且有经济往来" in page and "王晓明" in page

    resp = post(staff_http, url, {"person_a_id": subject.id, "person_b_id": ids[2], "type": "LINEAL"})
    assert resp.status_code == 409 and "该关系已登记" in text(resp)

    resp = post(staff_http, f"/bodies/{body.id}/relations/{rels[0].id}/delete")
    assert resp.status_code == 303
    assert [r.id for r in rows(app, Relation)] == [rels[1].id]


# ---------------------------------------------------------------- meetings


def test_dashboard_lists_meetings_with_chinese_dates_and_links(staff_http, factory):
    body, _ = factory.body(3, name="某某区人民政府")
    m = factory.meeting(body.id, session_number=12)
    page = text(staff_http.get("/"))
    assert "某某区人民政府第12次常务会议" in page
    assert "2023年12月9日" in page and "未开始" in page
    for href in (
        f"/meetings/{m.id}/setup",
        f"/meetings/{m.id}/console",
        f"/meetings/{m.id}/links",
        f"/meetings/new?body_id={body.id}",
        "/people",
    ):
        assert f'href="{href}"' in page, href


def test_new_meeting_defaults_and_roster_from_the_members(staff_http, app, factory):
    body, ids = factory.body(5)
    factory.meeting(body.id, kind="executive", session_number=7)
    page = text(staff_http.get(f"/meetings/new?body_id={body.id}"))
    assert re.search(r'name="session_number"[^>]*value="8"', page)  # last executive meeting + 1
    assert '"plenary": 1' in page  # each type keeps its own sequence
    assert "应到会成员 5 人" in page
    assert "选择其他成员即为受成员01委托主持" in page
    assert "复制上次会议的列席人员" in page

    resp = post(
        staff_http,
        "/meetings",
        {
            "body_id": body.id,
            "kind": "executive",
            "session_number": "8",
            "starts_at": "2023-12-16T09:30",
            "place": "区政府第一会议室",
            "chair_person_id": str(ids[1]),
            "recorder_name": "王秘书",
        },
    )
    assert resp.status_code == 303
    (m,) = rows(app, Meeting, Meeting.session_number == 8)
    assert resp.headers["Location"] == f"/meetings/{m.id}/setup"
    assert m.chair_person_id == ids[1] and m.delegated_by_person_id == ids[0]  # a deputy chairs: delegation
    assert m.starts_at.replace(tzinfo=UTC) == datetime(2023, 12, 16, 1, 30, tzinfo=UTC)  # 09:30 Beijing time
    seats = rows(app, Seat, Seat.meeting_id == m.id, order=col(Seat.seniority))
    assert [s.person_id for s in seats] == ids and len({s.token_hash for s in seats}) == 5

    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "某某区人民政府第8次常务会议" in page
    assert "2023年12月16日 09:30" in page
    assert "受成员01委托" in page and "应到会 5 人" in page
    assert f'href="/meetings/{m.id}/links"' in page and "/qr/" not in page  # links are shown once, when issued


def test_new_meeting_refusals_stay_on_the_form(staff_http, app, factory):
    body, ids = factory.body(3)
    outsider = factory.person("局外人")
    base = {"body_id": body.id, "kind": "executive", "session_number": "1", "starts_at": "2023-12-16T09:30"}
    resp = post(staff_http, "/meetings", base | {"chair_person_id": str(outsider.id)})
    assert resp.status_code == 400 and "主持人须为本领导班子成员" in text(resp)
    resp = post(staff_http, "/meetings", base | {"starts_at": "下周一"})
    assert resp.status_code == 400 and "会议时间须为有效的日期和时间" in text(resp)
    assert 'value="下周一"' in text(resp)
    empty = factory.body(0, name="空班子")[0]
    resp = post(staff_http, "/meetings", base | {"body_id": empty.id})
    assert resp.status_code == 409 and "该领导班子尚无成员" in text(resp)
    assert rows(app, Meeting) == []
    assert staff_http.get("/meetings/new?body_id=999").status_code == 404
    assert staff_http.get("/meetings/new").status_code == 404


def test_observers_are_added_removed_and_copied_from_the_last_meeting(staff_http, app, factory):
    body, _ = factory.body(3)
    m1 = factory.meeting(body.id, session_number=1)
    url = f"/meetings/{m1.id}/observers"
    assert post(staff_http, url, {"name": "孙立新", "unit": "区人大常委会", "role": "人大代表"}).status_code == 303
    assert post(staff_http, url, {"name": "钱律师", "unit": "区政府法律顾问室", "role": "法律顾问"}).status_code == 303
    resp = post(staff_http, url, {"name": "", "unit": "区政协", "role": "政协委员"})
    assert resp.status_code == 400 and "姓名不能为空" in text(resp) and 'value="区政协"' in text(resp)
    obs = rows(app, Observer, Observer.meeting_id == m1.id)
    assert [(o.name, o.unit, o.role) for o in obs] == [
        ("孙立新", "区人大常委会", "人大代表"),
        ("钱律师", "区政府法律顾问室", "法律顾问"),
    ]

    page = text(staff_http.get(f"/meetings/new?body_id={body.id}"))
    assert re.search(rf'name="copy_observers_from_meeting_id" value="{m1.id}"\s+checked', page)
    assert "孙立新、钱律师" in page

    resp = post(
        staff_http,
        "/meetings",
        {
            "body_id": body.id,
            "kind": "executive",
            "session_number": "2",
            "starts_at": "2023-12-16T09:00",
            "copy_observers_from_meeting_id": str(m1.id),
        },
    )
    assert resp.status_code == 303
    (m2,) = rows(app, Meeting, Meeting.session_number == 2)
    copied = rows(app, Observer, Observer.meeting_id == m2.id)
    assert [(o.name, o.unit, o.role) for o in copied] == [(o.name, o.unit, o.role) for o in obs]
    assert not {o.token_hash for o in copied} & {o.token_hash for o in obs}  # fresh personal links

    resp = post(staff_http, f"/meetings/{m2.id}/observers/{copied[0].id}/delete")
    assert resp.status_code == 303
    assert [o.name for o in rows(app, Observer, Observer.meeting_id == m2.id)] == ["钱律师"]
    # an observer of another meeting cannot be removed through this one
    resp = post(staff_http, f"/meetings/{m2.id}/observers/{obs[0].id}/delete")
    assert resp.status_code == 404
    assert len(rows(app, Observer, Observer.meeting_id == m1.id)) == 2


# ---------------------------------------------------------------- agenda items


def test_personnel_item_with_subjects_and_predicted_recusal(staff_http, app, factory):
    body, ids = factory.body(5)
    subject = factory.person("王晓明", "区发改局副局长")
    factory.relation(ids[2], subject.id, "LINEAL", "父子")
    m = factory.meeting(body.id)
    page = text(staff_http.get(f"/meetings/{m.id}/items/new"))
    assert "大额资金标准（本规则配置）：年度预算外、超过 10,000,000元（1,000万元）" in page
    assert "王晓明（区发改局副局长）" in page

    resp = post(
        staff_http,
        f"/meetings/{m.id}/items",
        {
            "title": "关于王晓明同志任职的议题",
            "category": "personnel",
            "presenter": "区委组织部",
            "submitting_unit": "区委组织部",
            "summary": "拟任命王晓明同志为区发展和改革局局长。",
            "subject_person_id": [str(subject.id), ""],
            "subject_action": ["拟任区发展和改革局局长", ""],
        },
    )
    assert resp.status_code == 303
    (item,) = rows(app, AgendaItem)
    assert (item.title, item.category, item.presenter, item.position) == (
        "关于王晓明同志任职的议题",
        "personnel",
        "区委组织部",
        1,
    )
    assert resp.headers["Location"] == f"/meetings/{m.id}/setup#item-{item.id}"
    assert [(x.person_id, x.action) for x in rows(app, ItemSubject)] == [(subject.id, "拟任区发展和改革局局长")]

    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "拟任区发展和改革局局长" in page
    assert "预计回避" in page
    assert re.search(r"成员03</strong>：\s*与任免对象王晓明有直系血亲关系（父子）", page)

    # editing keeps the subject rows
    page = text(staff_http.get(f"/items/{item.id}/edit"))
    assert re.search(rf'<option value="{subject.id}" selected>王晓明', page)


def test_subjects_on_a_non_personnel_item_are_refused_and_nothing_is_stored(staff_http, app, factory):
    body, ids = factory.body(3)
    subject = factory.person("王晓明")
    m = factory.meeting(body.id)
    resp = post(
        staff_http,
        f"/meetings/{m.id}/items",
        {
            "title": "关于老旧小区改造的议题",
            "category": "major_project",
            "subject_person_id": [str(subject.id)],
            "subject_action": ["拟任"],
        },
    )
    assert resp.status_code == 400
    assert "只有干部任免议题才有任免对象" in text(resp)
    assert 'value="关于老旧小区改造的议题"' in text(resp)
    resp = post(
        staff_http,
        f"/meetings/{m.id}/items",
        {
            "title": "关于两人任职的议题",
            "category": "personnel",
            "subject_person_id": [str(subject.id), str(subject.id)],
            "subject_action": ["拟任", "拟免"],
        },
    )
    assert resp.status_code == 400 and "任免对象重复" in text(resp)
    resp = post(staff_http, f"/meetings/{m.id}/items", {"title": "", "category": "other"})
    assert resp.status_code == 400 and "议题名称不能为空" in text(resp)
    assert rows(app, AgendaItem) == [] and rows(app, ItemSubject) == []


def test_large_fund_amount_edit_and_delete(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    url = f"/meetings/{m.id}/items"
    resp = post(
        staff_http,
        url,
        {
            "title": "关于专项资金安排的议题",
            "category": "large_funds",
            "amount_yuan": "1,850万元",
            "confidential": "1",
        },
    )
    assert resp.status_code == 303
    (item,) = rows(app, AgendaItem)
    assert (item.amount_yuan, item.confidential) == (18_500_000, True)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "18,500,000元（1,850万元）" in page and "超过大额资金标准" in page and "涉密" in page

    resp = post(staff_http, url, {"title": "x", "category": "large_funds", "amount_yuan": "一千万"})
    assert resp.status_code == 400 and "金额写法无法识别" in text(resp)
    assert len(rows(app, AgendaItem)) == 1
    form = text(staff_http.get(f"/items/{item.id}/edit"))
    assert 'value="1850"' in form and "金额（万元）" in form  # the field is in 万元, as it was typed

    resp = post(
        staff_http,
        f"/items/{item.id}",
        {"title": "关于2024年专项资金安排的议题", "category": "large_funds", "amount_yuan": "900"},
    )
    assert resp.status_code == 303
    (item,) = rows(app, AgendaItem)
    assert (item.title, item.amount_yuan, item.confidential) == ("关于2024年专项资金安排的议题", 9_000_000, False)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "9,000,000元（900万元）" in page and "未超过大额资金标准" in page

    resp = post(staff_http, f"/items/{item.id}/delete")
    assert resp.status_code == 303
    assert rows(app, AgendaItem) == [] and rows(app, ItemStep) == []


def test_preparation_steps_and_the_missing_step_marker(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id, title="关于制定停车管理办法的议题", category="major_decision", prepared=False)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "未完成必需的决策准备，不能提交会议" in page
    assert re.search(r"不能提交会议</strong>：合法性审查", page)
    assert "准备未完成" in page  # the marker in the agenda list too

    def save(**states):
        data = {
            f"state_{s}": "not_started"
            for s in ("legality_review", "expert_review", "public_participation", "risk_assessment", "interdepartment")
        }
        data.update({f"state_{k}": v for k, v in states.items()})
        data["note_legality_review"] = "区司法局已审查"
        return post(staff_http, f"/items/{item.id}/steps", data)

    before = len(rows(app, Event, Event.kind == "item.step_set"))
    resp = save(legality_review="done", expert_review="not_applicable")
    assert resp.status_code == 303
    steps = {st.step: st for st in rows(app, ItemStep, ItemStep.item_id == item.id)}
    assert (steps["legality_review"].state, steps["legality_review"].note) == ("done", "区司法局已审查")
    assert steps["expert_review"].state == "not_applicable"
    assert len(rows(app, Event, Event.kind == "item.step_set")) == before + 2  # only the changed steps
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "未完成必需的决策准备" not in page and "必需的决策准备已完成" in page

    # a legality review can never be waived as "not applicable" (713号 第26、28条)
    assert save(legality_review="not_applicable").status_code == 303
    assert "未完成必需的决策准备，不能提交会议" in text(staff_http.get(f"/meetings/{m.id}/setup"))
    resp = save(legality_review="maybe")
    assert resp.status_code == 400 and "准备状态取值无效" in text(resp)
    assert (
        rows(app, ItemStep, ItemStep.item_id == item.id, ItemStep.step == "legality_review")[0].state
        == "not_applicable"
    )


def test_material_upload_real_pdf_accepted_fake_refused(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    url = f"/items/{item.id}/materials"
    resp = post(
        staff_http,
        url,
        {"file": (io.BytesIO(PDF), "停车管理办法（草案）.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    (mat,) = rows(app, Material)
    assert (mat.filename, mat.content_type, mat.size, mat.item_id) == (
        "停车管理办法（草案）.pdf",
        "application/pdf",
        len(PDF),
        item.id,
    )
    assert (Path(app.config["MATERIALS_DIR"]) / mat.stored_name).read_bytes() == PDF
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert f'href="/materials/{mat.id}"' in page and "停车管理办法（草案）.pdf" in page
    with staff_http.get(f"/materials/{mat.id}") as served:
        assert (served.status_code, served.data) == (200, PDF)

    resp = post(
        staff_http,
        url,
        {"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "病毒.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400 and "文件内容不是 PDF" in text(resp)
    resp = post(
        staff_http,
        url,
        {"file": (io.BytesIO(b"PK\x03\x04"), "a.zip", "application/zip")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400 and "仅支持 PDF、图片、纯文本和 docx 材料" in text(resp)
    resp = post(staff_http, url, {}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要上传的文件" in text(resp)
    assert len(rows(app, Material)) == 1


def test_reorder_by_drag_route_and_by_buttons(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    a, b, c = (factory.item(m.id, title=t).id for t in ("甲议题", "乙议题", "丙议题"))
    url = f"/meetings/{m.id}/agenda/order"
    headers = {"X-CSRF-Token": staff_http.csrf}

    resp = staff_http.post(url, json={"item_ids": [c, a, b]}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["ok"] is True
    assert agenda(app, m.id) == [c, a, b]

    for bad in ([c, a], [c, a, b, b], [c, a, 9999], []):
        resp = staff_http.post(url, json={"item_ids": bad}, headers=headers)
        assert resp.status_code == 400, bad
        assert resp.get_json()["error"]["code"] == "invalid_payload"
    resp = staff_http.post(url, json={"item_ids": [c, a]}, headers=headers)
    assert "排序须包含本次会议的全部议题且不重复" in resp.get_json()["error"]["message"]
    assert agenda(app, m.id) == [c, a, b]

    # keyboard-accessible fallback: up / down buttons, and the plain form
    assert post(staff_http, f"/meetings/{m.id}/items/{b}/move", {"direction": "up"}).status_code == 303
    assert agenda(app, m.id) == [c, b, a]
    post(staff_http, f"/meetings/{m.id}/items/{c}/move", {"direction": "up"})  # already first: nothing moves
    assert agenda(app, m.id) == [c, b, a]
    post(staff_http, f"/meetings/{m.id}/items/{c}/move", {"direction": "down"})
    assert agenda(app, m.id) == [b, c, a]
    assert post(staff_http, url, {"item_ids": [a, b, c]}).status_code == 303
    assert agenda(app, m.id) == [a, b, c]
    resp = post(staff_http, url, {"item_ids": [a, b]})
    assert resp.status_code == 400 and "排序须包含本次会议的全部议题且不重复" in text(resp)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert page.index("甲议题") < page.index("乙议题") < page.index("丙议题")


def test_a_deferred_item_is_carried_over_with_one_click_and_its_history(staff_http, app, factory):
    body, ids, m1, item = factory.running(5, category="other")
    factory.act("defer_item", m1.id, {"item_id": item.id, "reason": "需进一步征求部门意见"})
    factory.act("close_meeting", m1.id)
    m2 = factory.meeting(body.id, session_number=2)

    page = text(staff_http.get(f"/meetings/{m2.id}/setup"))
    assert "暂缓议题" in page and item.title in page
    assert "需进一步征求部门意见" in page and "列入本次议程" in page

    resp = post(staff_http, f"/meetings/{m2.id}/carry-over", {"item_id": item.id})
    assert resp.status_code == 303
    (new,) = rows(app, AgendaItem, AgendaItem.meeting_id == m2.id)
    assert (new.title, new.carried_from_item_id, new.status) == (item.title, item.id, "pending")
    with app.app_context(), read_only() as s:
        assert setup.deferred_items(s, body.id) == []
    page = text(staff_http.get(f"/meetings/{m2.id}/setup"))
    assert "暂缓后再议" in page and "以往审议经过" in page
    assert re.search(
        r"第1次常务会议（2023年12月9日）：\s*<strong>暂缓决策</strong>\s*— 理由：需进一步征求部门意见", page
    )
    assert "没有待重新列入议程的暂缓议题" in page

    resp = post(staff_http, f"/meetings/{m2.id}/carry-over", {"item_id": item.id})
    assert resp.status_code == 409 and "该议题已列入其他会议议程" in text(resp)
    resp = post(staff_http, f"/meetings/{m2.id}/carry-over", {"item_id": new.id})
    assert resp.status_code == 409 and "只能将本领导班子暂缓决策的议题列入议程" in text(resp)
    assert len(rows(app, AgendaItem, AgendaItem.meeting_id == m2.id)) == 1

    # the closed meeting can no longer be changed
    page = text(staff_http.get(f"/meetings/{m1.id}/setup"))
    assert "会议已结束，议程和列席人员不能再修改" in page
    resp = post(staff_http, f"/meetings/{m1.id}/observers", {"name": "迟到的列席人"})
    assert resp.status_code == 409 and "会议已结束" in text(resp)
    assert rows(app, Observer, Observer.meeting_id == m1.id) == []


def test_setup_page_of_an_unknown_meeting_is_not_found(staff_http):
    resp = staff_http.get("/meetings/999/setup")
    assert resp.status_code == 404 and "未找到会议" in text(resp)
    assert staff_http.get("/items/999/edit").status_code == 404


def test_an_agenda_change_during_the_meeting_reaches_the_screens(staff_http, app, factory, socketio):
    body, ids, m, item = factory.running(5, category="other")
    screen = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    assert screen.is_connected()
    screen.get_received()  # the snapshot
    resp = post(staff_http, f"/meetings/{m.id}/items", {"title": "关于临时动议的议题", "category": "other"})
    assert resp.status_code == 303
    states = [e["args"][0] for e in screen.get_received() if e["name"] == "state"]
    assert states and [a["title"] for a in states[-1]["agenda"]] == [item.title, "关于临时动议的议题"]
    # an item under discussion can no longer be edited from the setup page
    resp = post(staff_http, f"/items/{item.id}", {"title": "改名", "category": "other"})
    assert resp.status_code == 409 and "议题已开始审议，不能再修改" in text(resp)
    assert rows(app, AgendaItem, AgendaItem.id == item.id)[0].title == item.title
    screen.disconnect()


def test_the_body_edit_form_is_prefilled(staff_http, factory):
    body, _ = factory.body(2, name="某某区人民政府", decision_mode="head_decides")
    page = text(staff_http.get(f"/bodies/{body.id}"))
    assert 'value="某某区人民政府"' in page
    assert re.search(r'value="head_decides"\s+checked', page)


# ---------------------------------------------------------------- editing the meeting, withdrawing a material


def meeting_form(**changes) -> dict:
    return {
        "kind": "executive",
        "session_number": "12",
        "starts_at": "2023-12-16T14:30",
        "place": "区政府第二会议室",
        "chair_person_id": "",
        "recorder_name": "李秘书",
    } | changes


def test_the_meeting_details_are_edited_before_the_meeting(staff_http, app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id, session_number=1)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "编辑会议信息" in page and f'action="/meetings/{m.id}/edit"' in page
    assert 'value="2023-12-09T09:00"' in page  # datetime-local, Beijing time
    assert re.search(r'name="place"[^>]*value="区政府第一会议室"', page)
    assert re.search(rf'<option value="{ids[0]}" selected>成员01', page)

    resp = post(staff_http, f"/meetings/{m.id}/edit", meeting_form(kind="special", chair_person_id=str(ids[2])))
    assert resp.status_code == 303 and resp.headers["Location"] == f"/meetings/{m.id}/setup#meeting"
    (saved,) = rows(app, Meeting, Meeting.id == m.id)
    assert (saved.kind, saved.session_number, saved.place, saved.recorder_name) == (
        "special",
        12,
        "区政府第二会议室",
        "李秘书",
    )
    assert saved.starts_at.replace(tzinfo=UTC) == datetime(2023, 12, 16, 6, 30, tzinfo=UTC)  # 14:30 Beijing
    assert (saved.chair_person_id, saved.delegated_by_person_id) == (ids[2], ids[0])  # chairs for the head
    assert [s.person_id for s in rows(app, Seat, Seat.meeting_id == m.id, order=col(Seat.seniority))] == ids
    assert rows(app, Event, Event.kind == "meeting.updated")[-1].meeting_id == m.id

    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "已保存会议信息。" in page
    assert "某某区人民政府第12次专题会议" in page and "2023年12月16日 14:30" in page
    assert "受成员01委托" in page

    # no chair chosen: the head chairs again, and the delegation is gone
    assert post(staff_http, f"/meetings/{m.id}/edit", meeting_form()).status_code == 303
    (saved,) = rows(app, Meeting, Meeting.id == m.id)
    assert (saved.chair_person_id, saved.delegated_by_person_id, saved.kind) == (ids[0], None, "executive")


def test_the_chair_must_hold_a_seat_and_a_bad_form_changes_nothing(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    outsider = factory.person("局外人")
    before = rows(app, Meeting, Meeting.id == m.id)[0].model_dump()

    resp = post(staff_http, f"/meetings/{m.id}/edit", meeting_form(chair_person_id=str(outsider.id)))
    assert resp.status_code == 400
    page = text(resp)
    assert "主持人须为本次会议成员" in page and "data-error-here" in page
    assert 'value="区政府第二会议室"' in page  # what was typed is kept on the form
    resp = post(staff_http, f"/meetings/{m.id}/edit", meeting_form(starts_at="下周一"))
    assert resp.status_code == 400 and "会议时间须为有效的日期和时间" in text(resp)
    resp = post(staff_http, f"/meetings/{m.id}/edit", meeting_form(session_number="0"))
    assert resp.status_code == 400 and "届次（第×次）须为正数" in text(resp)
    resp = staff_http.post(f"/meetings/{m.id}/edit", data=meeting_form())  # no CSRF token
    assert resp.status_code == 403

    assert rows(app, Meeting, Meeting.id == m.id)[0].model_dump() == before
    assert rows(app, Event, Event.kind == "meeting.updated") == []
    assert post(staff_http, "/meetings/999/edit", meeting_form()).status_code == 404


def test_the_meeting_details_cannot_be_edited_once_it_is_in_session(staff_http, app, factory):
    _, _, m, _ = factory.running(5, category="other")
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "编辑会议信息" not in page and f'action="/meetings/{m.id}/edit"' not in page
    resp = post(staff_http, f"/meetings/{m.id}/edit", meeting_form(place="别处"))
    assert resp.status_code == 409 and "会议已开始，会议信息不能再修改" in text(resp)
    (saved,) = rows(app, Meeting, Meeting.id == m.id)
    assert (saved.place, saved.session_number, saved.status) == ("区政府第一会议室", 1, "in_session")


def test_an_edit_reaches_the_screens_already_open(staff_http, app, factory, socketio):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    screen = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    screen.get_received()
    assert post(staff_http, f"/meetings/{m.id}/edit", meeting_form(place="区政府第三会议室")).status_code == 303
    states = [e["args"][0] for e in screen.get_received() if e["name"] == "state"]
    assert states and states[-1]["meeting"]["place"] == "区政府第三会议室"
    screen.disconnect()


def upload(client, item_id, name="方案.pdf", data=PDF):
    return post(
        client,
        f"/items/{item_id}/materials",
        {"file": (io.BytesIO(data), name, "application/pdf")},
        content_type="multipart/form-data",
    )


def test_a_material_of_a_pending_item_is_withdrawn(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    assert upload(staff_http, item.id, "方案.pdf").status_code == 303
    assert upload(staff_http, item.id, "附件.pdf", PDF + b"% 2\n").status_code == 303
    first, second = rows(app, Material)
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert f'action="/materials/{first.id}/delete"' in page and "删除材料“方案.pdf”？" in page

    resp = post(staff_http, f"/materials/{first.id}/delete")
    assert resp.status_code == 303 and resp.headers["Location"] == f"/meetings/{m.id}/setup#item-{item.id}"
    assert [x.id for x in rows(app, Material)] == [second.id]
    assert (Path(app.config["MATERIALS_DIR"]) / first.stored_name).exists()  # stored by content, maybe shared
    ev = rows(app, Event, Event.kind == "material.deleted")
    assert len(ev) == 1 and "方案.pdf" in ev[0].payload
    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert "已删除材料“方案.pdf”。" in page and f'href="/materials/{first.id}"' not in page

    assert post(staff_http, f"/materials/{first.id}/delete").status_code == 404  # already gone
    assert staff_http.post(f"/materials/{second.id}/delete").status_code == 403  # no CSRF token
    assert [x.id for x in rows(app, Material)] == [second.id]


def test_a_material_cannot_be_withdrawn_once_its_item_is_opened(staff_http, app, factory, socketio):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    opened = factory.item(m.id, title="甲议题")
    later = factory.item(m.id, title="乙议题")
    assert upload(staff_http, opened.id).status_code == 303
    assert upload(staff_http, later.id, "乙.pdf", PDF + b"% b\n").status_code == 303
    mat_opened, mat_later = rows(app, Material)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    factory.act("open_item", m.id, {"item_id": opened.id})

    page = text(staff_http.get(f"/meetings/{m.id}/setup"))
    assert f'action="/materials/{mat_opened.id}/delete"' not in page  # no button once the item is opened
    assert f'action="/materials/{mat_later.id}/delete"' in page
    resp = post(staff_http, f"/materials/{mat_opened.id}/delete")
    assert resp.status_code == 409 and "议题已开始审议，不能再修改" in text(resp)
    assert len(rows(app, Material)) == 2

    # a pending item's material can still be withdrawn during the meeting, and every screen hears of it
    screen = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    screen.get_received()
    assert post(staff_http, f"/materials/{mat_later.id}/delete").status_code == 303
    assert [x.id for x in rows(app, Material)] == [mat_opened.id]
    assert [e for e in screen.get_received() if e["name"] == "state"]
    screen.disconnect()


def test_the_scan_of_a_written_opinion_is_not_withdrawn(staff_http, app, factory):
    body, ids = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    ack = factory.act("written_opinion", m.id, {"item_id": item.id, "person_id": ids[2], "stance": "agree"}).ack
    resp = staff_http.post(
        f"/meetings/{m.id}/written-opinions/{ack['written_opinion_id']}/scan",
        data={"file": (io.BytesIO(PDF), "书面意见.pdf", "application/pdf")},
        headers={"X-CSRF-Token": staff_http.csrf},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and resp.get_json()["ok"]
    (scan,) = rows(app, Material)
    assert scan.kind == "written_opinion"
    resp = post(staff_http, f"/materials/{scan.id}/delete")
    assert resp.status_code == 409 and "书面意见原件扫描件是会议记录的一部分，不能删除" in text(resp)
    assert rows(app, Material) == [scan]
