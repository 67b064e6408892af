"""``/api/v1/execution`` routes of the executing units and their accounts (the supervision office's)."""

from __future__ import annotations

from meeting.api import _json_body, _ok, dump, endpoint
from meeting.db import read_only, unit_of_work

from .. import access, units
from ..schemas import AccountIn, AccountUpdateIn, UnitIn, parse
from .models import AccountOut, UnitOut
from .present import TAG, P, _account


@endpoint(
    "GET", f"{P}/units", "listUnits", "执行单位列表", TAG, response_key="units", response=UnitOut, response_list=True
)
def list_units():
    actor = _account()
    access.require_creator(actor)
    with read_only() as s:
        return _ok(units=[dump(UnitOut, r.unit) for r in units.unit_rows(s)])


@endpoint(
    "POST",
    f"{P}/units",
    "createUnit",
    "督查室新增执行单位",
    TAG,
    request=UnitIn,
    response_key="unit",
    response=UnitOut,
    status=201,
)
def create_unit():
    actor = _account()
    data = parse(UnitIn, _json_body())
    with unit_of_work() as s:
        u = units.create_unit(s, actor, data)
    return _ok(201, unit=dump(UnitOut, u))


@endpoint(
    "PUT",
    f"{P}/units/<int:unit_id>",
    "updateUnit",
    "督查室修改执行单位（名称、启用）",
    TAG,
    request=UnitIn,
    response_key="unit",
    response=UnitOut,
)
def update_unit(unit_id: int):
    actor = _account()
    data = parse(UnitIn, _json_body())
    with unit_of_work() as s:
        u = units.update_unit(s, actor, unit_id, data)
    return _ok(unit=dump(UnitOut, u))


@endpoint(
    "POST",
    f"{P}/accounts",
    "createAccount",
    "督查室新增执行单位账号（关联单位）或分管领导账号（关联人员）",
    TAG,
    request=AccountIn,
    response_key="account",
    response=AccountOut,
    status=201,
)
def create_account():
    actor = _account()
    data = parse(AccountIn, _json_body())
    with unit_of_work() as s:
        u = units.create_account(s, actor, data)
    return _ok(201, account=dump(AccountOut, u))


@endpoint(
    "PUT",
    f"{P}/accounts/<int:user_id>",
    "updateAccount",
    "督查室停用、启用账号或重设密码",
    TAG,
    request=AccountUpdateIn,
    response_key="account",
    response=AccountOut,
)
def update_account(user_id: int):
    actor = _account()
    data = parse(AccountUpdateIn, _json_body())
    with unit_of_work() as s:
        u = units.update_account(s, actor, user_id, data)
    return _ok(account=dump(AccountOut, u))
