"""Importing people and members (meeting/people_import.py): a file or a pasted list, problems listed by row and
nothing stored until the whole file is right; duplicates merged; a person without a record deleted."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import col, select

from meeting import people_import, setup
from meeting.db import read_only, unit_of_work
from meeting.models import Event, Membership, Person, Relation
from meeting.people_import import ImportRefused, Row, check_rows, rows_from_file, rows_from_paste
from tests.factories import STAFF

# ---------------------------------------------------------------- reading (pure)


def xlsx(rows) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_pasted_list_from_excel_or_typed_with_commas():
    rows = rows_from_paste("姓名\t单位\t职务\t角色\n张三\t区人民政府\t区长\t主要负责人\n\n李四，区人民政府，副区长\n")
    assert [(r.line, r.name, r.unit, r.title, r.role) for r in rows] == [
        (2, "张三", "区人民政府", "区长", "主要负责人"),
        (4, "李四", "区人民政府", "副区长", ""),
    ]
    (row,) = rows_from_paste("王五,区财政局,局长")  # no heading row: 姓名、单位、职务、角色
    assert (row.line, row.name, row.unit, row.title) == (1, "王五", "区财政局", "局长")


def test_a_file_in_xlsx_or_csv_utf8_or_gbk_with_its_columns_in_any_order():
    data = xlsx([["职务", "姓名", "单位"], ["区长", "张三", "区政府"], [None, None, None], ["副区长", "李四", 123]])
    rows = rows_from_file("名单.xlsx", data)
    assert [(r.line, r.name, r.title, r.unit) for r in rows] == [
        (2, "张三", "区长", "区政府"),
        (4, "李四", "副区长", "123"),
    ]
    text = "姓名,单位,职务\n张三,区政府,区长\n"
    for encoded in (text.encode("utf-8-sig"), text.encode("gbk")):
        assert [(r.name, r.unit, r.title) for r in rows_from_file("名单.csv", encoded)] == [("张三", "区政府", "区长")]


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("名单.xlsx", b"PK\x03\x04 not a workbook", "无法读取该文件"),
        ("名单.xls", b"\xd0\xcf\x11\xe0", "另存为 Excel（.xlsx）或 CSV"),
        ("名单.csv", b"", "文件为空"),
        ("名单.csv", "姓名,电话\n张三,1\n".encode(), "第1行：不认识的列“电话”"),
    ],
)
def test_a_file_that_cannot_be_read_is_said_plainly(name, data, said):
    with pytest.raises(ImportRefused) as err:
        rows_from_file(name, data)
    assert said in err.value.problems[0]


def test_every_problem_is_listed_by_its_row():
    rows = [
        Row(2, "张三", "区政府", "区长", "主要负责人"),
        Row(3, "", "区政府", "副区长"),
        Row(4, "李四", "", "副区长", "常委"),
        Row(5, "张三", "", "区长"),
        Row(6, "王五", "", "", "主要负责人"),
        Row(7, "赵" * 65),
    ]
    assert check_rows(rows, with_body=True) == [
        "第3行：缺少姓名",
        "第4行：角色“常委”无法识别（可填：成员、主要负责人，或不填）",
        "第5行：与第2行重复（姓名、职务相同）",
        "第6行：主要负责人只能有一位（第2行已填）",
        "第7行：姓名过长（最多64字）",
    ]
    assert check_rows([Row(2, "张三", role="主要负责人")], with_body=False) == [
        "第2行：填写了主要负责人，请先选择要列入的领导班子"
    ]
    assert check_rows([], with_body=False)[0].startswith("没有可导入的人员")
    assert check_rows([Row(2, "张三"), Row(3, "李四", role="成员")], with_body=False) == []


# ---------------------------------------------------------------- storing (service)


def people(app):
    with app.app_context(), read_only() as s:
        return [(p.name, p.title) for p in s.exec(select(Person).order_by(col(Person.id)))]


def members(app, body_id):
    with app.app_context(), read_only() as s:
        return [p.name for _, p in setup.members_of(s, body_id)]


def test_an_import_with_a_body_adds_the_people_and_its_members_head_first(app, factory):
    body, ids = factory.body(2)
    factory.person("李四", title="副区长")
    rows = rows_from_paste("李四\t区政府\t副区长\n张三\t区政府\t区长\t主要负责人\n王五\t区政府\t副区长\t成员")
    with app.app_context(), unit_of_work() as s:
        result = people_import.import_people(s, STAFF, rows, body.id)
        assert ([p.name for p in result.created], [p.name for p in result.existing], result.members) == (
            ["张三", "王五"],
            ["李四"],
            3,
        )
    assert members(app, body.id) == ["张三", "成员01", "成员02", "李四", "王五"]
    assert people(app).count(("李四", "副区长")) == 1  # the one already there is used, not doubled
    with app.app_context(), read_only() as s:
        assert s.exec(select(Event).where(Event.kind == "people.imported")).one()


def test_a_file_with_one_bad_row_stores_nothing(app, factory):
    body, _ = factory.body(2)
    before = people(app)
    rows = rows_from_paste("张三\t区政府\t区长\n\t区政府\t副区长\n王五\t区政府\t副区长")
    with pytest.raises(ImportRefused) as err, app.app_context(), unit_of_work() as s:
        people_import.import_people(s, STAFF, rows, body.id)
    assert err.value.problems == ["第2行：缺少姓名"]
    assert people(app) == before and members(app, body.id) == ["成员01", "成员02"]


def test_a_duplicate_is_merged_into_the_one_with_a_record_and_its_memberships_move(app, factory):
    body, ids = factory.body(2)
    factory.meeting(body.id)  # 成员01 and 成员02 now have seats: a record
    twin = factory.person("成员02", title="副区长", unit="区财政局")
    other_body, _ = factory.body(1, name="某某区委")
    subject = factory.person("某亲属")
    factory.relation(twin.id, subject.id, "SPOUSE")
    with app.app_context(), unit_of_work() as s:
        setup.set_members(s, STAFF, other_body.id, setup.MembersIn(person_ids=[twin.id]))
        assert [ids[1], twin.id] in [[p.id for p in g] for g in people_import.duplicates(s)]
        kept = people_import.merge_people(s, STAFF, twin.id, ids[1])
        assert kept.id == ids[1] and kept.unit == "某某区人民政府"
    with app.app_context(), read_only() as s:
        assert s.get(Person, twin.id) is None
        assert s.exec(select(Membership.body_id).where(Membership.person_id == ids[1])).all() == [
            body.id,
            other_body.id,
        ]
        (rel,) = s.exec(select(Relation)).all()
        assert {rel.person_a_id, rel.person_b_id} == {ids[1], subject.id}
        assert all(ids[1] not in [p.id for p in g] for g in people_import.duplicates(s))


def test_two_with_records_are_not_merged_and_a_person_with_a_record_is_not_deleted(app, factory):
    body, ids = factory.body(2, name="甲")
    other, oids = factory.body(1, name="乙")
    factory.meeting(body.id)
    factory.meeting(other.id)
    with app.app_context(), unit_of_work() as s:
        s.get(Person, oids[0]).name = "成员02"
        s.get(Person, oids[0]).title = "副区长"
    with pytest.raises(Exception) as err, app.app_context(), unit_of_work() as s:
        people_import.merge_people(s, STAFF, ids[1], oids[0])
    assert "两人都已有会议记录" in err.value.message
    with pytest.raises(Exception) as err, app.app_context(), unit_of_work() as s:
        people_import.delete_person(s, STAFF, ids[0])
    assert "已有会议记录" in err.value.message and "不能删除" in err.value.message
    assert len(people(app)) == 3


def test_a_person_without_a_record_is_deleted_with_memberships_and_relations(app, factory):
    body, ids = factory.body(2)
    extra = factory.person("临时", title="科员")
    factory.relation(ids[0], extra.id, "SPOUSE")
    with app.app_context(), unit_of_work() as s:
        setup.set_members(s, STAFF, body.id, setup.MembersIn(person_ids=[*ids, extra.id]))
        people_import.delete_person(s, STAFF, extra.id)
    assert ("临时", "科员") not in people(app) and members(app, body.id) == ["成员01", "成员02"]
    with app.app_context(), read_only() as s:
        assert s.exec(select(Relation)).all() == []
        assert s.exec(select(Event).where(Event.kind == "person.deleted")).one()


# ---------------------------------------------------------------- the people page (HTTP)


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})}, **kw)


def test_the_template_downloads_with_its_columns(staff_http):
    resp = staff_http.get("/people/template.xlsx")
    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    book = load_workbook(io.BytesIO(resp.data))
    assert [c.value for c in book.worksheets[0][1]] == ["姓名", "单位", "职务", "角色"]
    page = staff_http.get("/people").get_data(as_text=True)
    assert 'href="/people/template.xlsx"' in page and 'action="/people/import"' in page


def test_an_uploaded_file_with_errors_is_listed_by_row_then_the_fixed_one_is_stored(staff_http, app, factory):
    body, _ = factory.body(1)
    bad = xlsx([["姓名", "单位", "职务", "角色"], ["张三", "区政府", "区长", "主要负责人"], [None, "区政府", "副区长"]])
    resp = post(staff_http, "/people/import", {"body_id": str(body.id), "file": (io.BytesIO(bad), "名单.xlsx")})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "<li>第3行：缺少姓名</li>" in page and page.count("第3行：缺少姓名") == 1
    assert ("张三", "区长") not in people(app)
    good = xlsx(
        [["姓名", "单位", "职务", "角色"], ["张三", "区政府", "区长", "主要负责人"], ["李四", "区政府", "副区长"]]
    )
    resp = post(staff_http, "/people/import", {"body_id": str(body.id), "file": (io.BytesIO(good), "名单.xlsx")})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/bodies/{body.id}#members")
    assert members(app, body.id) == ["张三", "成员01", "李四"]


def test_a_pasted_list_is_imported_and_kept_on_a_refusal(staff_http, app):
    resp = post(staff_http, "/people/import", {"pasted": "张三\t区政府\t区长\n李四\t区政府\t副区长\t常委"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "第2行：角色“常委”无法识别" in page and "李四\t区政府\t副区长\t常委" in page
    resp = post(staff_http, "/people/import", {"pasted": "张三\t区政府\t区长\n李四\t区政府\t副区长"})
    assert resp.status_code == 303 and people(app) == [("张三", "区长"), ("李四", "副区长")]
    resp = post(staff_http, "/people/import", {"pasted": "  "})
    assert resp.status_code == 400 and "请选择要导入的文件，或粘贴人员名单" in resp.get_data(as_text=True)


def test_the_people_page_merges_and_deletes(staff_http, app, factory):
    body, ids = factory.body(1)
    factory.meeting(body.id)
    a = factory.person("张三", title="科长")
    b = factory.person("张三", title="科长", unit="区财政局")
    page = staff_http.get("/people").get_data(as_text=True)
    assert "可能重复的人员" in page and f'action="/people/{ids[0]}/delete"' not in page  # 成员01 has a seat
    assert post(staff_http, "/people/merge", {"person_id": a.id, "other_id": b.id}).status_code == 303
    assert people(app).count(("张三", "科长")) == 1
    resp = post(staff_http, f"/people/{ids[0]}/delete")
    assert resp.status_code == 409 and "已有会议记录" in resp.get_data(as_text=True)
    assert post(staff_http, f"/people/{a.id}/delete").status_code == 303
    assert ("张三", "科长") not in people(app)
