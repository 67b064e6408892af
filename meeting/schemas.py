"""Payloads of every action, validated the same way for Socket.IO events, the JSON API and HTML forms.

pydantic models: they also give the JSON Schemas of the OpenAPI document (``/api/v1/openapi.json``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from voting.profiles import DEFAULT_PROFILE, canonical_name
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

# ---------------------------------------------------------------- what no input may carry into the record

# Characters a stored text may not hold: XML 1.0 refuses C0 controls other than tab, line feed and carriage
# return, U+FFFE/U+FFFF and lone surrogates (python-docx cannot write them, so one of them in a reason would make
# the 会议记录 un-archivable); bidi overrides and isolates (U+202A–202E, U+2066–2069) can make a record read
# otherwise than it is stored ("Trojan Source"). NUL is among the C0 controls (PostgreSQL refuses it in text).
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# how deep a payload may nest (the deepest schema nests 3: an item's subjects, a milestone's pair)
MAX_DEPTH = 16
# the database's integer (PostgreSQL INTEGER): every id, and any count or number stored in such a column
DB_INT_MAX = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999


def unsafe_char(text: str) -> str | None:
    """The first character of ``text`` no stored text may hold, or None."""
    found = UNSAFE_TEXT.search(text)
    return found.group() if found else None


def char_name(char: str) -> str:
    return f"U+{ord(char):04X}"


def clean_text(text: str) -> str:
    """``text`` without the characters :data:`UNSAFE_TEXT` names: for writing rows stored before they were
    refused at the boundary (the document builder can never meet one)."""
    return UNSAFE_TEXT.sub("", text) if text else text


def check_text(value: str, label: str) -> str:
    """Refuse a free text that is not a pydantic field (an uploaded file's name): :class:`InvalidPayload`
    naming the field, nothing stored."""
    char = unsafe_char(value or "")
    if char is not None:
        raise InvalidPayload(detail=f"{label}含有不允许的控制字符（{char_name(char)}）")
    return value


def _unsafe_in(data: object) -> tuple[tuple, str | None] | None:
    """Where in a payload (its location) a string holds an unsafe character, or where it nests too deep
    (character None). Iterative: a 50,000-level nesting is answered, not a RecursionError."""
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, str):
            char = unsafe_char(value)
            if char is not None:
                return loc, char
        elif isinstance(value, (dict, list, tuple)):
            if len(loc) >= MAX_DEPTH:
                return loc, None
            if isinstance(value, dict):
                for k, v in value.items():
                    if isinstance(k, str) and unsafe_char(k) is not None:
                        return loc + (k,), unsafe_char(k)
                    stack.append((v, loc + (k,)))
            else:
                stack.extend((v, loc + (i,)) for i, v in enumerate(value))
    return None


def _not_a_number(value: object) -> object:
    """A date or time is written as text (ISO 8601), never a number: -1 is not 1969-12-31T23:59:59Z."""
    if isinstance(value, (int, float)):  # bool is an int
        raise PydanticCustomError("date_from_number", "date or time given as a number")
    return value


def _in_years(value):
    """A date or time between 1900 and 2999: the ledger adds days and months to it (9999-12-31 would overflow)."""
    if not (MIN_YEAR <= value.year <= MAX_YEAR):
        raise PydanticCustomError("year_range", "year out of range")
    return value


def _no_bool(value: object) -> object:
    """An integer is never a bool (true is not 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "bool is not an integer")
    return value


Int = Annotated[int, BeforeValidator(_no_bool)]
Name = Annotated[str, Field(min_length=1, max_length=64)]
Text200 = Annotated[str, Field(max_length=200)]
Reason = Annotated[str, Field(max_length=2000)]
Id = Annotated[Int, Field(ge=1, le=DB_INT_MAX)]
Count = Annotated[Int, Field(ge=1, le=1000)]  # a round's number, …
Money = Annotated[Int, Field(ge=0, le=10**15)]  # 元 (a BIGINT column holds 9.2 × 10**18)
Bool = StrictBool  # true/false only: 0, "0", "no" are refused in the API (forms convert their checkbox first)
DateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_in_years)]
Day = Annotated[date, BeforeValidator(_not_a_number), AfterValidator(_in_years)]
ClientId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Payload(BaseModel):
    """Every payload (Socket.IO, JSON API, HTML forms): unknown fields refused; no text may hold a character of
    :data:`UNSAFE_TEXT`, and no payload nests deeper than :data:`MAX_DEPTH` — checked before any field, so the
    refusal names the field and nothing is stored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _safe_input(cls, data: object) -> object:
        found = _unsafe_in(data)
        if found is not None:
            loc, char = found
            if char is None:
                error = PydanticCustomError("too_deep", "nested too deep")
            else:
                error = PydanticCustomError("unsafe_text", "contains {char}", {"char": char_name(char)})
            raise ValidationError.from_exception_data(
                cls.__name__, [InitErrorDetails(type=error, loc=tuple(loc[:1]) or ("",), input=None)]
            )
        return data


P = TypeVar("P", bound=Payload)


FIELD_LABELS = {
    "name": "名称",
    "kind": "类型",
    "decision_mode": "决策方式",
    "profile": "规则配置",
    "title": "职务",
    "unit": "单位",
    "person_ids": "成员名单",
    "person_a_id": "人员甲",
    "person_b_id": "人员乙",
    "type": "关系类型",
    "reason": "理由",
    "body_id": "领导班子",
    "session_number": "届次（第×次）",
    "starts_at": "会议时间",
    "place": "地点",
    "chair_person_id": "主持人",
    "recorder_name": "记录人",
    "role": "身份",
    "category": "议题类别",
    "presenter": "汇报人",
    "submitting_unit": "提交单位",
    "summary": "内容摘要",
    "amount_yuan": "金额",
    "subjects": "任免对象",
    "step": "准备事项",
    "state": "准备状态",
    "note": "说明",
    "item_ids": "议题顺序",
    "item_id": "议题",
    "copy_observers_from_meeting_id": "复制列席人员的会议",
    "client_id": "客户端编号",
    "round": "轮次",
    "stance": "意见",
    "person_id": "成员",
    "attendance": "出席情况",
    "adopt": "决定",
    "agreeing_person_ids": "同意复议的成员",
    "notes": "备注",
}
MODEL_FIELD_LABELS = {
    "PersonIn": {"name": "姓名"},
    "ObserverIn": {"name": "姓名"},
    "ItemIn": {"title": "议题名称"},
    "MeetingIn": {"kind": "会议类型"},
}
# pydantic error type → how it is said in Chinese
ERROR_TYPES = {
    "missing": "为必填项",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "too_short": "不能为空",
    "too_long": "过多",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "datetime_parsing": "须为有效的日期和时间",
    "datetime_from_date_parsing": "须为有效的日期和时间",
    "datetime_type": "须为有效的日期和时间",
    "greater_than_equal": "须为正数",
    "greater_than": "须为正数",
    "less_than_equal": "过大",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "bool_parsing": "须为是或否",
    "bool_type": "须为是或否",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "须为文本",
    "list_type": "须为列表",
    "extra_forbidden": "是未知字段",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "date_parsing": "须为有效的日期（如 2024-03-31）",
    "date_from_datetime_parsing": "须为有效的日期（如 2024-03-31）",
    "date_type": "须为有效的日期（如 2024-03-31）",
    "date_from_datetime_inexact": "须为有效的日期（如 2024-03-31）",
    "date_from_number": "须为文本形式的日期或时间（如 2024-03-31 或 2024-03-31T09:00）",
    "too_deep": "嵌套层级过深",
    "year_range": f"须在 {MIN_YEAR}–{MAX_YEAR} 年之间",
    "bool_type_strict": "须为是或否",
    "int_from_bool": "须为整数",
    "float_type": "须为数字",
}


def parse(
    model: type[P], data: object, labels: Mapping[str, str] | None = None, errors: Mapping[str, str] | None = None
) -> P:
    """Validate ``data`` or raise :class:`InvalidPayload` naming the field in Chinese (nothing changes).

    The secretary and the tablet never read a pydantic message nor a field's programming name: "名称不能为空".
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidPayload(detail="提交的内容无法识别，请刷新页面后重试")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        field = loc[0] if loc else ""
        label = (
            (labels or {}).get(field)
            or MODEL_FIELD_LABELS.get(model.__name__, {}).get(field)
            or FIELD_LABELS.get(field, field)  # every field of a form has its label; the API's are named as documented
            or "所填内容"
        )
        kind = first.get("type", "")
        if first.get("input", ...) is None and kind.endswith("_type"):  # a form's empty number or choice
            kind = "missing"
        if kind == "value_error":  # our own validators speak Chinese already
            said = "：" + str(first.get("msg", "")).removeprefix("Value error, ")
        elif kind == "unsafe_text":
            said = f"含有不允许的控制字符或文字方向控制字符（{(first.get('ctx') or {}).get('char', '')}）"
        else:
            said = (errors or {}).get(kind) or ERROR_TYPES.get(kind, "取值无效")
        raise InvalidPayload(detail=f"{label}{said}") from None


# ---------------------------------------------------------------- setup


class BodyIn(Payload):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: BodyKind = BodyKind.GOVERNMENT
    decision_mode: DecisionMode = DecisionMode.MAJORITY
    profile: Annotated[str, Field(min_length=1, max_length=64)] = DEFAULT_PROFILE
    # the body's practice (meeting/room/floor.py): members ask for the floor from their tablets; each speaker timed
    # against this many minutes (0: timed only where requests are used, with no limit)
    floor_requests: bool = False
    speaking_limit_minutes: Annotated[int, Field(ge=0, le=120)] = 0

    @field_validator("profile")
    @classmethod
    def _today_s_profile_name(cls, v: str) -> str:
        return canonical_name(v)  # an old script's "seed003" is stored as the profile it became


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
    session_number: Annotated[Int, Field(ge=1, le=100000)]
    starts_at: DateTime  # wall-clock time in the configured zone (Asia/Shanghai)
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
    amount_yuan: Money | None = None
    confidential: Bool = False
    subjects: Annotated[list[SubjectIn], Field(max_length=200)] = []


class StepIn(Payload):
    step: PreparationStep
    state: StepState
    note: Annotated[str, Field(max_length=500)] = ""


class ReorderIn(Payload):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class CarryOverIn(Payload):
    item_id: Id


class CopyItemsIn(Payload):
    """Items of an earlier meeting put on a new one again (the new-meeting page's checklist)."""

    item_ids: Annotated[list[Id], Field(max_length=500)] = []

    @field_validator("item_ids")
    @classmethod
    def _unique(cls, v: list[int]) -> list[int]:
        return list(dict.fromkeys(v))


# ---------------------------------------------------------------- the live room


class RollCallIn(Payload):
    person_id: Id
    attendance: Attendance
    reason: Text200 = ""


class ItemRef(Payload):
    item_id: Id


class PresenterIn(Payload):
    """跟随翻页: the member who presents the materials from his tablet; none (null) gives it back to the console."""

    person_id: Id | None = None


class PageTurnIn(Payload):
    """跟随翻页: the presenter shows this page of this material (h18-lanpdf)."""

    material_id: Id
    page: Annotated[Int, Field(ge=1, le=100_000)]


class OpinionIn(Payload):
    client_id: ClientId
    item_id: Id
    round: Count
    stance: Stance
    reason: Reason = ""


class ProxyOpinionIn(OpinionIn):
    """代录: a present member's spoken opinion, recorded by the secretary on his behalf."""

    person_id: Id


class WrittenOpinionIn(Payload):
    item_id: Id
    person_id: Id | None = None  # required when the secretary enters it; a member's own link fills it
    stance: Stance
    reason: Reason = ""
    client_id: ClientId | None = None


class DeferIn(Payload):
    item_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class WithdrawIn(Payload):
    """撤回议题: an item not yet opened, taken back by its submitting unit, with the reason."""

    item_id: Id
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class HeadDecisionIn(Payload):
    item_id: Id
    adopt: Bool
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


class GiveFloorIn(Payload):
    """The floor to a member on the item under way: ``request_id`` (the queue's next, or any) or ``person_id`` (a
    member who did not ask)."""

    item_id: Id
    request_id: Id | None = None
    person_id: Id | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if (self.request_id is None) == (self.person_id is None):
            raise ValueError("请指定一项发言申请或一名成员")
        return self


# ---------------------------------------------------------------- query strings and URLs


def query_int(args: Mapping[str, str], name: str, lo: int = 1, hi: int = DB_INT_MAX) -> int | None:
    """A page's filter number from the query string: None when absent, not a whole number, or outside
    [lo, hi] (a page's filter ignores what it cannot use, as before; ``year=-5`` is no year)."""
    raw = (args.get(name) or "").strip()
    if not raw or not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        return None
    value = int(raw)
    return value if lo <= value <= hi else None


def query_day(args: Mapping[str, str], name: str) -> date | None:
    """A page's filter date (2024-03-31) from the query string, or None (absent, malformed, or outside the years
    :data:`MIN_YEAR`–:data:`MAX_YEAR`: a day's bounds are computed from it)."""
    try:
        day = date.fromisoformat((args.get(name) or "").strip())
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def year_arg(args: Mapping[str, str], name: str = "year") -> int | None:
    return query_int(args, name, MIN_YEAR, MAX_YEAR)


def _id_converter():
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        """``<int:…>`` in a URL: at most the database's integer (a larger id matches no route: 404)."""

        def __init__(
            self,
            map,
            fixed_digits: int = 0,
            min: int | None = None,  # noqa: A002 - werkzeug's names
            max: int | None = DB_INT_MAX,
            signed: bool = False,
        ) -> None:  # noqa: A002
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    return IdConverter


def bound_url_ids(app) -> None:
    """Every ``<int:…>`` route of ``app`` accepts ids up to :data:`DB_INT_MAX` only; call before routes are added."""
    app.url_map.converters["int"] = _id_converter()
