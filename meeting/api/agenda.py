"""``/api/v1`` routes of the agenda: items, their preparation steps and materials, carrying deferred items over."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request

from .. import setup
from ..db import read_only, unit_of_work
from ..errors import InvalidPayload
from ..http import tell_room
from ..models import AgendaItem, Material
from ..room import load_room
from ..schemas import CarryOverIn, ItemIn, ReorderIn, StepIn
from .kit import _ok, _payload, _staff, endpoint
from .models import ItemOut, MaterialOut, dump
from .present import _agenda, _item, _material

# ---------------------------------------------------------------- agenda


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/items",
    "addItem",
    "增加议题（标题、类别、汇报人、提交单位；干部任免议题列明任免对象）",
    "议题",
    request=ItemIn,
    response_key="item",
    response=ItemOut,
    status=201,
)
def add_item(meeting_id: int):
    actor = _staff()
    data = _payload(ItemIn)
    with unit_of_work() as s:
        item = setup.add_item(s, actor, meeting_id, data)
        s.flush()
        out = _item(s, item)
    tell_room(meeting_id)
    return _ok(201, item=out)


@endpoint(
    "PUT",
    "/items/<int:item_id>",
    "updateItem",
    "修改议题（仅限尚未开始审议的议题）",
    "议题",
    request=ItemIn,
    response_key="item",
    response=ItemOut,
)
def update_item(item_id: int):
    actor = _staff()
    data = _payload(ItemIn)
    with unit_of_work() as s:
        item = setup.update_item(s, actor, item_id, data)
        s.flush()
        out = _item(s, item)
    tell_room(item.meeting_id)
    return _ok(item=out)


@endpoint("DELETE", "/items/<int:item_id>", "deleteItem", "删除议题（仅限尚未开始审议的议题）", "议题")
def delete_item(item_id: int):
    actor = _staff()
    with unit_of_work() as s:
        item = s.get(AgendaItem, item_id)
        meeting_id = item.meeting_id if item else None
        setup.delete_item(s, actor, item_id)
    tell_room(meeting_id)
    return _ok()


@endpoint(
    "PUT",
    "/meetings/<int:meeting_id>/agenda/order",
    "reorderAgenda",
    "调整议程顺序（须列出本次会议的全部议题）",
    "议题",
    request=ReorderIn,
    response_key="agenda",
    response=ItemOut,
    response_list=True,
)
def reorder_agenda(meeting_id: int):
    actor = _staff()
    data = _payload(ReorderIn)
    with unit_of_work() as s:
        setup.reorder_items(s, actor, meeting_id, data.item_ids)
    with read_only() as s:
        room = load_room(s, meeting_id)
        out = _agenda(s, meeting_id, room.body.profile)
    tell_room(meeting_id)
    return _ok(agenda=out)


@endpoint(
    "PUT",
    "/items/<int:item_id>/steps",
    "setStep",
    "登记决策准备环节（合法性审查、专家论证、公众参与、风险评估、部门会商）的情况",
    "议题",
    request=StepIn,
    response_key="item",
    response=ItemOut,
    description="规则配置要求而未完成（或合法性审查未通过）的，议题不得提交会议（国务院令第713号 第26、28条）。",
)
def set_step(item_id: int):
    actor = _staff()
    data = _payload(StepIn)
    with unit_of_work() as s:
        setup.set_step(s, actor, item_id, data)
        s.flush()
        item = setup.get(s, AgendaItem, item_id, "议题")
        out = _item(s, item)
    tell_room(item.meeting_id)
    return _ok(item=out)


@endpoint(
    "POST",
    "/items/<int:item_id>/materials",
    "uploadMaterial",
    "上传议题材料（PDF、图片、纯文本、docx；50 MB 以内），在平板上显示",
    "议题",
    multipart=True,
    response_key="material",
    response=MaterialOut,
    status=201,
)
def upload_material(item_id: int):
    actor = _staff()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidPayload(detail="file: 请以 multipart/form-data 上传文件（字段名 file）")
    data = upload.read()
    with unit_of_work() as s:
        mat = setup.store_material(
            s, actor, item_id, upload.filename or "", upload.mimetype, data, Path(current_app.config["MATERIALS_DIR"])
        )
        meeting_id = s.get(AgendaItem, item_id).meeting_id
        out = dump(MaterialOut, _material(mat))
    tell_room(meeting_id)
    return _ok(201, material=out)


@endpoint(
    "DELETE",
    "/materials/<int:material_id>",
    "deleteMaterial",
    "撤回议题材料（仅限尚未开始审议的议题；书面意见扫描件不能删除）",
    "议题",
    description="材料从议题中移除；文件按内容散列保存，可能为其他议题共用，故不删除文件本身。",
)
def delete_material(material_id: int):
    actor = _staff()
    with unit_of_work() as s:
        mat = setup.get(s, Material, material_id, "材料")  # a written opinion's scan: refused by the service
        meeting_id = setup.get(s, AgendaItem, mat.item_id, "议题").meeting_id
        setup.delete_material(s, actor, material_id)
    tell_room(meeting_id)
    return _ok()


@endpoint(
    "POST",
    "/meetings/<int:meeting_id>/carry-over",
    "carryOver",
    "将暂缓决策的议题列入本次会议议程（保留历次审议记录）",
    "议题",
    request=CarryOverIn,
    response_key="item",
    response=ItemOut,
    status=201,
)
def carry_over(meeting_id: int):
    actor = _staff()
    data = _payload(CarryOverIn)
    with unit_of_work() as s:
        item = setup.carry_over(s, actor, meeting_id, data.item_id)
        s.flush()
        out = _item(s, item)
    tell_room(meeting_id)
    return _ok(201, item=out)
