"""Payloads of the execution ledger's actions (plans, reports, requests, close-out, units, accounts), validated the
same way for the JSON API and the HTML forms, with Chinese messages naming the field."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from meeting import schemas as meeting_schemas
from meeting.schemas import Bool, Day, Id, Payload

Short = Annotated[str, Field(max_length=64)]
UnitName = Annotated[str, Field(min_length=1, max_length=100)]
LongText = Annotated[str, Field(max_length=20000)]
Required = Annotated[str, Field(min_length=1, max_length=20000)]

LABELS = {
    "title": "事项名称",
    "decided_text": "决策内容",
    "category": "类别",
    "decided_on": "决策日期",
    "lead_unit": "牵头单位",
    "supporting_units": "配合单位",
    "supporting_parts": "配合单位承担部分",
    "responsible_leader": "分管领导",
    "coordinating_leader": "协调领导",
    "person_responsible": "责任人",
    "leader_person_id": "分管领导（人员）",
    "deadline": "完成时限",
    "milestones": "节点",
    "public": "公开",
    "source": "来源",
    "meeting_id": "会议",
    "item_id": "议题",
    "npc_case_id": "人大案件",
    "internal_unit": "内部承办机构",
    "measures": "工作措施",
    "schedule": "时间安排",
    "reported_on": "报告日期",
    "content": "进展情况",
    "problems": "存在问题",
    "completes": "已办结",
    "reason": "理由",
    "new_deadline": "延期后的完成时限",
    "approve": "审批意见",
    "note": "说明",
    "kind": "建议类型",
    "circumstances": "情况变化",
    "proposal": "建议",
    "trigger": "评估原因",
    "evaluator": "评估单位",
    "method": "评估方法",
    "findings": "评估结论",
    "recommendation": "评估建议",
    "evaluated_on": "评估日期",
    "leader": "签字领导",
    "signed_on": "签字日期",
    "opinion": "领导意见",
    "name": "名称",
    "active": "启用",
    "username": "用户名",
    "display_name": "姓名",
    "password": "密码",
    "role": "角色",
    "unit_id": "单位",
    "person_id": "人员",
    "agenda_meeting_id": "会议",
}

P = TypeVar("P", bound=BaseModel)


def parse(model: type[P], data: object) -> P:
    """Validate ``data`` or raise :class:`InvalidPayload` naming the field in Chinese (nothing changes)."""
    return meeting_schemas.parse(model, data, labels=LABELS)


class PlanIn(Payload):
    """执行工作方案（《呼和浩特市重大行政决策执行责任制规定》第十五条）: internal unit, responsible leader, person responsible, measures, schedule."""

    internal_unit: Annotated[str, Field(min_length=1, max_length=100)]
    responsible_leader: Annotated[str, Field(min_length=1, max_length=64)]
    person_responsible: Annotated[str, Field(min_length=1, max_length=64)]
    measures: Required
    schedule: LongText = ""


class ProgressIn(Payload):
    reported_on: Day
    content: Required
    problems: LongText = ""
    completes: Bool = False


class ExtensionIn(Payload):
    reason: Annotated[str, Field(min_length=1, max_length=5000)]
    new_deadline: Day


class ExtensionDecisionIn(Payload):
    approve: Bool
    note: Annotated[str, Field(max_length=5000)] = ""


class ProposalIn(Payload):
    """继续执行 / 停止执行 / 暂缓执行 / 调整（《呼和浩特市重大行政决策执行责任制规定》第二十一条；《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（三）3）."""

    kind: Literal["continue", "stop", "suspend", "adjust"]
    circumstances: Required
    proposal: Required


class PlaceProposalIn(Payload):
    meeting_id: Id


class EvaluationIn(Payload):
    trigger: Literal["missed_goals", "objections", "selected"]
    evaluator: Annotated[str, Field(min_length=1, max_length=100)]
    method: LongText = ""
    findings: Required
    recommendation: Literal["continue", "suspend", "modify"]
    evaluated_on: Day


class SignOffIn(Payload):
    """The leader signs in the app (leader omitted: the signed-in leader), or the office records a signed paper."""

    leader: Short = ""
    signed_on: Day
    opinion: LongText = ""


class UnitIn(Payload):
    name: UnitName
    active: Bool = True


class AccountIn(Payload):
    username: Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
    display_name: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=8, max_length=200)]
    role: Literal["unit", "leader", "supervisor", "secretary"]
    unit_id: Id | None = None
    person_id: Id | None = None


class AccountUpdateIn(Payload):
    """Deactivate / reactivate an account, or set a new password: what is not given stays as it is, and a request
    that gives nothing is refused (an empty ``PUT`` never reactivates a deactivated account)."""

    active: Bool | None = None
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None

    @model_validator(mode="after")
    def _something(self) -> AccountUpdateIn:
        if self.active is None and self.password is None:
            raise ValueError("请至少给出启用状态（active）或新密码（password）之一")
        return self


class AssignmentEditIn(Payload):
    """What the office may correct after creation; the deadline moves only through an approved extension."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    responsible_leader: Short = ""
    coordinating_leader: Short = ""
    person_responsible: Short = ""
    leader_person_id: Id | None = None
    coordinating_person_id: Id | None = None
    public: Bool = False


PROPOSAL_LABELS = {"continue": "继续执行", "stop": "停止执行", "suspend": "暂缓执行", "adjust": "调整（修改决策）"}
TRIGGER_LABELS = {"missed_goals": "未达到预期目标", "objections": "社会各方面意见较多", "selected": "决策机关确定评估"}
RECOMMENDATION_LABELS = {"continue": "继续执行", "suspend": "暂缓执行", "modify": "修改决策"}
EXTENSION_LABELS = {"pending": "待审批", "approved": "已批准", "refused": "不同意"}
ROLE_LABELS = {
    "admin": "管理员",
    "secretary": "会议秘书",
    "supervisor": "督查室",
    "unit": "执行单位",
    "leader": "分管领导",
}
