"""The execution ledger's append-only log (全过程记录、决策档案; seed 000 第23条; 国务院令第713号 第33条).

Called inside the service's transaction, so the event and the change commit together; never updated or deleted.
Every event is sealed into the ledger's one hash chain (meeting/chain.py; checked by ``python run.py verify``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from meeting import chain
from meeting.actors import Actor

from .models import ExecutionEvent

EVENT_LABELS = {
    "assignment.created": "立项督办",
    "assignment.updated": "修改督办事项",
    "plan.filed": "报送执行工作方案",
    "progress.reported": "报送进展情况",
    "attachment.added": "上传附件",
    "extension.requested": "申请延期",
    "extension.approved": "批准延期",
    "extension.refused": "不同意延期",
    "proposal.submitted": "提出继续/停止/暂缓/调整建议",
    "proposal.placed": "建议列入会议议程",
    "evaluation.recorded": "记录决策后评估",
    "signoff.recorded": "分管领导签字确认",
    "assignment.closed": "销号",
    "unit.created": "新增单位",
    "unit.updated": "修改单位",
    "account.created": "新增账号",
    "account.updated": "修改账号",
}


def record_event(s: Session, actor: Actor, kind: str, assignment_id: int | None, /, **data: Any) -> ExecutionEvent:
    """Append one event: who (name, role, device), what (``kind``), to which assignment, with its data (JSON)."""
    ev = ExecutionEvent(
        assignment_id=assignment_id,
        kind=kind[:32],
        actor=(actor.name or actor.kind)[:64],
        actor_role=(actor.role or actor.kind)[:16],
        device=(actor.device or "")[:200],
        data=json.dumps(data, ensure_ascii=False, default=str, sort_keys=True),
    )
    chain.seal_execution(s, ev)
    s.add(ev)
    return ev


def events_of(s: Session, assignment_id: int) -> list[ExecutionEvent]:
    return list(
        s.exec(
            select(ExecutionEvent).where(ExecutionEvent.assignment_id == assignment_id).order_by(col(ExecutionEvent.id))
        )
    )


def label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind)
