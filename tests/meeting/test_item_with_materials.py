"""A new item with its preparation steps and materials on its own form, before it exists: one multipart request,
one service call (setup.add_prepared_item), one transaction — a refused file leaves no item behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import select

from meeting import setup
from meeting.db import read_only, unit_of_work
from meeting.errors import YishiError
from meeting.models import AgendaItem, Event, ItemStep, Material
from meeting.schemas import ItemIn, StepIn
from tests.factories import STAFF

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def stored(app, model, **where):
    with app.app_context(), read_only() as s:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(s.exec(q).all())


def test_the_service_stores_the_item_its_steps_and_materials_at_once(app, factory, tmp_path):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    with app.app_context(), unit_of_work() as s:
        item, mats = setup.add_prepared_item(
            s,
            STAFF,
            m.id,
            ItemIn(title="关于制定停车管理办法的议题", category="major_decision"),
            [StepIn(step="legality_review", state="done", note="司法局已审查")],
            [("方案.pdf", "application/pdf", PDF), ("说明.txt", "text/plain", "说明".encode())],
            tmp_path / "materials",
        )
        item_id = item.id
    assert [x.filename for x in stored(app, Material, item_id=item_id)] == ["方案.pdf", "说明.txt"]
    (step,) = stored(app, ItemStep, item_id=item_id, step="legality_review")
    assert (step.state, step.note) == ("done", "司法局已审查")
    assert len(list((tmp_path / "materials").iterdir())) == 2


def test_a_refused_file_leaves_no_item(app, factory, tmp_path):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    with pytest.raises(YishiError) as err, app.app_context(), unit_of_work() as s:
        setup.add_prepared_item(
            s,
            STAFF,
            m.id,
            ItemIn(title="关于某事的议题", category="other"),
            [],
            [("方案.pdf", "application/pdf", PDF), ("假的.pdf", "application/pdf", b"not a pdf")],
            tmp_path / "materials",
        )
    assert "文件内容不是 PDF" in err.value.message
    assert stored(app, AgendaItem) == [] and stored(app, Material) == []
    assert [e for e in stored(app, Event) if e.kind.startswith(("item.", "material."))] == []


def test_the_item_form_takes_steps_and_files_before_the_item_is_saved(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    page = staff_http.get(f"/meetings/{m.id}/items/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="files"' in page and 'name="state_legality_review"' in page
    form = {
        "csrf_token": staff_http.csrf,
        "title": "关于专项资金安排的议题",
        "category": "large_funds",
        "amount_yuan": "1850万元",
        "state_legality_review": "done",
        "note_legality_review": "已审查",
        "state_risk_assessment": "not_applicable",
        "files": [(io.BytesIO(PDF), "方案.pdf"), (io.BytesIO("测算".encode()), "测算.txt")],
    }
    resp = staff_http.post(f"/meetings/{m.id}/items", data=form, content_type="multipart/form-data")
    assert resp.status_code == 303
    (item,) = stored(app, AgendaItem)
    assert item.amount_yuan == 18_500_000
    assert sorted(x.filename for x in stored(app, Material, item_id=item.id)) == ["方案.pdf", "测算.txt"]
    states = {st.step: st.state for st in stored(app, ItemStep, item_id=item.id)}
    assert states["legality_review"] == "done" and states["risk_assessment"] == "not_applicable"
    assert Path(app.config["MATERIALS_DIR"]).is_dir()
    shown = staff_http.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已添加议题“关于专项资金安排的议题”及2份材料。" in shown


def test_a_bad_file_on_the_form_is_said_once_and_nothing_is_stored(staff_http, app, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    form = {
        "csrf_token": staff_http.csrf,
        "title": "关于某事的议题",
        "category": "other",
        "note_legality_review": "写了说明",
        "state_legality_review": "done",
        "files": [(io.BytesIO(b"MZ\x90\x00"), "程序.exe")],
    }
    resp = staff_http.post(f"/meetings/{m.id}/items", data=form, content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and page.count("仅支持 PDF、图片、纯文本和 docx 材料") == 1
    assert 'value="关于某事的议题"' in page and 'value="写了说明"' in page  # what was typed stays
    assert stored(app, AgendaItem) == [] and stored(app, Material) == []
