"""Agenda items on a meeting's setup page: add, edit, delete, reorder (drag and drop or up/down), their
preparation steps and materials, and carrying over an item deferred at an earlier meeting.

Thin: read the form → ``schemas.parse`` → the service in :mod:`meeting.setup` → tell the room → redirect with a
message; a refusal is shown with what was typed.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlmodel import col, select

from voting.vocabulary import PreparationStep

from . import room as room_mod
from . import setup
from .auth import check_csrf, login_required, require_staff
from .db import read_only, unit_of_work
from .errors import InvalidPayload, NotFound, YishiError
from .http import tell_room
from .meeting_setup_views import setup_page
from .models import AgendaItem, ItemSubject, Material
from .schemas import CarryOverIn, ItemIn, ReorderIn, StepIn, parse
from .setup_pages import all_people, bp, done, form_amount, form_int, setup_url
from .state import meeting_title

# ---------------------------------------------------------------- agenda items


def _item_form(form) -> dict:
    subjects = [
        {"person_id": form_int(pid), "action": action}
        for pid, action in zip(form.getlist("subject_person_id"), form.getlist("subject_action"), strict=False)
        if pid.strip()
    ]
    return {
        "title": form.get("title", ""),
        "category": form.get("category", ""),
        "presenter": form.get("presenter", ""),
        "submitting_unit": form.get("submitting_unit", ""),
        "summary": form.get("summary", ""),
        "amount_yuan": form_amount(form.get("amount_yuan")),
        "confidential": form.get("confidential") == "1",
        "subjects": subjects,
    }


def _item_page(meeting_id: int, item: AgendaItem | None = None, error: YishiError | None = None, form=None):
    with read_only() as s:
        room = room_mod.load_room(s, meeting_id)
        people = all_people(s)
        subjects = (
            s.exec(select(ItemSubject).where(ItemSubject.item_id == item.id).order_by(col(ItemSubject.id))).all()
            if item
            else []
        )
    if form is not None:
        subject_rows = [
            (form_int(p), a)
            for p, a in zip(form.getlist("subject_person_id"), form.getlist("subject_action"), strict=False)
        ]
        subject_rows = [r for r in subject_rows if r[0]]
    else:
        subject_rows = [(x.person_id, x.action) for x in subjects]
    return render_template(
        "item_form.html",
        meeting=room.meeting,
        title=meeting_title(room),
        profile=room.profile,
        item=item,
        people=people,
        member_ids=room.member_ids,
        subject_rows=subject_rows + [(None, "")] * 2,
        steps=list(PreparationStep),
        error=error,
        form=form,
    ), (error.http_status if error else 200)


@bp.get("/meetings/<int:meeting_id>/items/new")
@login_required
def item_new(meeting_id: int):
    return _item_page(meeting_id)


def _steps_form(form) -> list[StepIn]:
    return [
        parse(
            StepIn,
            {"step": step.value, "state": form.get(f"state_{step.value}"), "note": form.get(f"note_{step.value}", "")},
        )
        for step in PreparationStep
        if form.get(f"state_{step.value}") is not None
    ]


def _uploads(files) -> list[tuple[str, str, bytes]]:
    """The chosen files of a form (``files``, several), each with its type as the browser said or as its name
    says when the browser did not."""
    out = []
    for upload in files:
        if upload is None or not upload.filename:
            continue
        content_type = upload.mimetype or ""
        if content_type in ("", "application/octet-stream"):
            content_type = mimetypes.guess_type(upload.filename)[0] or content_type
        out.append((upload.filename, content_type, upload.read()))
    return out


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def item_create(meeting_id: int):
    """The item with its preparation steps and materials (a multipart form), stored in one transaction."""
    check_csrf()
    try:
        data = parse(ItemIn, _item_form(request.form))
        steps = _steps_form(request.form)
        files = _uploads(request.files.getlist("files"))
        with unit_of_work() as s:
            item, materials = setup.add_prepared_item(
                s, require_staff(s), meeting_id, data, steps, files, Path(current_app.config["MATERIALS_DIR"])
            )
    except YishiError as err:
        return _item_page(meeting_id, None, err, request.form)
    tell_room(meeting_id)
    if materials:
        message = _("已添加议题“%(title)s”及%(n)d份材料。", title=item.title, n=len(materials))
    else:
        message = _("已添加议题“%(title)s”。请登记决策准备情况并上传材料。", title=item.title)
    return done(message, setup_url(meeting_id, f"item-{item.id}"))


def _item_or_404(item_id: int) -> AgendaItem:
    with read_only() as s:
        item = s.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(what=pgettext("what", "议题"))
    return item


@bp.get("/items/<int:item_id>/edit")
@login_required
def item_edit(item_id: int):
    item = _item_or_404(item_id)
    return _item_page(item.meeting_id, item)


@bp.post("/items/<int:item_id>")
@login_required
def item_update(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    try:
        data = parse(ItemIn, _item_form(request.form))
        with unit_of_work() as s:
            setup.update_item(s, require_staff(s), item_id, data)
    except YishiError as err:
        return _item_page(item.meeting_id, item, err, request.form)
    tell_room(item.meeting_id)
    return done(_("已保存议题。"), setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/items/<int:item_id>/delete")
@login_required
def item_delete(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    try:
        with unit_of_work() as s:
            setup.delete_item(s, require_staff(s), item_id)
    except YishiError as err:
        return setup_page(item.meeting_id, err, None, f"item-{item_id}")
    tell_room(item.meeting_id)
    return done(_("已删除议题“%(title)s”。", title=item.title), setup_url(item.meeting_id, "agenda"))


@bp.post("/meetings/<int:meeting_id>/agenda/order")
@login_required
def agenda_order(meeting_id: int):
    """The new order from drag and drop (JSON ``{"item_ids": […]}`` and X-CSRF-Token) or a form."""
    as_json = request.is_json
    try:
        check_csrf()
        raw = (
            (request.get_json(silent=True) or {})
            if as_json
            else {"item_ids": [form_int(x) for x in request.form.getlist("item_ids")]}
        )
        data = parse(ReorderIn, raw)
        with unit_of_work() as s:
            setup.reorder_items(s, require_staff(s), meeting_id, data.item_ids)
    except YishiError as err:
        if as_json:
            return jsonify(err.to_dict()), err.http_status
        return setup_page(meeting_id, err, None, "agenda")
    tell_room(meeting_id)
    if as_json:
        return jsonify({"ok": True, "item_ids": data.item_ids, "message": _("已保存议题顺序。")})
    return done(_("已保存议题顺序。"), setup_url(meeting_id, "agenda"))


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/move")
@login_required
def item_move(meeting_id: int, item_id: int):
    """Up/down buttons: the keyboard-accessible way to reorder (same service as drag and drop)."""
    check_csrf()
    shift = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    try:
        if shift is None:
            raise InvalidPayload(detail=_("移动方向须为上移或下移"))
        with unit_of_work() as s:
            setup.move_item(s, require_staff(s), meeting_id, item_id, shift)
    except YishiError as err:
        return setup_page(meeting_id, err, None, "agenda")
    tell_room(meeting_id)
    return done(_("已调整议题顺序。"), setup_url(meeting_id, "agenda"))


@bp.post("/items/<int:item_id>/steps")
@login_required
def item_steps(item_id: int):
    """The five preparation steps of one item; only the changed ones are recorded."""
    check_csrf()
    item = _item_or_404(item_id)
    form = request.form
    try:
        wanted = _steps_form(form)
        with unit_of_work() as s:
            changed = setup.set_steps(s, require_staff(s), item_id, wanted)
    except YishiError as err:
        return setup_page(item.meeting_id, err, form, f"item-{item_id}")
    if changed:
        tell_room(item.meeting_id)
    message = _("已保存决策准备情况（%(n)d项变更）。", n=changed) if changed else _("决策准备情况没有变化。")
    return done(message, setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/items/<int:item_id>/materials")
@login_required
def item_material(item_id: int):
    check_csrf()
    item = _item_or_404(item_id)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidPayload(detail=_("请选择要上传的文件"))
        content_type = upload.mimetype or ""
        if content_type in ("", "application/octet-stream"):
            content_type = mimetypes.guess_type(upload.filename)[0] or content_type
        data = upload.read()
        with unit_of_work() as s:
            mat = setup.store_material(
                s,
                require_staff(s),
                item_id,
                upload.filename,
                content_type,
                data,
                Path(current_app.config["MATERIALS_DIR"]),
            )
    except YishiError as err:
        return setup_page(item.meeting_id, err, None, f"item-{item_id}")
    tell_room(item.meeting_id)
    return done(_("已上传材料“%(name)s”。", name=mat.filename), setup_url(item.meeting_id, f"item-{item_id}"))


@bp.post("/materials/<int:material_id>/delete")
@login_required
def material_delete(material_id: int):
    """Withdraw a material from an item not yet discussed (the service refuses once the item has opened)."""
    check_csrf()
    with read_only() as s:
        mat = s.get(Material, material_id)
        item = s.get(AgendaItem, mat.item_id) if mat is not None else None
    if mat is None or item is None:
        raise NotFound(what=pgettext("what", "材料"))
    here = f"item-{item.id}"
    try:
        with unit_of_work() as s:
            setup.delete_material(s, require_staff(s), material_id)
    except YishiError as err:
        return setup_page(item.meeting_id, err, None, here)
    tell_room(item.meeting_id)
    return done(_("已删除材料“%(name)s”。", name=mat.filename), setup_url(item.meeting_id, here))


@bp.post("/meetings/<int:meeting_id>/carry-over")
@login_required
def item_carry_over(meeting_id: int):
    """One click: a deferred item of an earlier meeting joins this agenda with its history."""
    check_csrf()
    try:
        data = parse(CarryOverIn, {"item_id": form_int(request.form.get("item_id"))})
        with unit_of_work() as s:
            item = setup.carry_over(s, require_staff(s), meeting_id, data.item_id)
    except YishiError as err:
        return setup_page(meeting_id, err, None, "deferred")
    tell_room(meeting_id)
    return done(_("已将暂缓议题“%(title)s”列入本次议程。", title=item.title), setup_url(meeting_id, f"item-{item.id}"))
