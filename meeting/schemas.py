"""Payloads of every action, validated the same way for Socket.IO events, the JSON API and HTML forms.

pydantic models: they also give the JSON Schemas of the OpenAPI document (``/api/v1/openapi.json``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from voting.vocabulary import (
    Attendance,
    BodyKind,
    DecisionMode,
    ItemCategory,
    MeetingKind,
    PreparationStep,
    Stance,
    StepState,
)

from .errors import InvalidPayload

Name = Annotated[str, Field(min_length=1, max_length=64)]
Text200 = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(max_length=2000)]
Id = Annotated[int, Field(ge=1)]
ClientId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


P = TypeVar("P", bound=Payload)


def parse(model: type[P], data: object) -> P:
    """Validate ``data`` or raise :class:`InvalidPayload` with a readable detail (nothing changes)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidPayload(detail="应为 JSON 对象")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
        raise InvalidPayload(detail=f"{where}: {first.get('msg', '')}") from None


# ---------------------------------------------------------------- setup


class BodyIn(Payload):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: BodyKind = BodyKind.GOVERNMENT
    decision_mode: DecisionMode = DecisionMode.MAJORITY
    profile: Annotated[str, Field(min_length=1, max_length=64)] = "seed003"


class PersonIn(Payload):
    name: Name
    title: Annotated[str, Field(max_length=100)] = ""
    unit: Annotated[str, Field(max_length=100)] = ""


class MembersIn(Payload):
    """The body's members in seniority order; the first is the head (区长/书记)."""

    person_ids: Annotated[list[Id], Field(max_length=5000)]

    @field_validator("person_ids")
    @classmethod
    def _unique(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("同一人不能重复列入成员名单")
        return v


class RelationIn(Payload):
    person_a_id: Id
    person_b_id: Id
    type: Annotated[str, Field(min_length=1, max_length=16)]
    reason: Annotated[str, Field(max_length=500)] = ""


class MeetingIn(Payload):
    body_id: Id
    kind: MeetingKind
    session_number: Annotated[int, Field(ge=1, le=100000)]
    starts_at: datetime  # wall-clock time in the configured zone (Asia/Shanghai)
    place: Text200 = ""
    chair_person_id: Id | None = None  # default: the head of the body
    recorder_name: Annotated[str, Field(max_length=64)] = ""
    copy_observers_from_meeting_id: Id | None = None


class ObserverIn(Payload):
    name: Name
    unit: Annotated[str, Field(max_length=100)] = ""
    role: Annotated[str, Field(max_length=64)] = ""


class SubjectIn(Payload):
    person_id: Id
    action: Text200 = ""


class ItemIn(Payload):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    category: ItemCategory
    presenter: Annotated[str, Field(max_length=64)] = ""
    submitting_unit: Annotated[str, Field(max_length=100)] = ""
    summary: Annotated[str, Field(max_length=20000)] = ""
    amount_yuan: Annotated[int, Field(ge=0)] | None = None
    confidential: bool = False
    subjects: Annotated[list[SubjectIn], Field(max_length=200)] = []


class StepIn(Payload):
    step: PreparationStep
    state: StepState
    note: Annotated[str, Field(max_length=500)] = ""


class ReorderIn(Payload):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class CarryOverIn(Payload):
    item_id: Id


# ---------------------------------------------------------------- the live room


class RollCallIn(Payload):
    person_id: Id
    attendance: Attendance
    reason: Text200 = ""


class ItemRef(Payload):
    item_id: Id


class OpinionIn(Payload):
    client_id: ClientId
    item_id: Id
    round: Annotated[int, Field(ge=1)]
    stance: Stance
    reason: Reason = ""


class WrittenOpinionIn(Payload):
    item_id: Id
    person_id: Id | None = None  # required when the secretary enters it; a member's own link fills it
    stance: Stance
    reason: Reason = ""
    client_id: ClientId | None = None


class DeferIn(Payload):
    item_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class HeadDecisionIn(Payload):
    item_id: Id
    adopt: bool
    reason: Reason = ""


class RecusalIn(Payload):
    item_id: Id
    person_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RecusalRemoveIn(Payload):
    item_id: Id
    person_id: Id


class ReconsiderIn(Payload):
    item_id: Id
    agreeing_person_ids: Annotated[list[Id], Field(max_length=5000)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class NotesIn(Payload):
    item_id: Id
    notes: Annotated[str, Field(max_length=20000)]


class Empty(Payload):
    pass
