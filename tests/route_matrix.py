"""Who may open which page and call which API operation: the HTTP half of the role × action matrix.

``ROUTES`` gives, for every endpoint of the app (``app.url_map``), the roles that may use it; a test
(tests/meeting/test_route_matrix.py) builds one world with every kind of record, signs each role in as it would
sign in, calls every route as every role, and fails on any cell that differs — or on an endpoint with no row.

A role is *let through* when the answer is anything but a refusal of who they are: 401, 403, a redirect to the
sign-in page or to the role's own home page, or — for records of another unit or leader, whose existence is not
disclosed — 404. For an allowed role the answer may still be a refusal of the input (the matrix sends empty forms).
"""

from __future__ import annotations

HTTP_ROLES = (
    "anonymous",
    "secretary",
    "supervisor",
    "unit",
    "other_unit",
    "leader",
    "other_leader",
    "member",
    "observer",
    "projector",
)
HTTP_ROLE_LABELS = {
    "anonymous": "未登录（公众）",
    "secretary": "会议秘书",
    "supervisor": "督查室",
    "unit": "牵头单位",
    "other_unit": "其他单位",
    "leader": "责任领导",
    "other_leader": "其他领导（同名）",
    "member": "成员平板",
    "observer": "列席链接",
    "projector": "投影链接",
}

ALL = frozenset(HTTP_ROLES)
NOBODY: frozenset[str] = frozenset()
SECRETARY = frozenset({"secretary"})
OFFICE = frozenset({"supervisor"})
CREATORS = frozenset({"secretary", "supervisor"})  # read the whole ledger, create assignments
PARTIES = frozenset({"secretary", "supervisor", "unit", "leader"})  # the assignment's own parties (not others)
UNIT_OR_OFFICE = frozenset({"unit", "supervisor"})
LEADER_OR_OFFICE = frozenset({"leader", "supervisor"})
LINKS = frozenset({"member", "observer", "projector"})
RECORD_READERS = frozenset({"secretary", "member"})  # the record and the full 纪要 (not observers, not the public)

# endpoint → the roles let through; every other role is refused (401, 403, a redirect to sign in or home, or 404
# for another unit's or leader's record). Pages and operations that take a personal link are called with the
# member's (or observer's, projector's) link of the meeting concerned, and by accounts with a made-up one.
ROUTES: dict[str, frozenset[str]] = {
    # public
    "views.login": ALL,
    "views.logout": ALL,
    "views.change_password": frozenset({"secretary", "supervisor", "unit", "other_unit", "leader", "other_leader"}),
    "api.getOpenApi": ALL,
    "minutes.archive_page": ALL,
    "disclosure.index": ALL,
    "disclosure.complaint_form": ALL,
    "disclosure.complaint_submit": ALL,
    "disclosure.complaint_lookup": ALL,
    # personal links
    "views.tablet": LINKS,
    "views.reading": frozenset({"member"}),  # 会前阅读: not observers, not the projector (h18-lanpdf)
    "views.material": SECRETARY | {"member"},
    "minutes.tablet_overview": frozenset({"member", "observer"}),  # an observer's card shows the 公开版 only
    "minutes.tablet_approve": NOBODY,  # the chair only: no member may approve the minutes
    "minutes.page": RECORD_READERS,
    "minutes.draft": RECORD_READERS,
    "minutes.read": RECORD_READERS,
    "minutes.download": RECORD_READERS,
    "minutes.approve": SECRETARY,
    # paper for the meeting room (会议通知, 签到表, 表决结果单): the secretary's, never a link's
    "minutes.paper_notice": SECRETARY,
    "minutes.paper_notice_docx": SECRETARY,
    "minutes.paper_sign_in": SECRETARY,
    "minutes.paper_sign_in_docx": SECRETARY,
    "minutes.paper_results": SECRETARY,
    "minutes.paper_result_docx": SECRETARY,
    # the execution ledger
    "execution.ledger": CREATORS,
    "execution.unit_home": frozenset({"unit", "other_unit"}),
    "execution.leader_home": frozenset({"leader", "other_leader"}),
    "execution.assignment": PARTIES,
    "execution.attachment": PARTIES,
    "api.listAssignments": PARTIES | {"other_unit", "other_leader"},  # each sees the list of its own
    "api.getAssignment": PARTIES,
    "api.listAssignmentEvents": PARTIES,
    "execution.plan": UNIT_OR_OFFICE,
    "execution.progress": UNIT_OR_OFFICE,
    "execution.extension": UNIT_OR_OFFICE,
    "execution.proposal": UNIT_OR_OFFICE,
    "api.filePlan": UNIT_OR_OFFICE,
    "api.reportProgress": UNIT_OR_OFFICE,
    "api.requestExtension": UNIT_OR_OFFICE,
    "api.submitProposal": UNIT_OR_OFFICE,
    "api.addProgressAttachments": UNIT_OR_OFFICE,
    "execution.signoff": LEADER_OR_OFFICE,
    "api.signOff": LEADER_OR_OFFICE,
    "execution.from_minutes": CREATORS,
    "execution.create_from_item": CREATORS,
    "api.createAssignment": CREATORS,
    "api.listAssignmentCandidates": CREATORS,
    "api.listUnits": CREATORS,
    "supervision.export_docx": CREATORS,
    "supervision.export_xlsx": CREATORS,
    "execution.place_proposal": SECRETARY,
    "api.placeProposal": SECRETARY,
    "supervision.notifications": frozenset({"unit", "other_unit"}),
    "supervision.notifications_read": frozenset({"unit", "other_unit"}),
}
OFFICE_ONLY = (
    "execution.decide_extension",
    "execution.evaluation",
    "execution.close",
    "execution.edit",
    "execution.units_page",
    "execution.unit_create",
    "execution.unit_update",
    "execution.account_create",
    "execution.account_update",
    "api.updateAssignment",
    "api.closeAssignment",
    "api.recordEvaluation",
    "api.decideExtension",
    "api.createUnit",
    "api.updateUnit",
    "api.createAccount",
    "api.updateAccount",
)
ROUTES.update({e: OFFICE for e in OFFICE_ONLY})
# the rest is the secretary's: the room, its set-up, the minutes and the secretary's API; and the office's pages
SUPERVISION_PREFIX = "supervision."


def expected(endpoint: str) -> frozenset[str] | None:
    """The roles let through ``endpoint``; None when the matrix has no row for it."""
    if endpoint in ROUTES:
        return ROUTES[endpoint]
    if endpoint.startswith(SUPERVISION_PREFIX):
        return OFFICE
    if endpoint.startswith(("views.", "setup_views.", "minutes.", "api.")):
        return SECRETARY
    return None


def http_table(endpoints: list[tuple[str, str, str]]) -> str:
    """``endpoints``: (method, rule, endpoint) of the app; a Markdown table with a row each."""
    head = "| 路径 | 方法 | " + " | ".join(HTTP_ROLE_LABELS[r] for r in HTTP_ROLES) + " |"
    rule = "|---|---|" + "---|" * len(HTTP_ROLES)
    rows = []
    for method, path, endpoint in endpoints:
        allowed = expected(endpoint) or NOBODY
        rows.append(f"| `{path}` | {method} | " + " | ".join("✓" if r in allowed else "—" for r in HTTP_ROLES) + " |")
    return "\n".join([head, rule, *rows])
