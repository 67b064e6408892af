"""The execution API's response models (``…Out``): what the OpenAPI document describes and every answer is
serialised through."""

from __future__ import annotations

from datetime import date
from typing import Any

from meeting.api import Out, UtcTime


class UnitPartOut(Out):
    unit_id: int
    name: str
    role: str  # lead | support
    part: str


class AssignmentOut(Out):
    id: int
    number: str
    source: str
    meeting_id: int | None
    item_id: int | None
    npc_case_id: int | None
    title: str
    decided_text: str
    category: str
    decided_on: date
    responsible_leader: str
    coordinating_leader: str
    person_responsible: str
    lead_unit: str
    supporting_units: list[str]
    deadline: date | None
    original_deadline: date | None
    plan_due: date | None
    status: str  # not_started | in_progress | completed | overdue | closed (overdue derived from the deadline)
    status_label: str
    warning: str  # none | blue | yellow | red
    warning_label: str
    public: bool
    completed_at: UtcTime | None
    closed_at: UtcTime | None
    closed_by: str
    created_by: str


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: UtcTime
    url: str


class PlanOut(Out):
    id: int
    version: int
    unit_id: int
    internal_unit: str
    responsible_leader: str
    person_responsible: str
    measures: str
    schedule: str
    filed_at: UtcTime
    filed_by: str


class ProgressOut(Out):
    id: int
    unit_id: int
    reported_on: date
    content: str
    problems: str
    completes: bool
    filed_at: UtcTime
    filed_by: str
    attachments: list[AttachmentOut] = []


class ExtensionOut(Out):
    id: int
    assignment_id: int
    unit_id: int
    reason: str
    old_deadline: date | None
    new_deadline: date
    status: str  # pending | approved | refused
    requested_at: UtcTime
    requested_by: str
    decided_at: UtcTime | None
    decided_by: str
    decision_note: str


class ProposalOut(Out):
    id: int
    assignment_id: int
    unit_id: int
    kind: str
    circumstances: str
    proposal: str
    status: str  # submitted | on_agenda
    agenda_item_id: int | None
    submitted_at: UtcTime
    submitted_by: str


class EvaluationOut(Out):
    id: int
    trigger: str
    evaluator: str
    method: str
    findings: str
    recommendation: str
    evaluated_on: date
    recorded_at: UtcTime
    recorded_by: str


class SignOffOut(Out):
    id: int
    leader: str
    signed_on: date
    opinion: str
    recorded_at: UtcTime
    recorded_by: str
    attachments: list[AttachmentOut] = []


class ExecutionEventOut(Out):
    id: int
    at: UtcTime
    kind: str
    actor: str
    actor_role: str
    data: dict[str, Any]


class AssignmentDetailOut(AssignmentOut):
    units: list[UnitPartOut]
    milestones: list[dict[str, Any]]
    plans: list[PlanOut]
    progress: list[ProgressOut]
    extensions: list[ExtensionOut]
    proposals: list[ProposalOut]
    evaluations: list[EvaluationOut]
    signoff: SignOffOut | None
    events: list[ExecutionEventOut]


class CandidateOut(Out):
    item_id: int
    heading: str
    category: str
    result_label: str
    decided: bool
    confidential: bool
    decision_text: str
    prefill: dict[str, Any]
    existing: list[str]  # numbers of the assignments already made from this item


class UnitOut(Out):
    id: int
    name: str
    active: bool


class AccountOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    active: bool


class AgendaItemRefOut(Out):
    id: int
    meeting_id: int
    title: str
