"""Typed refusals of the execution ledger: one Chinese sentence naming the rule and its source; nothing changes.

Subclasses of :class:`meeting.errors.YishiError` (same JSON shape, translated through ``msgid``).
"""

from __future__ import annotations

from meeting.errors import YishiError
from voting.sources import cite, cites


class MinutesNotApproved(YishiError):
    code = "minutes_not_approved"
    http_status = 409
    msgid = "会议纪要尚未审定，不能据此生成督办事项；请先审定纪要。"
    source = cite("huhhot", "第九条（依据会议纪要立项督办）")


class ItemNotDecided(YishiError):
    code = "item_not_decided"
    http_status = 409
    msgid = "议题“%(title)s”未获通过（%(result)s），不生成督办事项。"
    source = cites(("taobei", "四（二）3"), ("huhhot", "第九条"))


class NotVerbatim(YishiError):
    code = "decided_text_not_verbatim"
    msgid = "决策内容须逐字摘自审定的会议纪要“会议议定”部分。"
    source = cite("huhhot", "第二十三条（全过程记录）")


class ConfidentialNotPublic(YishiError):
    code = "confidential_not_public"
    http_status = 409
    msgid = "涉密议题和干部任免议题的决策事项不得公开。"
    source = cites(("taobei", "四（二）5（会议内容保密）、五（二）"), ("huhhot", "第二十四条"))


class DeadlineBeforeDecision(YishiError):
    code = "deadline_before_decision"
    msgid = "%(what)s不能早于决策作出之日（%(decided_on)s）。"


class DateInFuture(YishiError):
    code = "date_in_future"
    msgid = "%(what)s不能晚于今天（%(today)s）。"


class LeadUnitOnly(YishiError):
    code = "lead_unit_only"
    http_status = 403
    msgid = "%(what)s由牵头单位负责；配合单位只报告各自承担部分的进展。"
    source = cite("huhhot", "第十条、第十三条")


class AssignmentClosed(YishiError):
    code = "assignment_closed"
    http_status = 409
    msgid = "督办事项%(number)s已销号，不能再%(what)s。"
    source = cite("rugao", "三2（销号式落实）")


class AssignmentFinished(YishiError):
    code = "assignment_finished"
    http_status = 409
    msgid = "督办事项%(number)s已办结，不能再%(what)s。"


class ExtensionPending(YishiError):
    code = "extension_pending"
    http_status = 409
    msgid = "已有一项延期申请待督查室审批，审批后方可再次申请。"


class ExtensionNotLater(YishiError):
    code = "extension_not_later"
    msgid = "延期后的完成时限须晚于现在的完成时限（%(deadline)s）和今天。"


class ExtensionDecided(YishiError):
    code = "extension_decided"
    http_status = 409
    msgid = "该延期申请已经审批（%(status)s）。"


class NotCompleted(YishiError):
    code = "not_completed"
    http_status = 409
    msgid = "督办事项%(number)s尚未办结（%(status)s），不能%(what)s。"
    source = cite("rugao", "三2（办结后销号）")


class SignOffRequired(YishiError):
    code = "signoff_required"
    http_status = 409
    msgid = "销号须有分管领导签字确认及佐证材料；督办事项%(number)s尚无领导签字。"
    source = cites(("rugao", "三2"), ("huhhot", "第十九条"))


class EvidenceRequired(YishiError):
    code = "evidence_required"
    msgid = "领导签字确认须附至少一份佐证材料（签字件扫描件或办结材料）。"
    source = cite("rugao", "三2（销号须领导签字确认）")


class NotResponsibleLeader(YishiError):
    code = "not_responsible_leader"
    http_status = 403
    msgid = "只有本事项的分管领导或协调领导（%(leaders)s）才能签字确认销号。"
    source = cite("taobei", "四（三）1")


class NoResponsibleLeader(YishiError):
    code = "no_responsible_leader"
    http_status = 409
    msgid = "督办事项%(number)s尚未确定分管领导，请先补充后再办理销号。"
    source = cite("taobei", "四（三）1")


class ProposalPlaced(YishiError):
    code = "proposal_placed"
    http_status = 409
    msgid = "该建议已列入会议议程。"


class OtherBody(YishiError):
    code = "other_body"
    http_status = 409
    msgid = "决策的调整、停止须由原决策机关依法定程序作出：请列入%(body)s的会议议程。"
    source = cites(("huhhot", "第二十一条"), ("decision_procedure", "第三十八条"))


class BadAttachment(YishiError):
    code = "bad_attachment"
    msgid = "附件“%(name)s”%(why)s。"


class UnitInactive(YishiError):
    code = "unit_inactive"
    http_status = 409
    msgid = "单位“%(name)s”已停用，不能承办新的督办事项。"


class DuplicateName(YishiError):
    code = "duplicate_name"
    http_status = 409
    msgid = "“%(name)s”已存在。"


class AccountLinkMissing(YishiError):
    code = "account_link_missing"
    msgid = "%(role)s账号须关联%(what)s。"


class AlreadySigned(YishiError):
    code = "already_signed"
    http_status = 409
    msgid = "督办事项%(number)s已由%(leader)s签字确认。"


class NotOnMeetingAgenda(YishiError):
    code = "not_a_later_meeting"
    http_status = 409
    msgid = "只能列入尚未结束的会议议程（%(title)s已结束）。"
