"""What a unit's and a leader's home pages show, gathered in the caller's transaction.

A unit's home refreshes the office's notices for today (:func:`execution.supervision.sweep` writes them), so it
is read in a unit of work; a leader's is read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext
from sqlmodel import Session

from meeting.actors import Actor
from meeting.errors import PermissionDenied
from meeting.models import Person

from . import access, closeout, ledger, supervision
from .models import Unit

DUE_WARNINGS = ("red", "yellow", "blue")


@dataclass
class UnitHome:
    unit: Unit
    rows: list[ledger.LedgerRow]
    roles: dict[int, str | None]
    notes: list = field(default_factory=list)
    unread: int = 0

    @property
    def due(self) -> list[ledger.LedgerRow]:
        return [r for r in self.rows if r.warning in DUE_WARNINGS]


@dataclass
class LeaderHome:
    person: Person
    rows: list[ledger.LedgerRow]
    signed: set[int]

    @property
    def to_sign(self) -> list[ledger.LedgerRow]:
        return [r for r in self.rows if r.assignment.status == "completed" and r.assignment.id not in self.signed]


def unit_home(s: Session, actor: Actor, day: date) -> UnitHome:
    """The unit's assignments (and its role in each), and the office's latest notices to it."""
    unit = access.unit_of(s, actor)
    if unit is None:
        raise PermissionDenied(gettext("本账号未关联执行单位，请联系督查室。"))
    ids = access.visible_ids(s, actor) or []
    home = UnitHome(
        unit=unit, rows=ledger.rows(s, day, only_ids=ids), roles={aid: access.unit_role(s, unit.id, aid) for aid in ids}
    )
    supervision.sweep(s, day)
    home.notes, home.unread = supervision.notifications_for(s, unit.id, limit=10), supervision.unread_count(s, unit.id)
    return home


def leader_home(s: Session, actor: Actor, day: date) -> LeaderHome:
    """The leader's assignments, and which of those completed still wait for his signature."""
    person = access.leader_of(s, actor)
    if person is None:
        raise PermissionDenied(gettext("本账号未关联分管领导，请联系督查室。"))
    rows = ledger.rows(s, day, only_ids=access.visible_ids(s, actor) or [])
    signed = {so.assignment_id for so in (closeout.signoff_of(s, r.assignment.id) for r in rows) if so}
    return LeaderHome(person=person, rows=rows, signed=signed)
