"""Payloads of every action, validated the same way for Socket.IO events, the JSON API and HTML forms.

pydantic models: they also give the JSON Schemas of the OpenAPI document (``/api/v1/openapi.json``).
"""

from __future__ import annotations

from collections.abc import Mapping

from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from voting.vocabulary import (
    Attendance,
    BodyKind,
    DecisionMode,
    ItemCategory,
    MeetingKind,
    PreparationStep,
    Stance,
    StepState,
)

from .errors import InvalidPayload

Name = Annotated[str, Field(min_length=1, max_length=64)]
Text200 = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(max_length=2000)]
Id = Annotated[int, Field(ge=1)]
ClientId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


P = TypeVar("P", bound=Payload)


FIELD_LABELS = {
    "name": "名称", "kind": "类型", "decision_mode": "决策方式", "profile": "规则配置", "title": "职务",
    "unit": "单位", "person_ids": "成员名单", "person_a_id": "人员甲", "person_b_id": "人员乙", "type": "关系类型",
    "reason": "理由", "body_id": "领导班子", "session_number": "届次（第×次）", "starts_at": "会议时间",
    "place": "地点", "chair_person_id": "主持人", "recorder_name": "记录人", "role": "身份",
    "category": "议题类别", "presenter": "汇报人", "submitting_unit": "提交单位", "summary": "内容摘要",
    "amount_yuan": "金额", "subjects": "任免对象", "step": "准备事项", "state": "准备状态", "note": "说明",
    "item_ids": "议题顺序", "item_id": "议题", "copy_observers_from_meeting_id": "复制列席人员的会议",
    "client_id": "客户端编号", "round": "轮次", "stance": "意见", "person_id": "成员", "attendance": "出席情况",
    "adopt": "决定", "agreeing_person_ids": "同意复议的成员", "notes": "备注",
}
MODEL_FIELD_LABELS = {
    "PersonIn": {"name": "姓名"}, "ObserverIn": {"name": "姓名"}, "ItemIn": {"title": "议题名称"},
    "MeetingIn": {"kind": "会议类型"},
}
# pydantic error type → how it is said in Chinese
ERROR_TYPES = {
    "missing": "为必填项", "string_too_short": "不能为空", "string_too_long": "过长", "too_short": "不能为空",
    "too_long": "过多", "int_parsing": "须为整数", "int_type": "须为整数", "int_from_float": "须为整数",
    "datetime_parsing": "须为有效的日期和时间", "datetime_from_date_parsing": "须为有效的日期和时间",
    "datetime_type": "须为有效的日期和时间", "greater_than_equal": "须为正数", "greater_than": "须为正数",
    "less_than_equal": "过大", "enum": "取值无效", "literal_error": "取值无效", "bool_parsing": "须为是或否",
    "bool_type": "须为是或否", "string_pattern_mismatch": "格式不正确", "string_type": "须为文本",
    "list_type": "须为列表", "extra_forbidden": "是未知字段", "dict_type": "须为对象", "model_type": "须为对象",
    "date_parsing": "须为有效的日期（如 2024-03-31）", "date_from_datetime_parsing": "须为有效的日期（如 2024-03-31）",
    "date_type": "须为有效的日期（如 2024-03-31）", "date_from_datetime_inexact": "须为有效的日期（如 2024-03-31）",
}


def parse(model: type[P], data: object, labels: Mapping[str, str] | None = None,
          errors: Mapping[str, str] | None = None) -> P:
    """Validate ``data`` or raise :class:`InvalidPayload` naming the field in Chinese (nothing changes).

    The secretary and the tablet never read a pydantic message: "请求格式不正确：名称不能为空".
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidPayload(detail="应为 JSON 对象")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        field = loc[0] if loc else ""
        label = ((labels or {}).get(field) or MODEL_FIELD_LABELS.get(model.__name__, {}).get(field)
                 or FIELD_LABELS.get(field, field) or "请求")
        kind = first.get("type", "")
        if kind == "value_error":  # our own validators speak Chinese already
            said = "：" + str(first.get("msg", "")).removeprefix("Value error, ")
        else:
            said = (errors or {}).get(kind) or ERROR_TYPES.get(kind, "取值无效")
        raise InvalidPayload(detail=f"{label}{said}") from None


# ---------------------------------------------------------------- setup


class BodyIn(Payload):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: BodyKind = BodyKind.GOVERNMENT
    decision_mode: DecisionMode = DecisionMode.MAJORITY
    profile: Annotated[str, Field(min_length=1, max_length=64)] = "seed003"


class PersonIn(Payload):
    name: Name
    title: Annotated[str, Field(max_length=100)] = ""
    unit: Annotated[str, Field(max_length=100)] = ""


class MembersIn(Payload):
    """The body's members in seniority order; the first is the head (区长/书记)."""

    person_ids: Annotated[list[Id], Field(max_length=5000)]

    @field_validator("person_ids")
    @classmethod
    def _unique(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("同一人不能重复列入成员名单")
        return v


class RelationIn(Payload):
    person_a_id: Id
    person_b_id: Id
    type: Annotated[str, Field(min_length=1, max_length=16)]
    reason: Annotated[str, Field(max_length=500)] = ""


class MeetingIn(Payload):
    body_id: Id
    kind: MeetingKind
    session_number: Annotated[int, Field(ge=1, le=100000)]
    starts_at: datetime  # wall-clock time in the configured zone (Asia/Shanghai)
    place: Text200 = ""
    chair_person_id: Id | None = None  # default: the head of the body
    recorder_name: Annotated[str, Field(max_length=64)] = ""
    copy_observers_from_meeting_id: Id | None = None


class ObserverIn(Payload):
    name: Name
    unit: Annotated[str, Field(max_length=100)] = ""
    role: Annotated[str, Field(max_length=64)] = ""


class SubjectIn(Payload):
    person_id: Id
    action: Text200 = ""


class ItemIn(Payload):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    category: ItemCategory
    presenter: Annotated[str, Field(max_length=64)] = ""
    submitting_unit: Annotated[str, Field(max_length=100)] = ""
    summary: Annotated[str, Field(max_length=20000)] = ""
    amount_yuan: Annotated[int, Field(ge=0)] | None = None
    confidential: bool = False
    subjects: Annotated[list[SubjectIn], Field(max_length=200)] = []


class StepIn(Payload):
    step: PreparationStep
    state: StepState
    note: Annotated[str, Field(max_length=500)] = ""


class ReorderIn(Payload):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class CarryOverIn(Payload):
    item_id: Id


# ---------------------------------------------------------------- the live room


class RollCallIn(Payload):
    person_id: Id
    attendance: Attendance
    reason: Text200 = ""


class ItemRef(Payload):
    item_id: Id


class OpinionIn(Payload):
    client_id: ClientId
    item_id: Id
    round: Annotated[int, Field(ge=1)]
    stance: Stance
    reason: Reason = ""


class WrittenOpinionIn(Payload):
    item_id: Id
    person_id: Id | None = None  # required when the secretary enters it; a member's own link fills it
    stance: Stance
    reason: Reason = ""
    client_id: ClientId | None = None


class DeferIn(Payload):
    item_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class HeadDecisionIn(Payload):
    item_id: Id
    adopt: bool
    reason: Reason = ""


class RecusalIn(Payload):
    item_id: Id
    person_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class RecusalRemoveIn(Payload):
    item_id: Id
    person_id: Id


class ReconsiderIn(Payload):
    item_id: Id
    agreeing_person_ids: Annotated[list[Id], Field(max_length=5000)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class NotesIn(Payload):
    item_id: Id
    notes: Annotated[str, Field(max_length=20000)]


class Empty(Payload):
    pass
