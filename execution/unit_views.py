"""Units and accounts (the office): the list, a new unit or account, and changes to them."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext
from sqlmodel import col, select

from meeting.db import read_only, unit_of_work
from meeting.http import form_data, signed_in
from meeting.models import Person

from . import access, units
from .pages import LABELS, actor_now, bp, posted
from .schemas import AccountIn, AccountUpdateIn, UnitIn, parse


@bp.get("/units")
@signed_in
def units_page():
    actor = actor_now()
    access.require_office(actor)
    with read_only() as s:
        rows = units.unit_rows(s)
        accounts = units.account_rows(s)
        people = list(s.exec(select(Person).order_by(col(Person.name))))
    return render_template(
        "execution/units.html", rows=rows, accounts=accounts, people=people, labels=LABELS, actor=actor
    )


def _units_page(*_, **__) -> str:
    return url_for("execution.units_page")


@bp.post("/units")
@posted(_units_page)
def unit_create():
    actor = actor_now()
    data = parse(UnitIn, {**form_data("name"), "active": True})
    with unit_of_work() as s:
        u = units.create_unit(s, actor, data)
    return gettext("已新增单位：%(name)s", name=u.name)


@bp.post("/units/<int:unit_id>")
@posted(_units_page)
def unit_update(unit_id: int):
    actor = actor_now()
    data = parse(UnitIn, form_data("name", bools=("active",)))
    with unit_of_work() as s:
        u = units.update_unit(s, actor, unit_id, data)
    return gettext("已保存：%(name)s", name=u.name)


@bp.post("/accounts")
@posted(_units_page)
def account_create():
    actor = actor_now()
    data = form_data("username", "display_name", "password", "role", "unit_id", "person_id")
    if data.get("role") != "unit":
        data.pop("unit_id", None)
    if data.get("role") != "leader":
        data.pop("person_id", None)
    payload = parse(AccountIn, data)
    with unit_of_work() as s:
        u = units.create_account(s, actor, payload)
    return gettext("已新增账号：%(name)s", name=u.username)


@bp.post("/accounts/<int:user_id>")
@posted(_units_page)
def account_update(user_id: int):
    actor = actor_now()
    data = parse(AccountUpdateIn, form_data("password", bools=("active",)))
    with unit_of_work() as s:
        u = units.update_account(s, actor, user_id, data)
    return gettext("已保存账号：%(name)s", name=u.username)
