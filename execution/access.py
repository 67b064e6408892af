"""Who may see and do what on the ledger.

- the supervision office (督查室): accounts of role ``supervisor`` and ``admin`` — everything;
- the secretary (``secretary``): reads the ledger and creates assignments from approved minutes;
- a unit (``unit``, linked by AccountLink to one Unit): only assignments it leads or supports; it files plans,
  progress and requests for those (a supporting unit on its part), nothing else;
- a leader (``leader``, linked by AccountLink.person_id to one Person): the assignments whose responsible or
  coordinating leader is that person (Assignment.leader_person_id / coordinating_person_id — ids, never the printed
  name: two people may share a name); signs off close-out (销号) of those.

A refusal is meeting.errors.PermissionDenied / NotFound: another unit's assignment is reported as not found, so that
its existence is not disclosed either.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.auth import account_actor
from meeting.errors import NotFound, NotSignedIn, PermissionDenied
from meeting.models import Person

from .models import AccountLink, Assignment, AssignmentUnit, Unit

OFFICE_ROLES = ("admin", "supervisor")
CREATOR_ROLES = ("admin", "supervisor", "secretary")


def require_account(s: Session) -> Actor:
    actor = account_actor(s)
    if actor is None:
        raise NotSignedIn()
    return actor


def is_office(actor: Actor) -> bool:
    return actor.role in OFFICE_ROLES


def require_office(actor: Actor) -> None:
    if not is_office(actor):
        raise PermissionDenied()


def require_creator(actor: Actor) -> None:
    if actor.role not in CREATOR_ROLES:
        raise PermissionDenied()


def unit_of(s: Session, actor: Actor) -> Unit | None:
    """The unit a ``unit`` account acts for (None for other roles or an unlinked account)."""
    if actor.role != "unit" or actor.user_id is None:
        return None
    link = s.exec(select(AccountLink).where(AccountLink.user_id == actor.user_id)).first()
    return s.get(Unit, link.unit_id) if link is not None and link.unit_id is not None else None


def leader_of(s: Session, actor: Actor) -> Person | None:
    if actor.role != "leader" or actor.user_id is None:
        return None
    link = s.exec(select(AccountLink).where(AccountLink.user_id == actor.user_id)).first()
    return s.get(Person, link.person_id) if link is not None and link.person_id is not None else None


def visible_ids(s: Session, actor: Actor) -> list[int] | None:
    """The assignment ids this actor may see; None means all (office and secretary)."""
    if actor.role in CREATOR_ROLES:
        return None
    unit = unit_of(s, actor)
    if unit is not None:
        return list(s.exec(select(AssignmentUnit.assignment_id).where(AssignmentUnit.unit_id == unit.id)).all())
    person = leader_of(s, actor)
    if person is not None:
        # by the person's id only: a namesake (a second 刘海军) is another person and sees nothing of this
        return list(
            s.exec(
                select(Assignment.id).where(
                    (Assignment.leader_person_id == person.id) | (Assignment.coordinating_person_id == person.id)
                )
            ).all()
        )
    return []


def person_named(s: Session, name: str) -> int | None:
    """The id of the one person of that name, for linking a newly named leader; None when there is none or
    several (two people called 刘海军: the office picks which one on the assignment page)."""
    name = (name or "").strip()
    if not name:
        return None
    ids = list(s.exec(select(Person.id).where(Person.name == name).limit(2)).all())
    return ids[0] if len(ids) == 1 else None


def unit_role(s: Session, unit_id: int, assignment_id: int) -> str | None:
    """``lead`` | ``support`` | None: the unit's part in the assignment."""
    link = s.exec(
        select(AssignmentUnit).where(AssignmentUnit.assignment_id == assignment_id, AssignmentUnit.unit_id == unit_id)
    ).first()
    return link.role if link is not None else None


def assignment_for(s: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The assignment if this actor may see it; NotFound otherwise (not disclosing another unit's work)."""
    a = s.get(Assignment, assignment_id)
    ids = visible_ids(s, actor)
    if a is None or (ids is not None and a.id not in ids):
        raise NotFound(what="督办事项")
    return a


def units_of_assignments(s: Session, ids: list[int]) -> dict[int, list[tuple[AssignmentUnit, Unit]]]:
    out: dict[int, list[tuple[AssignmentUnit, Unit]]] = {}
    if not ids:
        return out
    for link, unit in s.exec(
        select(AssignmentUnit, Unit)
        .join(Unit, col(Unit.id) == AssignmentUnit.unit_id)
        .where(col(AssignmentUnit.assignment_id).in_(ids))
    ).all():
        out.setdefault(link.assignment_id, []).append((link, unit))
    return out
