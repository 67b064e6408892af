"""The strings the page scripts show (static/js/*.js), written once, as the gettext source of the catalogue.

The scripts keep no string tables of their own: a page that loads one carries this table in the locale of the
request, as a JSON data block (``<script type="application/json" id="yishi-strings">``, not executed, so the CSP
of meeting/headers.py needs no nonce), and the script reads its part of it (``YishiRoom.strings('tablet')``).
The keys are the scripts' own (``T.ask.closed``, ``T.phrases.agree``); the placeholders stay the scripts' own
(``{n}``, ``{stance}``), filled in by the script. Babel extracts these ``_()`` / ``pgettext()`` calls with the rest of
meeting/**.py (babel.cfg); the English is in translations/en/LC_MESSAGES/messages.po like every other message.
A context (``pgettext``) marks the few texts the scripts translate otherwise than a page does (a verdict inside a
sentence, "passed", is lower case; the title of a dialog is longer than its button).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_babel import lazy_pgettext as pgettext

from voting import vocabulary

TABLES: dict[str, dict[str, Any]] = {
    # static/js/room-client.js: the connection banner, refusals, dialogs
    "room": {
        "reconnecting": _("连接中断，正在重连…"),
        "connecting": _("正在连接会议室…"),
        "refused": _("无法进入会议室："),
        "timeout": _("服务器未及时响应，操作可能未完成，请稍候再试。"),
        "offline": _("连接已中断，操作未发送；请待重新连接后再试。"),
        "serverError": _("服务器内部错误，操作未完成，请重试。"),
        "source": _("（依据：{source}）"),
        "dismiss": _("知道了"),
        "ok": _("确定"),
        "cancel": _("取消"),
    },
    # static/js/tablet*.js: the member's and the chair's tablet
    "tablet": {
        "itemNo": _("第{n}项"),
        "phaseDiscussion": _("汇报讨论"),
        "phaseOpinions": _("征求意见"),
        "none": _("—"),
        "yuan": _("元"),
        "wanYuan": _("万元"),
        "notYet": pgettext("tablet", "尚未发表意见"),
        "pending": _("待确认：您的意见“{stance}”正在发送…"),
        "pendingOffline": _("待确认：您的意见“{stance}”尚未送达，连接恢复后自动重发"),
        "recorded": _("已记录 {at}"),
        "yourOpinion": _("您的意见：{stance}"),
        "corrected": _("（已更正）"),
        "reasonPrefix": _("理由："),
        "chooseTitle": _("您选择：{stance}"),
        "confirm": _("确认发表：{stance}"),
        "reasonRequired": _("理由（必填）"),
        "reasonOptional": _("理由（可不填）"),
        "needReason": _("选择“{stance}”时必须说明理由。"),
        "recordedNotice": _("您的意见已记录。"),
        "chairWait": _("请待其他成员发表意见后最后发表（尚有{n}名成员未发表）。"),
        "chairWaitShort": _("请待其他成员发表意见后最后发表。"),
        "lockedAfterChair": _("主持人已发表意见，意见不能再更改。"),
        "stance": {
            "agree": _("同意"),
            "disagree": _("不同意"),
            "defer": _("缓议"),
        },
        # quick reasons by the item's category (voting.vocabulary.ItemCategory), then by stance: no word about
        # 资金监管 on a personnel item; a category the table does not know gets "other"
        "phrases": {
            "major_decision": {
                "agree": [_("同意该方案"), _("同意，建议抓紧组织实施"), _("同意，请做好政策解读工作")],
                "disagree": [_("方案需进一步完善"), _("依据不充分"), _("风险评估不充分")],
                "defer": [
                    _("情况尚不清楚，建议进一步调研"),
                    _("建议补充材料后再议"),
                    _("建议征求相关部门意见后再议"),
                ],
            },
            "personnel": {
                "agree": [_("同意该任免建议"), _("同意，该同志符合任职条件"), _("同意，建议做好任前谈话")],
                "disagree": [_("考察不够充分"), _("任职条件存在疑问"), _("任免程序不够完备")],
                "defer": [_("建议进一步考察后再议"), _("建议补充考察材料后再议"), _("建议听取组织部门意见后再议")],
            },
            "major_project": {
                "agree": [_("同意该项目安排"), _("同意，建议抓紧推进前期工作"), _("同意，请加强项目建设监管")],
                "disagree": [_("项目论证不充分"), _("资金来源尚不明确"), _("建设规模需进一步论证")],
                "defer": [_("建议补充可行性论证后再议"), _("建议补充材料后再议"), _("建议征求相关部门意见后再议")],
            },
            "large_funds": {
                "agree": [_("同意该资金安排"), _("同意，请加强资金监管"), _("同意，请严格按规定用途使用")],
                "disagree": [_("资金来源尚不明确"), _("资金用途依据不充分"), _("超出年度预算安排")],
                "defer": [_("建议财政部门进一步审核后再议"), _("建议核实资金需求后再议"), _("建议补充材料后再议")],
            },
            "other": {
                "agree": [_("同意该方案"), _("同意，建议抓紧组织实施"), _("同意，请按程序抓紧办理")],
                "disagree": [_("方案需进一步完善"), _("依据不充分"), _("情况说明不够清楚")],
                "defer": [
                    _("情况尚不清楚，建议进一步调研"),
                    _("建议补充材料后再议"),
                    _("建议征求相关部门意见后再议"),
                ],
            },
        },
        "deferPhrases": [_("重大问题尚不明确"), _("意见分歧较大"), _("需进一步调研论证")],
        "ask": {
            "closed": _("会议已结束，谢谢。"),
            "refused": _("本链接已不能进入会议室。"),
            "obsScheduled": _("会议尚未开始。"),
            "obsWaiting": _("请稍候，等待下一议题。"),
            "obsDiscussion": _("议题汇报讨论中。"),
            "obsOpinions": _("与会成员正在发表意见。"),
            "absent": _("您已请假，不在会上发表意见；可对议题提交书面意见。"),
            "left": _("您已离席。如需返回会场，请点击“签到”。"),
            "expectedBefore": _("请点击“签到”确认到会。"),
            "expectedDuring": _("会议已开始，请点击“签到”。"),
            "scheduled": _("您已签到，会议即将开始，请稍候。"),
            "waitFirst": _("请稍候，等待开始审议议题。"),
            "waitNext": _("本议题已结束，请稍候，等待下一议题。"),
            "recused": _("本议题您需回避。"),
            "discussion": _("议题汇报讨论中。请查阅材料，主持人请大家发表意见后再表态。"),
            "sending": _("您的意见正在发送，请稍候。"),
            "chairLastNow": _("其他成员均已发表意见，请您最后发表意见。"),
            "chairDecide": _("请在集体讨论的基础上作出决定。"),
            "chairDone": _("您的意见已记录，请秘书宣布表决结果。"),
            "speak": _("请发表意见：同意、不同意或缓议，并说明理由。"),
            "mayCorrect": _("您的意见已记录。主持人发表意见前，您可以更改。"),
            "final": _("主持人已发表意见，等待宣布结果。"),
            "closedForYou": _("主持人已发表意见，本议题不再接受意见。"),
        },
        "progress": _("已表态 {spoken} / {eligible}"),
        "chairProgress": _("已发表意见 {spoken} / {eligible} 人"),
        "chairWaiting": _("，尚有 {n} 人未发表"),
        "chairAllDone": _("，其他成员均已发表意见"),
        "chairDiscussion": _("议题汇报讨论中，尚未请成员发表意见。"),
        "notSpokenTitle": _("尚未发表意见："),
        "chairLastMark": _("（主持人，最后发表）"),
        "allSpoken": _("全部成员均已发表意见。"),
        "majority": _(
            "表决情况：同意 {agree}，不同意 {disagree}，缓议 {defer}；按多数意见为“{verdict}”（赞成 {yes} 票，须 {needed} 票）。"
        ),
        "verdictPass": pgettext("verdict", "通过"),
        "verdictFail": pgettext("verdict", "未通过"),
        "decided": _("决定已记录。"),
        "deferNeedReason": _("暂缓决策须说明理由。"),
        "deferred": _("已暂缓决策。"),
        "checkedIn": _("已签到。"),
        "writtenFor": _("{title}"),
        "writtenCurrent": _("（正在审议）"),
        "writtenDone": _("书面意见已提交 {at}：{stance}"),
        "writtenPending": _("待确认：书面意见“{stance}”正在发送…"),
        "writtenSubmit": _("提交书面意见"),
        "writtenSent": _("书面意见已提交。"),
        "writtenNoItems": _("目前没有可以提交书面意见的议题。"),
        "writtenToggle": _("无法到会？提交书面意见"),
        "writtenReason": _("理由（选择不同意、缓议时必填）"),
        "chooseStanceFirst": _("请先选择同意、不同意或缓议。"),
        "history": _("{date} 第{session}次会议：{result}{reason}"),
        "historyReason": _("（理由：{reason}）"),
        "materialOpen": _("打开"),
        "materialCannot": _("此类文件不能在页面内显示，请点击“下载”查看。"),
        "pdfCannot": _("本设备的浏览器不能在页面内显示 PDF 材料。"),
        "pdfOpenTab": _("在新标签页中打开材料（会议页面保持打开）"),
        "pdfLoading": _("正在打开材料…"),
        "pdfPage": _("第 {n} / {total} 页"),
        "pdfPageLabel": _("第 {n} 页"),
        "pdfFailed": _("此 PDF 不能在页面内显示，请点击“下载”查看。"),
        "pdfPassword": _("此 PDF 设有密码，不能在页面内显示，请点击“下载”查看。"),
        "pdfPageFailed": _("本页不能显示，请点击“下载”查看。"),
        "resultTitle": _("表决结果"),
        "resultTally": _("同意 {agree} · 不同意 {disagree} · 缓议 {defer}"),
        "resultRule": _("赞成 {yes} 票；通过须 {needed} 票（应到会 {n} 人）"),
        "resultWritten": _("书面意见：同意 {a}，不同意 {d}，缓议 {f}（{counted}）"),
        "writtenCounted": _("计入表决"),
        "writtenNotCounted": _("不计入表决"),
        "deferReason": _("暂缓理由：{r}"),
        "headReason": _("主持人说明的理由：{r}"),
        "majorityWas": _("表决多数意见：{v}（赞成 {yes} 票，过半数须 {needed} 票）"),
        "status": {
            "pending": _("待审议"),
            "open": _("审议中"),
            "voting": _("征求意见"),
            "closed": _("已结束"),
            "deferred": _("暂缓决策"),
        },
        "meetingStatus": {
            "scheduled": _("未开始"),
            "in_session": _("进行中"),
            "closed": _("已结束"),
        },
        "phraseSep": _("；"),
    },
    # static/js/tablet-minutes.js: the minutes on the tablet after the meeting
    "minutes": {
        "loading": _("正在读取会议纪要…"),
        "awaitYou": _("会议纪要草稿已生成，请您审定。"),
        "awaitChair": _("会议纪要草稿已生成，待主持人审定。"),
        "approved": _("会议纪要已于 {at} 审定（{by}），待会议秘书归档。"),
        "archived": _("会议纪要已于 {at} 审定（{by}）并已归档。"),
        "openItems": _("尚有议题未作出决定或暂缓决策，暂不能审定：{titles}。"),
        "openItemsChair": _("请会议秘书处理后再审定。"),
        "read": _("阅读{label}"),
        "draft": _("（草稿）"),
        "download": _("下载{label}（第{version}版，Word）"),
        "nothingYet": _("纪要公开版在纪要审定后公开。"),
        "failed": _("暂时无法读取会议纪要，请稍后刷新页面。"),
        "confirmTitle": _("审定会议纪要"),
        "confirmText": _(
            "审定后，纪要交会议秘书归档，文字不能再直接修改（如需改动，须以更正方式进行并保留记录）。确定审定吗？"
        ),
        "confirmOk": _("确认审定"),
        "approvedNotice": _("纪要已审定。"),
        "offline": _("连接中断，审定未能发送，请稍后再试。"),
        "sep": _("、"),
    },
    # static/js/console*.js: the secretary's console
    "console": {
        "meetingStatus": {
            "scheduled": _("未开始"),
            "in_session": _("会议进行中"),
            "closed": _("已散会"),
        },
        "itemStatus": {
            "pending": _("待审议"),
            "open": _("汇报讨论中"),
            "voting": _("征求意见中"),
            "closed": _("已结束"),
            "deferred": _("暂缓决策"),
        },
        "stance": {
            "agree": _("同意"),
            "disagree": _("不同意"),
            "defer": _("缓议"),
        },
        "online": _("在线"),
        "offline": _("未连接"),
        "chair": _("主持人"),
        "arrived": _("到会 {t}"),
        "left": _("离席 {t}"),
        "rollPresent": _("出席"),
        "rollLate": _("迟到"),
        "rollAbsent": pgettext("roll call", "请假"),
        "rollLeft": _("离席"),
        "absentTitle": _("登记请假：{name}"),
        "absentLabel": _("请假事由（必填）"),
        "absentNeed": _("请假须注明事由。"),
        "leftTitle": _("登记中途离席：{name}"),
        "leftLabel": _("离席事由（可不填）"),
        "quorumN": _("应到"),
        "quorumPresent": _("实到"),
        "quorumOpen": _("开会须"),
        "quorumPass": _("通过须"),
        "people": _("人"),
        "votes": _("票"),
        "quorumOk": _("已达到开会人数（{fraction}，至少 {needed} 人）"),
        "quorumBad": _("未达到开会人数：须{fraction}（至少 {needed} 人）到会"),
        "cannotPass": _("已达开会人数，但出席人数不足以通过任何议题"),
        "cannotPassDetail": _("实到 {present} 人，少于通过所需的 {needed} 票（{rule}）。"),
        "passRule": _("通过规则：{rule}"),
        "counts": _("出席 {present} · 迟到 {late} · 请假 {absent} · 离席 {left} · 未签到 {expected}"),
        "observers": _("列席人员"),
        "noCurrent": _("当前没有正在审议的议题。"),
        "nextItem": _("下一议题：{title}"),
        "openNext": _("开始审议"),
        "noPending": _("议程中已没有待审议的议题。"),
        "notInSession": _("会议尚未宣布开始：请先点名，达到开会人数后宣布开会。"),
        "meetingClosed": _("会议已散会。"),
        "round": _("第{n}轮"),
        "presenter": _("汇报人：{p}"),
        "unit": _("提交单位：{u}"),
        "amount": _("金额：{a}"),
        "subjects": _("涉及人员："),
        "itemQuorumOk": _("本议题可以作出决定：参与 {present} 人 / 应到 {n} 人，须{fraction}（至少 {needed} 人）"),
        "itemQuorumBad": _("本议题不能作出决定：参与 {present} 人 / 应到 {n} 人，须{fraction}（至少 {needed} 人）"),
        "progress": _("已发表意见 {spoken} / {eligible}"),
        "chairWaiting": _("主持人：等待其他成员发表意见（尚有 {n} 人）"),
        "chairMay": _("主持人：其他成员均已发表，可以最后发表意见"),
        "chairSpoken": _("主持人：已最后发表意见"),
        "chairNotEligible": _("主持人：不参与本议题"),
        "cannotStillPass": _("按目前意见，本议题已不可能获得通过所需的 {needed} 票。"),
        "tally": _("同意 {agree} · 不同意 {disagree} · 缓议 {defer}"),
        "tallyYes": _("赞成 {yes} 票 / 通过须 {needed} 票（应到会 {n} 人，{rule}）"),
        "headMode": _("本领导班子实行行政首长负责制：集体讨论后由主持人作出决定。"),
        "noOpinions": _("尚无成员发表意见。"),
        "allSpoken": _("全部成员均已发表意见。"),
        "version": _("（第{v}次更正）"),
        "recusalNone": _("无回避。"),
        "recusalAuto": _("依关系自动"),
        "recusalManual": _("手工登记"),
        "recusalRemove": _("撤销"),
        "recusalNeedReason": _("登记回避须写明理由。"),
        "recusalPick": _("请选择回避成员。"),
        "writtenNone": _("无书面意见。"),
        "writtenBySelf": _("本人提交"),
        "writtenBySecretary": _("秘书登记"),
        "writtenPick": _("请选择缺席成员（到会成员请在会上发表意见）。"),
        "writtenNoAbsent": _("（没有缺席成员）"),
        "writtenNeedReason": _("选择“{stance}”时必须说明理由。"),
        "pickPerson": _("选择成员…"),
        "notesSaved": _("已保存 {t}"),
        "notesSaving": _("保存中…"),
        "deferTitle": pgettext("action", "暂缓决策"),
        "deferLabel": _("暂缓决策的理由（必填）"),
        "deferHint": _("议题存在重大问题尚不明确或意见分歧较大的，由主持人决定暂缓决策。"),
        "deferNeed": _("暂缓决策须说明理由。"),
        "headTitleAdopt": pgettext("dialog", "记录主持人决定：通过"),
        "headTitleReject": pgettext("dialog", "记录主持人决定：不通过"),
        "headLabel": _("理由（与多数人意见不一致时必须说明）"),
        "closeMeetingTitle": pgettext("dialog", "宣布散会"),
        "closeMeetingText": _("散会后，所有成员的个人链接随即失效。确定宣布散会吗？"),
        "closeMeetingOk": _("宣布散会"),
        "reconsiderTitle": _("复议：{title}"),
        "reconsiderHint": _("复议须经超过全体成员半数同意。请勾选同意复议的成员并写明理由。"),
        "reconsiderLabel": _("复议理由（必填）"),
        "reconsiderNeed": _("复议须写明理由。"),
        "reconsider": _("复议"),
        "missing": _("未完成：{steps}"),
        "carried": _("（前次会议暂缓，再次提交）"),
        "opened": _("已开始审议。"),
        "done": _("已完成。"),
        "lastResult": _("上一议题结果"),
        "resultTally": _("同意 {agree} · 不同意 {disagree} · 缓议 {defer} · 赞成 {yes} / 须 {needed}（应到 {n}）"),
        "deferReason": _("暂缓理由：{r}"),
        "headReason": _("主持人理由：{r}"),
        "written": _("书面意见：同意 {a} · 不同意 {d} · 缓议 {f}（{c}）"),
        "writtenCounted": _("计入表决"),
        "writtenNotCounted": _("不计入表决"),
        "scan": _("扫描件"),
        "scanUploaded": _("扫描件已上传。"),
        "scanFailed": _("扫描件上传失败，请重试。"),
        "chairIs": _("主持人：{name}"),
        "recorder": _("记录人：{name}"),
        "yuan": _("{a}元"),
        "paren": _("（{x}）"),
        "listSep": _("、"),
        "subjectSep": _("；"),
        "recusalSubject": _("与{name}"),
        "recusalSep": _("："),
        "rollTitle": _("{label}：{name}"),
        "submittedAt": _("（{by} {at}）"),
    },
    # static/js/projector.js: the big screen
    "projector": {
        "attendance": _("应到会 {n} 人 · 实到 {present} 人"),
        "itemNo": _("第{n}项议题"),
        "presenter": _("汇报人：{p}"),
        "discussion": _("汇报讨论中"),
        "opinions": _("请与会成员发表意见"),
        "progress": _("已表态 {spoken} / {eligible}"),
        "tally": _("同意 {agree}　不同意 {disagree}　缓议 {defer}"),
        "rule": _("赞成 {yes} 票；通过须 {needed} 票（应到会 {n} 人）"),
        "majority": _("表决多数意见：{v}（赞成 {yes} 票，过半数须 {needed} 票）"),
        "pass": pgettext("verdict", "通过"),
        "fail": pgettext("verdict", "未通过"),
        "written": _("书面意见：同意 {a}，不同意 {d}，缓议 {f}（{c}）"),
        "writtenCounted": _("计入表决"),
        "writtenNotCounted": _("不计入表决"),
        "scheduled": _("会议即将开始"),
        "waiting": _("请稍候"),
        "closed": _("会议已结束"),
        "status": {
            "pending": _("待审议"),
            "open": _("审议中"),
            "voting": _("征求意见"),
            "closed": _("已结束"),
            "deferred": _("暂缓决策"),
        },
    },
    # static/js/setup.js: the setting-up pages
    "setup": {
        "saving": _("正在保存顺序…"),
        "saved": _("已保存议题顺序。"),
        "notSaved": _("未能保存顺序。"),
        "offline": _("网络中断，顺序未保存，请重试。"),
        "amountIs": _("＝ {yuan}元（{wan}万元）"),
        "amountBad": _("写法无法识别，请写成如“1850万元”“0.5亿元”或“1850”（万元）"),
    },
}

#: the parts a page may ask for; templates write
#:     <script type="application/json" id="yishi-strings">{{ js_strings('room', 'tablet')|tojson }}</script>
PARTS = tuple(TABLES) + ("vocabulary",)


def _resolved(value: Any) -> Any:
    """A lazy string in the locale of the request; dictionaries and lists of phrases walked through."""
    if isinstance(value, dict):
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v) for v in value]
    return str(value)


def vocabulary_table() -> dict[str, str]:
    """The room state carries the Chinese labels of voting/vocabulary.py; a page in another language shows each
    through the catalogue. Only the labels whose translation differs are sent (none on a Chinese page)."""
    labels = {label for name, table in vars(vocabulary).items() if name.endswith("_LABELS") for label in table.values()}
    return {label: text for label in sorted(labels) if label and (text := gettext(label)) != label}


def js_strings(*parts: str) -> dict[str, Any]:
    """The named parts of the scripts' table, in the locale of the request."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise KeyError(f"no script strings named {sorted(unknown)}")
    return {p: vocabulary_table() if p == "vocabulary" else _resolved(TABLES[p]) for p in parts}
