"""Every setting-up form, given bad input: the refusal is plain Chinese (no "请求格式不正确", no field's programming
name, no "JSON", "payload", "validation" or pydantic text), it is said once on the page (not a banner and a section
message with the same words), and nothing is stored."""

from __future__ import annotations

import html
import re

import pytest

from meeting.models import AgendaItem, Body, Event, Observer, Person, Relation

PROGRAMMER_WORDS = re.compile(
    r"请求格式|JSON|json|payload|[Vv]alidation|pydantic|Value error|None|\bint\b|\bstr\b|\bfield\b|[a-z]+_[a-z_]+"
)


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})}, **kw)


def refusals(page: str) -> list[str]:
    """The texts of the page's error messages (role="alert"), tags and whitespace stripped."""
    found = re.findall(r'<(?:div|p)[^>]*class="flash error[^"]*"[^>]*role="alert"[^>]*>(.*?)</(?:div|p)>', page, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", x))).strip() for x in found]


@pytest.fixture
def world(factory, app):
    body, ids = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id, title="关于某某事项的议题")
    other = factory.person("张三", title="科长")
    return {"body": body.id, "ids": ids, "meeting": m.id, "item": item.id, "other": other.id}


def forms(w) -> list[tuple[str, str, dict, str]]:
    """(what, url, form, a phrase the refusal says) — one or more bad inputs per setting-up form."""
    b, m, i = w["body"], w["meeting"], w["item"]
    meeting = {"kind": "executive", "session_number": "2", "starts_at": "2023-12-09T09:00", "place": "会议室"}
    return [
        (
            "new body without a name",
            "/bodies",
            {"name": "", "kind": "government", "profile": "seed003"},
            "名称不能为空",
        ),
        (
            "body with a bad mode",
            f"/bodies/{b}",
            {"name": "某区", "kind": "government", "decision_mode": "vote"},
            "决策方式取值无效",
        ),
        (
            "body with a bad profile",
            f"/bodies/{b}",
            {"name": "某区", "kind": "government", "decision_mode": "majority", "profile": "x"},
            "所选规则配置不存在",
        ),
        ("members: add nobody", f"/bodies/{b}/members", {"op": "add", "add": ""}, "请选择要添加的人员"),
        ("members: a word for an id", f"/bodies/{b}/members", {"person_ids": "abc"}, "成员名单须为整数"),
        (
            "relation other without a reason",
            f"/bodies/{b}/relations",
            {"person_a_id": w["ids"][0], "person_b_id": w["other"], "type": "OTHER"},
            "须写明理由",
        ),
        ("relation without people", f"/bodies/{b}/relations", {"type": "SPOUSE"}, "人员甲为必填项"),
        ("person without a name", "/people", {"name": "", "title": "科长"}, "姓名不能为空"),
        ("person too long", f"/people/{w['other']}", {"name": "张" * 65}, "姓名过长"),
        ("meeting with a bad time", "/meetings", {"body_id": b, **meeting, "starts_at": "明天"}, "会议时间须为"),
        ("meeting with a bad number", "/meetings", {"body_id": b, **meeting, "session_number": "0"}, "届次"),
        ("meeting edit bad chair", f"/meetings/{m}/edit", {**meeting, "chair_person_id": w["other"]}, "主持人须为"),
        ("observer without a name", f"/meetings/{m}/observers", {"name": "", "unit": "某局"}, "姓名不能为空"),
        ("item without a title", f"/meetings/{m}/items", {"title": "", "category": "other"}, "议题名称不能为空"),
        ("item without a category", f"/meetings/{m}/items", {"title": "关于x"}, "议题类别"),
        (
            "item with a bad amount",
            f"/meetings/{m}/items",
            {"title": "关于x", "category": "large_funds", "amount_yuan": "1..2万"},
            "金额写法无法识别",
        ),
        ("item edit negative", f"/items/{i}", {"title": "关于x", "category": "other", "amount_yuan": "-5"}, "负数"),
        ("steps with a bad state", f"/items/{i}/steps", {"state_legality_review": "maybe"}, "准备状态取值无效"),
        ("material without a file", f"/items/{i}/materials", {}, "请选择要上传的文件"),
        ("carry over nothing", f"/meetings/{m}/carry-over", {"item_id": ""}, "议题为必填项"),
        ("reorder with a stranger", f"/meetings/{m}/agenda/order", {"item_ids": "999"}, "排序须包含"),
        ("move sideways", f"/meetings/{m}/items/{i}/move", {"direction": "left"}, "移动方向"),
    ]


def test_every_setup_form_refuses_bad_input_once_in_plain_chinese(staff_http, app, world):
    from tests.factories import rows

    before = {model: len(rows(app, model)) for model in (Body, Person, Relation, Observer, AgendaItem, Event)}
    problems = []
    for what, url, data, phrase in forms(world):
        resp = post(staff_http, url, data)
        page = resp.get_data(as_text=True)
        said = [x for x in refusals(page) if phrase in x]
        if resp.status_code < 400 or len(said) != 1:
            problems.append(f"{what}: status {resp.status_code}, said {len(said)} times: {refusals(page)}")
            continue
        if [x for x in refusals(page) if x != "未保存。原因见下方"] != said:
            problems.append(f"{what}: more than one error message: {refusals(page)}")
        if PROGRAMMER_WORDS.search(said[0]):
            problems.append(f"{what}: programmer words in {said[0]!r}")
        # not said again by a script (a toast of the same words)
        reason = said[0].removeprefix("未保存：").split("（依据")[0]
        if any(reason in script for script in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)):
            problems.append(f"{what}: {reason!r} said again by a script")
    assert not problems, "\n".join(problems)
    assert {model: len(rows(app, model)) for model in before} == before  # nothing was stored
