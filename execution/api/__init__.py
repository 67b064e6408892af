"""The execution ledger's JSON API under ``/api/v1/execution`` (same conventions as meeting.api: session +
``X-CSRF-Token`` or ``Authorization: Bearer ysk_…``; the same services and refusals as the pages; routes declared
with :func:`meeting.api.endpoint`, so the OpenAPI document lists them).

Any signed-in account may call it; each service decides by role. Another unit's assignment is 404 ``not_found``.
Along its seams: :mod:`.models` (the ``…Out`` models), :mod:`.present` (the account, files, records joined into
them), and the routes: :mod:`.ledger`, :mod:`.filings`, :mod:`.units`.
"""

from . import filings, ledger, units  # noqa: F401 — each declares its routes on meeting.api.bp
from .ledger import AssignmentsQuery
from .models import (
    AccountOut,
    AgendaItemRefOut,
    AssignmentDetailOut,
    AssignmentOut,
    AttachmentOut,
    CandidateOut,
    EvaluationOut,
    ExecutionEventOut,
    ExtensionOut,
    PlanOut,
    ProgressOut,
    ProposalOut,
    SignOffOut,
    UnitOut,
    UnitPartOut,
)
from .present import TAG, P

__all__ = [
    "TAG",
    "AccountOut",
    "AgendaItemRefOut",
    "AssignmentDetailOut",
    "AssignmentOut",
    "AssignmentsQuery",
    "AttachmentOut",
    "CandidateOut",
    "EvaluationOut",
    "ExecutionEventOut",
    "ExtensionOut",
    "P",
    "PlanOut",
    "ProgressOut",
    "ProposalOut",
    "SignOffOut",
    "UnitOut",
    "UnitPartOut",
]
