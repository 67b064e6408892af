"""The domain's words as stable codes with their Chinese names.

Codes are stored in the database and sent over the wire; labels are what people read. English labels live in
the translation catalogue, keyed by the Chinese text.
"""

from __future__ import annotations

from enum import StrEnum


class MeetingKind(StrEnum):
    PLENARY = "plenary"  # 全体会议
    EXECUTIVE = "executive"  # 常务会议
    PARTY_GROUP = "party_group"  # 党组会议
    SPECIAL = "special"  # 专题会议


MEETING_KIND_LABELS = {
    MeetingKind.PLENARY: "全体会议",
    MeetingKind.EXECUTIVE: "常务会议",
    MeetingKind.PARTY_GROUP: "党组会议",
    MeetingKind.SPECIAL: "专题会议",
}


class ItemCategory(StrEnum):
    MAJOR_DECISION = "major_decision"  # 重大事项决策
    PERSONNEL = "personnel"  # 重要干部任免
    MAJOR_PROJECT = "major_project"  # 重大项目安排
    LARGE_FUNDS = "large_funds"  # 大额资金使用
    OTHER = "other"


ITEM_CATEGORY_LABELS = {
    ItemCategory.MAJOR_DECISION: "重大事项决策",
    ItemCategory.PERSONNEL: "重要干部任免",
    ItemCategory.MAJOR_PROJECT: "重大项目安排",
    ItemCategory.LARGE_FUNDS: "大额资金使用",
    ItemCategory.OTHER: "其他事项",
}


class Stance(StrEnum):
    AGREE = "agree"  # 同意
    DISAGREE = "disagree"  # 不同意
    DEFER = "defer"  # 缓议


STANCE_LABELS = {Stance.AGREE: "同意", Stance.DISAGREE: "不同意", Stance.DEFER: "缓议"}


class DecisionMode(StrEnum):
    MAJORITY = "majority"
    HEAD_DECIDES = "head_decides"


DECISION_MODE_LABELS = {
    DecisionMode.MAJORITY: "少数服从多数（表决）",
    DecisionMode.HEAD_DECIDES: "行政首长负责制（集体讨论，首长决定）",
}


class BodyKind(StrEnum):
    GOVERNMENT = "government"
    PARTY_GROUP = "party_group"
    OTHER = "other"


BODY_KIND_LABELS = {
    BodyKind.GOVERNMENT: "人民政府",
    BodyKind.PARTY_GROUP: "党组",
    BodyKind.OTHER: "其他",
}


class PreparationStep(StrEnum):
    LEGALITY_REVIEW = "legality_review"  # 合法性审查
    EXPERT_REVIEW = "expert_review"  # 专家论证
    PUBLIC_PARTICIPATION = "public_participation"  # 公众参与/听证
    RISK_ASSESSMENT = "risk_assessment"  # 社会稳定风险评估
    INTERDEPARTMENT = "interdepartment"  # 部门会商


PREPARATION_STEP_LABELS = {
    PreparationStep.LEGALITY_REVIEW: "合法性审查",
    PreparationStep.EXPERT_REVIEW: "专家论证",
    PreparationStep.PUBLIC_PARTICIPATION: "公众参与/听证",
    PreparationStep.RISK_ASSESSMENT: "社会稳定风险评估",
    PreparationStep.INTERDEPARTMENT: "部门会商",
}


class StepState(StrEnum):
    NOT_STARTED = "not_started"
    DONE = "done"
    FAILED = "failed"  # e.g. found unlawful
    NOT_APPLICABLE = "not_applicable"


STEP_STATE_LABELS = {
    StepState.NOT_STARTED: "未开展",
    StepState.DONE: "已完成",
    StepState.FAILED: "未通过",
    StepState.NOT_APPLICABLE: "不适用",
}


class ItemResult(StrEnum):
    PASSED = "passed"  # 通过
    NOT_PASSED = "not_passed"  # 未通过
    DEFERRED = "deferred"  # 暂缓决策
    HEAD_ADOPTED = "head_adopted"  # 首长决定：通过
    HEAD_REJECTED = "head_rejected"  # 首长决定：不通过
    WITHDRAWN = "withdrawn"  # 撤回 (by its submitting unit, before it was opened: voting/conclusion.py)


ITEM_RESULT_LABELS = {
    ItemResult.PASSED: "通过",
    ItemResult.NOT_PASSED: "未通过",
    ItemResult.DEFERRED: "暂缓决策",
    ItemResult.HEAD_ADOPTED: "主持人决定：通过",
    ItemResult.HEAD_REJECTED: "主持人决定：不通过",
    ItemResult.WITHDRAWN: "撤回",
}

# deadends: an item set aside before it was opened (voting/conclusion.py) — how its result reads
SET_ASIDE_LABELS = {
    ItemResult.DEFERRED: "暂缓审议",
    ItemResult.WITHDRAWN: "撤回",
}


class Attendance(StrEnum):
    EXPECTED = "expected"  # 未签到
    PRESENT = "present"  # 出席
    LATE = "late"  # 迟到 (present from arrival)
    ABSENT = "absent"  # 请假/缺席, with a reason
    LEFT = "left"  # 中途离席


ATTENDANCE_LABELS = {
    Attendance.EXPECTED: "未签到",
    Attendance.PRESENT: "出席",
    Attendance.LATE: "迟到",
    Attendance.ABSENT: "请假",
    Attendance.LEFT: "离席",
}

PRESENT_STATES = frozenset({Attendance.PRESENT, Attendance.LATE})
