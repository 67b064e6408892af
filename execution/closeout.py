"""Close-out (销号, seed 004: 清单式、滚动式、销号式): only an assignment the lead unit reported done (已办结), with
the responsible leader's sign-off and evidence — signed by the leader in the app, or the signed paper recorded by the
office with its scan — then closed by the supervision office. Closed rows stay in the ledger.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.clock import utcnow
from meeting.errors import PermissionDenied

from . import access, attachments
from .audit import record_event
from .errors import (
    AlreadySigned,
    AssignmentClosed,
    DateInFuture,
    DeadlineBeforeDecision,
    EvidenceRequired,
    NoResponsibleLeader,
    NotCompleted,
    NotResponsibleLeader,
    SignOffRequired,
)
from .ledger import STATUS_LABELS, display_status
from .models import CLOSED, COMPLETED, Assignment, SignOff
from .reports import cn


def leaders_of(a: Assignment) -> list[str]:
    return [x for x in (a.responsible_leader, a.coordinating_leader) if x]


def _completed(a: Assignment, today: date, what: str) -> None:
    if a.status == CLOSED:
        raise AssignmentClosed(number=a.number, what=what)
    if a.status != COMPLETED:
        raise NotCompleted(number=a.number, status=STATUS_LABELS[display_status(a, today)], what=what)


def sign_off(
    s: Session,
    actor: Actor,
    assignment_id: int,
    leader: str,
    signed_on: date,
    opinion: str,
    files: list[attachments.Upload],
    folder: Path,
    today: date,
) -> SignOff:
    """The responsible (or coordinating) leader's sign-off, with at least one evidence file.

    A leader account signs for itself (its linked person — by id — must be this assignment's responsible or
    coordinating leader); the office records a paper sign-off naming the leader (default: the responsible leader).
    The sign-off names the person: their name and, when the assignment links one, their person id."""
    a = access.assignment_for(s, actor, assignment_id)
    _completed(a, today, "签字确认销号")
    existing = s.exec(select(SignOff).where(SignOff.assignment_id == a.id)).first()
    if existing is not None:
        raise AlreadySigned(number=a.number, leader=existing.leader)
    if not leaders_of(a):
        raise NoResponsibleLeader(number=a.number)
    person = access.leader_of(s, actor)
    if person is not None:  # by id: a namesake's account is another person (and does not even see the row)
        if person.id not in (a.leader_person_id, a.coordinating_person_id):
            raise NotResponsibleLeader(leaders="、".join(leaders_of(a)))
        leader, person_id = person.name, person.id
    elif access.is_office(actor):
        leader = (leader or a.responsible_leader).strip()
        if leader not in leaders_of(a):
            raise NotResponsibleLeader(leaders="、".join(leaders_of(a)))
        person_id = a.leader_person_id if leader == a.responsible_leader else a.coordinating_person_id
    else:
        raise PermissionDenied()
    if signed_on > today:
        raise DateInFuture(what="签字日期", today=cn(today))
    if signed_on < a.decided_on:
        raise DeadlineBeforeDecision(what="签字日期", decided_on=cn(a.decided_on))
    if not files:
        raise EvidenceRequired()
    for up in files:
        attachments.check(up)
    so = SignOff(
        assignment_id=a.id,
        leader=leader[:64],
        person_id=person_id,
        signed_on=signed_on,
        opinion=opinion,
        recorded_by=actor.name[:64],
    )
    s.add(so)
    s.flush()
    stored = attachments.store_all(s, actor, "signoff", so.id, files, folder)
    record_event(
        s,
        actor,
        "signoff.recorded",
        a.id,
        signoff_id=so.id,
        leader=so.leader,
        person_id=so.person_id,
        signed_on=signed_on,
        in_app=person is not None,
        files=[{"name": x.filename, "sha256": x.sha256} for x in stored],
    )
    return so


def signoff_of(s: Session, assignment_id: int) -> SignOff | None:
    return s.exec(select(SignOff).where(SignOff.assignment_id == assignment_id).order_by(col(SignOff.id))).first()


def close(s: Session, actor: Actor, assignment_id: int, today: date) -> Assignment:
    """销号 by the supervision office: 已办结 + the leader's sign-off with evidence → 已销号 (closed_by, closed_at)."""
    access.require_office(actor)
    a = access.assignment_for(s, actor, assignment_id)
    _completed(a, today, "销号")
    so = signoff_of(s, a.id)
    if so is None or not attachments.of(s, "signoff", [so.id]):
        raise SignOffRequired(number=a.number)
    a.status, a.closed_at, a.closed_by = CLOSED, utcnow(), actor.name[:64]
    s.add(a)
    record_event(s, actor, "assignment.closed", a.id, signoff_id=so.id, leader=so.leader)
    return a
