"""Attendance: the secretary's roll call and a member's own check-in (签到), with times."""

from __future__ import annotations

from sqlmodel import Session, select

from voting.vocabulary import (
    PRESENT_STATES,
    Attendance,
)

from .. import audit
from ..actors import Actor
from ..clock import utcnow
from ..errors import (
    InvalidPayload,
    InvalidState,
    MeetingClosed,
    NotFound,
    PermissionDenied,
)
from ..models import (
    Meeting,
    Seat,
)
from ..schemas import (
    RollCallIn,
)
from .facts import (
    Outcome,
    load_room,
)
from .guards import (
    _require_staff,
)


def roll_call(s: Session, actor: Actor, meeting_id: int, data: RollCallIn) -> Outcome:
    """Record present / late / absent (with reason) / left early, with times."""
    _require_staff(actor)
    room = load_room(s, meeting_id, lock=True)
    if room.meeting.status == "closed":
        raise MeetingClosed()
    seat = room.seat_of(data.person_id)
    if seat is None:
        raise NotFound(what="该成员")
    if data.attendance == Attendance.ABSENT and not data.reason:
        raise InvalidPayload(detail="请假须注明事由")
    _set_attendance(room.meeting, seat, data.attendance, data.reason)
    s.add(seat)
    audit.record(
        s, actor, "attendance.set", meeting_id, person_id=seat.person_id, attendance=seat.attendance, reason=data.reason
    )
    return Outcome(meeting_id, ack={"ok": True, "attendance": seat.attendance}, notify_people=[seat.person_id])


def _set_attendance(meeting: Meeting, seat: Seat, attendance: str, reason: str = "") -> None:
    now = utcnow()
    if attendance in (Attendance.PRESENT, Attendance.LATE):
        # arriving after the meeting opened is "late" whatever was asked
        if meeting.status == "in_session" and seat.attendance not in PRESENT_STATES:
            attendance = Attendance.LATE if seat.arrived_at is None else attendance
        if seat.attendance not in PRESENT_STATES:
            seat.arrived_at = seat.arrived_at or now
        seat.left_at = None
        seat.absence_reason = ""
    elif attendance == Attendance.LEFT:
        if seat.attendance not in PRESENT_STATES:
            raise InvalidState(detail="该成员未在会场，不能登记离席。")
        seat.left_at = now
        seat.absence_reason = reason
    elif attendance == Attendance.ABSENT:
        seat.absence_reason = reason
        seat.arrived_at = None
    else:  # expected
        seat.arrived_at = None
        seat.absence_reason = ""
    seat.attendance = attendance


def check_in(s: Session, actor: Actor) -> Outcome:
    """A member checks in from their own tablet (签到). Only the member's own seat is read, so 3,000 tablets
    checking in (again after every reconnect) stay linear."""
    if not actor.is_seat:
        raise PermissionDenied()
    meeting = s.exec(select(Meeting).where(Meeting.id == actor.meeting_id).with_for_update()).first()
    if meeting is None:
        raise NotFound(what="会议")
    if meeting.status == "closed":
        raise MeetingClosed()
    seat = s.exec(select(Seat).where(Seat.meeting_id == meeting.id, Seat.person_id == actor.person_id)).first()
    if seat is None:
        raise PermissionDenied()
    if seat.attendance in PRESENT_STATES:
        return Outcome(meeting.id, ack={"ok": True, "attendance": seat.attendance}, broadcast=None)
    target = Attendance.LATE if meeting.status == "in_session" else Attendance.PRESENT
    _set_attendance(meeting, seat, target)
    s.add(seat)
    audit.record(s, actor, "attendance.check_in", meeting.id, person_id=seat.person_id, attendance=seat.attendance)
    return Outcome(meeting.id, ack={"ok": True, "attendance": seat.attendance}, notify_people=[seat.person_id])
