"""Who may reach the execution ledger's pages and operations (the gate of meeting.policy; deny by default).

By role only: the supervision office (``office``) runs the ledger; the secretary and the office (``creator``) read it
and create assignments from approved minutes; a unit files plans, progress and requests; a leader signs off. Which
assignment a unit or a leader may see is decided in execution.access (another unit's work is "not found").
"""

from __future__ import annotations

from meeting.policy import PUBLIC, STAFF

from . import access

OFFICE = frozenset({"office"})
CREATOR = frozenset({"creator"})
PARTIES = frozenset({"creator", "unit", "leader"})
UNIT_OR_OFFICE = frozenset({"unit", "office"})
LEADER_OR_OFFICE = frozenset({"leader", "office"})
UNIT = frozenset({"unit"})
LEADER = frozenset({"leader"})

ACCESS: dict[str, frozenset[str]] = {
    # pages (blueprint execution)
    "execution.ledger": CREATOR,
    "execution.unit_home": UNIT,
    "execution.leader_home": LEADER,
    "execution.assignment": PARTIES,
    "execution.attachment": PARTIES,
    "execution.plan": UNIT_OR_OFFICE,
    "execution.progress": UNIT_OR_OFFICE,
    "execution.extension": UNIT_OR_OFFICE,
    "execution.proposal": UNIT_OR_OFFICE,
    "execution.signoff": LEADER_OR_OFFICE,
    "execution.decide_extension": OFFICE,
    "execution.evaluation": OFFICE,
    "execution.close": OFFICE,
    "execution.edit": OFFICE,
    "execution.place_proposal": STAFF,
    "execution.from_minutes": CREATOR,
    "execution.create_from_item": CREATOR,
    "execution.units_page": OFFICE,
    "execution.unit_create": OFFICE,
    "execution.unit_update": OFFICE,
    "execution.account_create": OFFICE,
    "execution.account_update": OFFICE,
    # the supervision office's pages (blueprint supervision)
    "supervision.export_docx": CREATOR,
    "supervision.export_xlsx": CREATOR,
    "supervision.notifications": UNIT,
    "supervision.notifications_read": UNIT,
    # the public disclosure pages (blueprint disclosure)
    "disclosure.index": PUBLIC,
    "disclosure.complaint_form": PUBLIC,
    "disclosure.complaint_submit": PUBLIC,
    "disclosure.complaint_lookup": PUBLIC,
    # the JSON API (blueprint api)
    "api.listAssignments": PARTIES,
    "api.getAssignment": PARTIES,
    "api.listAssignmentEvents": PARTIES,
    "api.createAssignment": CREATOR,
    "api.listAssignmentCandidates": CREATOR,
    "api.listUnits": CREATOR,
    "api.updateAssignment": OFFICE,
    "api.closeAssignment": OFFICE,
    "api.recordEvaluation": OFFICE,
    "api.decideExtension": OFFICE,
    "api.createUnit": OFFICE,
    "api.updateUnit": OFFICE,
    "api.createAccount": OFFICE,
    "api.updateAccount": OFFICE,
    "api.filePlan": UNIT_OR_OFFICE,
    "api.reportProgress": UNIT_OR_OFFICE,
    "api.requestExtension": UNIT_OR_OFFICE,
    "api.submitProposal": UNIT_OR_OFFICE,
    "api.addProgressAttachments": UNIT_OR_OFFICE,
    "api.signOff": LEADER_OR_OFFICE,
    "api.placeProposal": STAFF,
}
# the ledger is where the office and the secretary land; a unit or a leader is sent to its own home page
LANDING = {"execution.ledger"}
# every other page of the supervision office is the office's
PREFIXES = {"supervision.": OFFICE}


def _report_visible(s, actor, report_id: int) -> None:
    from meeting.errors import NotFound

    from .models import ProgressReport

    report = s.get(ProgressReport, report_id)
    if report is None:
        raise NotFound(what="进展报告")
    access.assignment_for(s, actor, report.assignment_id)


# the records a path names, checked before the input is read (another unit's assignment is "not found")
RECORD_CHECKS = {
    "assignment_id": lambda s, actor, assignment_id: access.assignment_for(s, actor, assignment_id),
    "report_id": _report_visible,
}
