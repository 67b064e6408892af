"""The API's response models: every answer is serialised through one of these explicit ``…Out`` models (no password
hashes; personal-link tokens only in the answer that issues them), and the OpenAPI document takes their JSON
Schemas (mode "serialization") from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from voting.vocabulary import (
    Attendance,
    BodyKind,
    DecisionMode,
    ItemCategory,
    MeetingKind,
    PreparationStep,
    StepState,
)

from ..clock import iso_utc

UtcTime = Annotated[
    datetime,
    PlainSerializer(iso_utc, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "description": "UTC, ISO 8601, e.g. 2023-12-09T01:00:00Z"}
    ),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BodyOut(Out):
    id: int
    name: str
    kind: BodyKind
    decision_mode: DecisionMode
    profile: str
    floor_requests: bool
    speaking_limit_minutes: int
    created_at: UtcTime


class MemberOut(Out):
    """A member of a body; seniority 1 is the head (区长/书记)."""

    person_id: int
    name: str
    title: str
    unit: str
    seniority: int


class BodyDetailOut(BodyOut):
    members: list[MemberOut]


class PersonOut(Out):
    id: int
    name: str
    title: str
    unit: str
    created_at: UtcTime


class RelationOut(Out):
    id: int
    person_a_id: int
    person_b_id: int
    type: str
    reason: str
    created_at: UtcTime


class MeetingOut(Out):
    id: int
    body_id: int
    title: str
    kind: MeetingKind
    session_number: int
    starts_at: UtcTime
    place: str
    chair_person_id: int
    delegated_by_person_id: int | None
    recorder_name: str
    status: str  # scheduled | in_session | closed
    opened_at: UtcTime | None
    closed_at: UtcTime | None
    created_at: UtcTime


class SeatOut(Out):
    """A member's place at the meeting. The personal link is stored hashed: see issueLinks."""

    person_id: int
    name: str
    title: str
    seniority: int
    is_chair: bool
    attendance: Attendance
    absence_reason: str
    arrived_at: UtcTime | None
    left_at: UtcTime | None
    connected: bool


class ObserverOut(Out):
    id: int
    meeting_id: int
    name: str
    unit: str
    role: str


class ObserverLinkOut(ObserverOut):
    pass


class IssuedLinkOut(Out):
    """One newly issued personal link: shown in this answer only (only its SHA-256 is stored)."""

    kind: Literal["member", "observer", "projector"]
    person_id: int | None = None
    observer_id: int | None = None
    name: str
    token: str
    link: str


class SubjectOut(Out):
    person_id: int
    name: str
    action: str


class StepOut(Out):
    step: PreparationStep
    state: StepState
    note: str
    updated_at: UtcTime


class MaterialOut(Out):
    id: int
    item_id: int
    kind: str  # material | written_opinion
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: UtcTime
    url: str


class ItemOut(Out):
    id: int
    meeting_id: int
    position: int
    title: str
    category: ItemCategory
    presenter: str
    submitting_unit: str
    summary: str
    amount_yuan: int | None
    confidential: bool
    status: str  # pending | open | voting | closed | deferred
    round: int
    result: str | None  # of the current round: passed | not_passed | deferred | head_adopted | head_rejected
    carried_from_item_id: int | None
    notes: str
    subjects: list[SubjectOut]
    steps: list[StepOut]
    missing_steps: list[PreparationStep]  # required by the rule profile and not done: the item cannot be opened
    materials: list[MaterialOut]


class HistoryOut(Out):
    item_id: int
    meeting_id: int
    session_number: int | None
    starts_at: UtcTime | None
    status: str
    defer_reason: str
    result: str | None


class DeferredItemOut(ItemOut):
    history: list[HistoryOut]


class MeetingDetailOut(MeetingOut):
    roster: list[SeatOut]
    observers: list[ObserverLinkOut]
    agenda: list[ItemOut]


class EventActorOut(Out):
    kind: str  # user | api | member | chair | observer | projector | system
    id: int | None
    name: str
    device: str


class EventOut(Out):
    id: int
    meeting_id: int | None
    at: UtcTime
    actor: EventActorOut
    kind: str
    payload: dict[str, Any]


def dump(model: type[Out], obj: object) -> dict:
    return model.model_validate(obj).model_dump(mode="json")
