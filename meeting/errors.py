"""Typed refusals. Every refusal has a stable code, a one-sentence Chinese message naming the rule and its
source, and changes nothing (the service raises before it commits). Serialises itself to JSON:
``{"ok": false, "error": {"code": …, "message": …, "source": …}}``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from voting.sources import cite, cites


class YishiError(Exception):
    code = "error"
    http_status = 400
    msgid = "操作未能完成。"
    source = ""

    def __init__(self, msgid: str | None = None, *, source: str | None = None, **params: Any) -> None:
        if msgid is not None:
            self.msgid = msgid
        if source is not None:
            self.source = source
        self.params = params
        super().__init__(self.msgid % params if params else self.msgid)

    @property
    def message(self) -> str:
        try:
            return gettext(self.msgid, **self.params)
        except (RuntimeError, KeyError):  # outside an app context or a bad translation
            return self.msgid % self.params if self.params else self.msgid

    def to_dict(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.source:
            err["source"] = self.source
        return {"ok": False, "error": err}


class InvalidPayload(YishiError):
    code = "invalid_payload"
    msgid = "%(detail)s"  # the detail says plainly what is wrong; no "请求格式不正确" before it


class NotFound(YishiError):
    code = "not_found"
    http_status = 404
    msgid = "未找到%(what)s。"


class PermissionDenied(YishiError):
    code = "permission_denied"
    http_status = 403
    msgid = "您无权进行此操作。"


class NotSignedIn(YishiError):
    code = "not_signed_in"
    http_status = 401
    msgid = "请先登录。"


class InvalidToken(YishiError):
    code = "invalid_token"
    http_status = 401
    msgid = "链接无效或已过期（会议已结束或链接已作废），请向会议秘书索取新的链接。"


class Conflict(YishiError):
    code = "conflict"
    http_status = 409
    msgid = "%(detail)s"


class NotQuorate(YishiError):
    code = "not_quorate"
    http_status = 409
    msgid = "到会人数不足：应到会%(n)d人，实到%(present)d人，%(kind)s须%(fraction)s（至少%(needed)d人）到会方可召开。"


class ItemNotDecidable(YishiError):
    code = "item_not_decidable"
    http_status = 409
    msgid = "本议题不能作出决定：应到会%(n)d人，参与本议题%(present)d人，%(category)s须%(fraction)s（至少%(needed)d人）到会。"


class PreparationIncomplete(YishiError):
    code = "preparation_incomplete"
    http_status = 409
    msgid = "本议题未完成%(steps)s，不得提交会议讨论。"


class ChairNotLast(YishiError):
    code = "chair_not_last"
    http_status = 409
    msgid = "会议主持人应当最后发表意见：尚有%(waiting)d名成员未发表意见。"
    source = cites(("taobei", "四（二）2"), ("decision_procedure", "第三十条"))


class ChairHasSpoken(YishiError):
    code = "chair_has_spoken"
    http_status = 409
    msgid = "主持人已最后发表意见，其他成员的意见不能再提交或更改。"
    source = cite("taobei", "四（二）2")


class Recused(YishiError):
    code = "recused"
    http_status = 403
    msgid = "您需回避本议题，不参与讨论和表决。"
    source = cites(("taobei", "四（二）5"), ("civil_servant_law", "第七十六条"))


class ObserverCannotVote(YishiError):
    code = "observer_cannot_vote"
    http_status = 403
    msgid = "列席人员不参与表决。"
    source = cite("taobei", "四（二）4")


class AbsentCannotVote(YishiError):
    code = "absent_cannot_vote"
    http_status = 403
    msgid = "您未在会场（%(attendance)s），不能在会上发表意见；因故不能参会的成员可提交书面意见。"
    source = cite("taobei", "四（二）2")


class NotPresentForWritten(YishiError):
    code = "present_member_written"
    http_status = 409
    msgid = "书面意见仅适用于因故不能参加会议的成员；到会成员请在会上发表意见。"
    source = cite("taobei", "四（二）2")


class FloorNotUsed(YishiError):
    code = "floor_not_used"
    http_status = 409
    msgid = "本机构未启用发言申请；如需发言，请向主持人示意。"


class FloorNotPresent(YishiError):
    code = "floor_not_present"
    http_status = 403
    msgid = "您未在会场（%(attendance)s），不能申请发言。"


class FloorNoItem(YishiError):
    code = "floor_no_item"
    http_status = 409
    msgid = "当前没有正在审议的议题，不能申请或安排发言。"


class FloorNotFound(YishiError):
    code = "floor_not_found"
    http_status = 404
    msgid = "没有这项发言申请（可能已撤回或已发言）。"


class ItemNotOpen(YishiError):
    code = "item_not_open"
    http_status = 409
    msgid = "该议题当前未在征求意见。"


class ItemClosed(YishiError):
    code = "item_closed"
    http_status = 409
    msgid = "该议题已结束（%(result)s），不能再发表意见。"


class ReasonRequired(YishiError):
    code = "reason_required"
    msgid = "选择“%(stance)s”时必须说明理由。"
    source = cite("taobei", "四（二）2")


class ItemsNotConcluded(YishiError):
    code = "items_not_concluded"
    http_status = 409
    msgid = "尚有议题未作结论：%(titles)s。散会前请宣布其结果或暂缓审议（暂缓的议题可列入以后的会议），否则会议纪要无法审定。"
    source = cite("taobei", "四（二）3、4")


class ItemOnOpenedAgenda(YishiError):
    code = "item_on_opened_agenda"
    http_status = 409
    msgid = "会议已经开始，议程上的议题不能删除；如本次不审议，请在会上暂缓审议或撤回议题，并记入会议记录。"
    source = "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3、4"


class AnotherItemOpen(YishiError):
    code = "another_item_open"
    http_status = 409
    msgid = "议题“%(title)s”尚未结束。一事一议：同一时间只能审议一个议题。"
    source = cite("taobei", "四（二）3")


class MeetingNotInSession(YishiError):
    code = "meeting_not_in_session"
    http_status = 409
    msgid = "会议尚未宣布开始。"


class MeetingClosed(YishiError):
    code = "meeting_closed"
    http_status = 409
    msgid = "会议已结束。"


class InvalidState(YishiError):
    code = "invalid_state"
    http_status = 409
    msgid = "%(detail)s"


class HeadReasonRequired(YishiError):
    code = "head_reason_required"
    msgid = "主持人的决定与多数人意见不一致，应当在会上说明理由。"
    source = cite("decision_procedure", "第三十条")


class ReconsiderRefused(YishiError):
    code = "reconsider_refused"
    http_status = 409
    msgid = "复议须经超过全体成员半数同意：全体成员%(n)d人，同意复议%(agreeing)d人，至少需要%(needed)d人。"
    source = cite("cadre_selection")


class TooManyAttempts(YishiError):
    """Sign-in lock-out (per user name and per address) and tablet-link guessing (per address): meeting/throttle.py."""

    code = "too_many_attempts"
    http_status = 429
    msgid = "登录失败次数过多，请%(minutes)d分钟后再试。"


class TooManyLinkAttempts(TooManyAttempts):
    code = "too_many_attempts"
    msgid = "无效链接尝试次数过多，请%(minutes)d分钟后再试。"


class CsrfFailed(PermissionDenied):
    msgid = "页面已过期，请刷新后重试。"


# Refusals that come from HTTP itself rather than from a service (meeting.api.kit answers them under /api/ in the
# same JSON shape); listed in the OpenAPI document and in docs/api.md beside the codes of the classes above.
HTTP_ERROR_CODES: dict[str, tuple[int, str]] = {
    "method_not_allowed": (405, "该接口不支持此 HTTP 方法。"),
    "payload_too_large": (413, "上传内容过大。"),
    "server_error": (500, "服务器内部错误，操作未完成，请重试。"),
}
