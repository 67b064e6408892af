"""The status codes as StrEnums: the stored strings are the ones stored before (no data migration), and a status
read back from the database compares equal to its member."""

from __future__ import annotations

from execution.models import (
    CLOSED,
    NOT_STARTED,
    STORED_STATUSES,
    AssignmentStatus,
    ChangeProposal,
    ExtensionRequest,
    ProposalStatus,
    RequestStatus,
    UnitRole,
)
from meeting.models import AgendaItem, ItemStatus, Meeting, MeetingStatus
from minutes.models import DRAFT, Minutes, MinutesStatus


def test_the_stored_strings_are_unchanged():
    assert [*MeetingStatus] == ["scheduled", "in_session", "closed"]
    # the stored strings of earlier releases unchanged; withdrawn (撤回议题) added after them
    assert [*ItemStatus] == ["pending", "open", "voting", "closed", "deferred", "withdrawn"]
    assert [*MinutesStatus] == ["draft", "approved", "archived"] and DRAFT == "draft"
    assert STORED_STATUSES == ("not_started", "in_progress", "completed", "closed") == tuple(AssignmentStatus)
    assert NOT_STARTED == "not_started" and CLOSED == "closed"
    assert [*RequestStatus] == ["pending", "approved", "refused"]
    assert [*ProposalStatus] == ["submitted", "on_agenda", "withdrawn"]
    assert [*UnitRole] == ["lead", "support"]


def test_the_columns_stay_strings_with_the_members_as_defaults():
    for model, status in (
        (Meeting, MeetingStatus.SCHEDULED),
        (AgendaItem, ItemStatus.PENDING),
        (Minutes, MinutesStatus.DRAFT),
        (ExtensionRequest, RequestStatus.PENDING),
        (ChangeProposal, ProposalStatus.SUBMITTED),
    ):
        column = model.__table__.c.status
        assert column.type.length == 16 and not hasattr(column.type, "enums"), model
        assert model.model_fields["status"].default == status and str(status) == status.value


def test_a_status_read_back_equals_its_member(app, factory):
    from sqlmodel import select

    from meeting.db import read_only

    body, _ids = factory.body(3)
    m = factory.meeting(body.id)
    with app.app_context(), read_only() as s:
        stored = s.exec(select(Meeting.status).where(Meeting.id == m.id)).one()
    assert stored == MeetingStatus.SCHEDULED and type(stored) is str
