"""Units (执行单位) and the accounts of units and leaders, managed by the supervision office.

A unit account is linked to one unit and sees only that unit's assignments; a leader account is linked to a person
(分管领导) and sees the assignments it leads. Accounts of the office itself (督查室) and secretaries are made by an
administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from meeting.actors import Actor
from meeting.auth import account_deactivated, hash_password, password_changed
from meeting.errors import NotFound, PermissionDenied
from meeting.models import Person, User

from . import access
from .audit import record_event
from .errors import AccountLinkMissing, DuplicateName
from .models import AccountLink, AssignmentUnit, Unit
from .schemas import AccountIn, AccountUpdateIn, UnitIn

LINKED_ROLES = ("unit", "leader")


def create_unit(s: Session, actor: Actor, data: UnitIn) -> Unit:
    access.require_office(actor)
    if s.exec(select(Unit).where(Unit.name == data.name)).first():
        raise DuplicateName(name=data.name)
    unit = Unit(name=data.name, active=data.active)
    s.add(unit)
    s.flush()
    record_event(s, actor, "unit.created", None, unit_id=unit.id, name=unit.name)
    return unit


def update_unit(s: Session, actor: Actor, unit_id: int, data: UnitIn) -> Unit:
    access.require_office(actor)
    unit = s.get(Unit, unit_id)
    if unit is None:
        raise NotFound(what="单位")
    other = s.exec(select(Unit).where(Unit.name == data.name, Unit.id != unit_id)).first()
    if other is not None:
        raise DuplicateName(name=data.name)
    before = {"name": unit.name, "active": unit.active}
    unit.name, unit.active = data.name, data.active
    s.add(unit)
    record_event(s, actor, "unit.updated", None, unit_id=unit.id, before=before, after=data.model_dump())
    return unit


def create_account(s: Session, actor: Actor, data: AccountIn) -> User:
    """A unit account (linked to a unit) or a leader account (linked to a person); an administrator also makes the
    office's and secretaries' accounts."""
    access.require_office(actor)
    if data.role not in LINKED_ROLES and actor.role != "admin":
        raise PermissionDenied()
    if s.exec(select(User).where(User.username == data.username)).first():
        raise DuplicateName(name=data.username)
    if data.role == "unit":
        if data.unit_id is None:
            raise AccountLinkMissing(role="执行单位", what="单位")
        if s.get(Unit, data.unit_id) is None:
            raise NotFound(what="单位")
    if data.role == "leader":
        if data.person_id is None:
            raise AccountLinkMissing(role="分管领导", what="人员")
        if s.get(Person, data.person_id) is None:
            raise NotFound(what="人员")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role,
    )
    s.add(user)
    s.flush()
    if data.role in LINKED_ROLES:
        s.add(
            AccountLink(
                user_id=user.id,
                unit_id=data.unit_id if data.role == "unit" else None,
                person_id=data.person_id if data.role == "leader" else None,
            )
        )
    record_event(
        s,
        actor,
        "account.created",
        None,
        user_id=user.id,
        username=user.username,
        role=user.role,
        unit_id=data.unit_id,
        person_id=data.person_id,
    )
    return user


def update_account(s: Session, actor: Actor, user_id: int, data: AccountUpdateIn) -> User:
    """Deactivate / reactivate an account or set a new password."""
    access.require_office(actor)
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(what="账号")
    if user.role not in LINKED_ROLES and actor.role != "admin":
        raise PermissionDenied()
    if user.id == actor.user_id and data.active is False:
        raise PermissionDenied("不能停用自己正在使用的账号。")
    if data.active is not None:  # not given: unchanged
        user.active = data.active
        if not data.active:  # its sign-ins, sockets and API tokens end with this transaction
            account_deactivated(s, user)
    if data.password:
        user.password_hash = hash_password(data.password)
        password_changed(s, user)  # every sign-in with the old password ends
    s.add(user)
    record_event(
        s, actor, "account.updated", None, user_id=user.id, active=user.active, password_changed=bool(data.password)
    )
    return user


@dataclass
class UnitRow:
    unit: Unit
    accounts: list[User]
    leads: int
    supports: int


@dataclass
class AccountRow:
    user: User
    unit: Unit | None
    person: Person | None


def unit_rows(s: Session) -> list[UnitRow]:
    units = list(s.exec(select(Unit).order_by(col(Unit.name))))
    counts: dict[tuple[int, str], int] = {}
    for unit_id, role, n in s.exec(
        select(AssignmentUnit.unit_id, AssignmentUnit.role, func.count()).group_by(
            AssignmentUnit.unit_id, AssignmentUnit.role
        )
    ):
        counts[(unit_id, role)] = n
    accounts: dict[int, list[User]] = {}
    for link, user in s.exec(
        select(AccountLink, User)
        .join(User, col(User.id) == AccountLink.user_id)
        .where(col(AccountLink.unit_id).is_not(None))
    ):
        accounts.setdefault(link.unit_id, []).append(user)
    return [
        UnitRow(u, accounts.get(u.id, []), counts.get((u.id, "lead"), 0), counts.get((u.id, "support"), 0))
        for u in units
    ]


def account_rows(s: Session) -> list[AccountRow]:
    links = {link.user_id: link for link in s.exec(select(AccountLink))}
    out = []
    for user in s.exec(select(User).order_by(col(User.role), col(User.username))):
        link = links.get(user.id)
        out.append(
            AccountRow(
                user,
                s.get(Unit, link.unit_id) if link and link.unit_id else None,
                s.get(Person, link.person_id) if link and link.person_id else None,
            )
        )
    return out
