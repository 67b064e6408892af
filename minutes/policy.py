"""Who may reach the minutes' pages and operations (the gate of meeting.policy; deny by default).

The secretary writes, approves, archives and amends; members read and the chair approves by their personal link;
the archive's search page and the 公开版 are public (minutes.views decides per document who may read it).
"""

from __future__ import annotations

from meeting.policy import PUBLIC, STAFF, STAFF_OR_TOKEN, TOKEN

ACCESS: dict[str, frozenset[str]] = {
    "minutes.archive_page": PUBLIC,
    "minutes.read": PUBLIC,  # the 公开版 once approved; the record and the full 纪要 by link or for the secretary
    "minutes.tablet_overview": TOKEN,
    "minutes.tablet_approve": TOKEN,
    "minutes.page": STAFF_OR_TOKEN,  # the chair reads the record and approves by his link
    "minutes.draft": STAFF_OR_TOKEN,
    "minutes.save_texts": STAFF,
    "minutes.save_meeting_texts": STAFF,  # 会议要求/会议强调 and the 密级 (h18-mincontent)
    "minutes.approve": STAFF_OR_TOKEN,
    "minutes.archive": STAFF,
    "minutes.amend": STAFF,
    "minutes.verify_page": STAFF,  # 核验: the chain, the rows, the archived files
    "api.verifyMeeting": STAFF,
    "minutes.download": PUBLIC,  # the 公开版 for anyone; the record and the full 纪要 by link or for the secretary
    "api.getMinutes": STAFF,
    "api.updateMinutesItem": STAFF,
    "api.approveMinutes": STAFF,
    "api.archiveMinutes": STAFF,
    "api.amendMinutes": STAFF,
    "api.listMinutesDocuments": STAFF,
    # docxlayout (h18): the 纪要's 版头 and 版记
    "minutes.save_header": STAFF,
    "api.updateMinutesHeader": STAFF,
    # paper for the meeting room (minutes/paper_views.py): the secretary prints them
    "minutes.paper_notice": STAFF,
    "minutes.paper_notice_docx": STAFF,
    "minutes.paper_sign_in": STAFF,
    "minutes.paper_sign_in_docx": STAFF,
    "minutes.paper_results": STAFF,
    "minutes.paper_result_docx": STAFF,
}
