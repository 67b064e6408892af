"""Typed refusals of the minutes: one Chinese sentence naming the rule, a stable code, translatable.

Each ``msgid`` is marked with :func:`N_` so that Babel extracts it (``babel.cfg`` scans ``minutes/**.py``) and the
English catalogue can translate it; ``meeting.errors.YishiError`` translates it when the message is shown.
"""

from __future__ import annotations

from meeting.errors import InvalidPayload, InvalidState, PermissionDenied
from voting.sources import cite


def N_(msgid: str) -> str:  # noqa: N802 — Babel's default keyword for "mark, translate later"
    return msgid


SOURCE_CONFIDENTIAL = cite("taobei", "四（二）5（会议讨论和表决情况保密）")
SOURCE_RECORD = cite("decision_procedure", "第三十条、第三十三条")


class RecordWithheld(PermissionDenied):
    code = "record_withheld"
    http_status = 403
    msgid = N_(
        "您曾回避本次会议的议题，归档的会议记录载有该议题的发表意见和表决情况，不向您提供；请在会议记录页面阅读。"
    )
    source = cite("taobei", "四（二）5")


class MinutesNotDraft(InvalidState):
    code = "minutes_not_draft"
    http_status = 409
    msgid = N_("纪要已审定，只能以更正（注明理由）的方式修改。")
    source = SOURCE_RECORD


class MinutesAlreadyApproved(InvalidState):
    code = "minutes_already_approved"
    http_status = 409
    msgid = N_("纪要已经审定，不需要再次审定。")


class ItemsStillOpen(InvalidState):
    code = "items_still_open"
    http_status = 409
    msgid = N_("各议题均作出决定或暂缓决策后方可审定纪要，尚未完成的议题：%(titles)s。")
    source = SOURCE_RECORD


class DecisionContradictsResult(InvalidState):
    """Approval refused while an item's 议定 text contradicts its result (voting.decided_text): a draft may hold
    such a text, the approved 纪要 may not."""

    code = "decision_contradicts_result"
    http_status = 409
    msgid = N_("以下议题的“会议议定”内容与表决结果不一致，请修改后再审定：%(items)s。")
    source = "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）6"


class MinutesNotApproved(InvalidState):
    code = "minutes_not_approved"
    http_status = 409
    msgid = N_("纪要尚未经主持人审定，不能归档。")


class MinutesArchived(InvalidState):
    code = "minutes_archived"
    http_status = 409
    msgid = N_("纪要已归档，归档文件不能改写；如需更正，请提交更正（注明理由），系统将生成新版本。")
    source = SOURCE_RECORD


class MinutesChangedMeanwhile(InvalidState):
    code = "minutes_changed_meanwhile"
    http_status = 409
    msgid = N_("生成归档文件期间纪要或会议记录已被他人修改，本次操作未保存，请刷新后重试。")


class AmendDraftDirectly(InvalidState):
    code = "minutes_still_draft"
    http_status = 409
    msgid = N_("纪要尚未审定，请直接修改，不需要提交更正。")


class InvalidDeadline(InvalidPayload):
    code = "invalid_payload"
    msgid = N_("完成时限应为日期，格式如 2023-12-31。")


class NotTheChair(PermissionDenied):
    code = "permission_denied"
    http_status = 403
    msgid = N_("纪要由本次会议的主持人审定（或由会议秘书代为办理），其他成员不能审定。")
    source = cite("decision_procedure", "第三十条")


class RecordRestricted(PermissionDenied):
    code = "permission_denied"
    http_status = 403
    msgid = N_("会议记录仅限会议秘书、主持人和本班子成员查阅；列席人员和公众只能查阅公开版。")
    source = SOURCE_CONFIDENTIAL


class PublicVersionNotYet(PermissionDenied):
    code = "permission_denied"
    http_status = 403
    msgid = N_("纪要公开版在纪要审定归档后公开。")


class ArchiveTampered(InvalidState):
    code = "archive_tampered"
    http_status = 409
    msgid = N_("归档文件校验失败（SHA-256 与归档时不一致），可能已被改动，已拒绝下载，请联系管理员。")
    source = SOURCE_RECORD


# ---------------------------------------------------------------- the minutes editor (h18-editor)


class MinutesItemChangedMeanwhile(InvalidState):
    """A save based on a version of the texts someone else has saved over since: refused, nothing overwritten; the
    refusal carries the texts now stored (``current``) and their ``version``, so the editor shows both texts."""

    code = "minutes_item_stale"
    http_status = 409
    msgid = N_("已被他人修改：本议题的纪要文字在您编辑期间已由%(by)s保存，您的文字未保存。请对照两份文字后再保存。")

    def __init__(self, *, current: dict, version: str, by: str) -> None:
        super().__init__(by=by or "他人")
        self.current, self.version = current, version

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["error"] |= {"current": self.current, "version": self.version}
        return out
