"""Disclosure (公开) and complaints (投诉举报).

- Execution is made public unless lawfully withheld (seed 000 第24条); decisions except those to be kept
  confidential are published with their content, basis, process and result (seed 003 §五(二)). The public page
  shows only decisions marked public and never a confidential or personnel item's, and of each only the decision,
  the units in charge, the deadline and the status — never individual opinions, people's contacts, complaints or
  internal notes (progress texts, problems, plans).
- Citizens, legal persons and organisations may complain about execution by letter, phone or e-mail, and the
  complaint must be accepted and handled (seed 000 第26条): a public form gives a tracking code; the office
  registers complaints received otherwise, sees the unanswered ones and answers them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator
from sqlmodel import Session, col, select

from meeting.actors import Actor
from meeting.clock import utcnow
from meeting.errors import NotFound, YishiError
from meeting.models import AgendaItem
from meeting.schemas import Id, Payload
from voting.sources import cite
from voting.vocabulary import ITEM_CATEGORY_LABELS, ItemCategory

from . import ledger
from .audit import record_event
from .models import Assignment, Complaint

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
CHANNEL_LABELS = {"web": "网上提交", "letter": "信件", "phone": "电话", "email": "电子邮件"}


class AlreadyAnswered(YishiError):
    code = "complaint_answered"
    http_status = 409
    msgid = "投诉%(code)s已于%(when)s答复，不能重复答复。"


class NotPublicDecision(YishiError):
    code = "not_public_decision"
    msgid = "所选决策事项不在公开目录中，请从公开的决策事项中选择，或留空。"
    source = cite("huhhot", "第二十四条")


@dataclass(frozen=True)
class PublicRow:
    """What the public page may say about a decision — nothing else is ever passed to its template."""

    id: int
    number: str
    title: str
    decided_text: str
    category: str
    decided_on: date
    lead_unit: str
    supporting_units: tuple[str, ...]
    deadline: date | None
    status: str


def _withheld_item_ids(s: Session, item_ids: set[int]) -> set[int]:
    """Items whose decisions are never public: confidential, or personnel (干部任免)."""
    if not item_ids:
        return set()
    return set(
        s.exec(
            select(AgendaItem.id).where(
                col(AgendaItem.id).in_(item_ids),
                (AgendaItem.confidential == True) | (AgendaItem.category == ItemCategory.PERSONNEL.value),  # noqa: E712
            )
        ).all()
    )


def public_rows(s: Session, today: date, keyword: str = "") -> list[PublicRow]:
    """Decisions marked public, with their execution status; a confidential or personnel item's never, even when
    marked public by mistake."""
    rows = ledger.rows(s, today, ledger.LedgerFilter(public_only=True, keyword=keyword or None))
    withheld = _withheld_item_ids(s, {r.assignment.item_id for r in rows if r.assignment.item_id})
    out = []
    for r in rows:
        a = r.assignment
        if a.item_id in withheld or a.category == ItemCategory.PERSONNEL.value:
            continue
        out.append(
            PublicRow(
                a.id,
                a.number,
                a.title,
                a.decided_text,
                ITEM_CATEGORY_LABELS.get(a.category, ""),
                a.decided_on,
                r.lead_unit,
                tuple(r.supporting_units),
                a.deadline,
                r.status_label,
            )
        )
    return out


def is_public(s: Session, assignment_id: int, today: date) -> bool:
    return any(r.id == assignment_id for r in public_rows(s, today))


# ---------------------------------------------------------------- complaints


def _no_control(v: str) -> str:
    if any(ord(ch) < 32 and ch not in "\r\n\t" for ch in v):
        raise ValueError("含有不可见的控制字符")
    return v


class ComplaintIn(Payload):
    content: Annotated[str, Field(min_length=10, max_length=2000)]
    name: Annotated[str, Field(max_length=64)] = ""
    contact: Annotated[str, Field(max_length=100)] = ""
    assignment_id: Id | None = None

    _clean = field_validator("content", "name", "contact")(_no_control)


class RegisterComplaintIn(ComplaintIn):
    channel: Literal["letter", "phone", "email"]


class AnswerIn(Payload):
    answer: Annotated[str, Field(min_length=5, max_length=5000)]


COMPLAINT_LABELS = {
    "content": "投诉内容",
    "name": "姓名",
    "contact": "联系方式",
    "assignment_id": "决策事项",
    "channel": "来源渠道",
    "answer": "答复内容",
}
COMPLAINT_ERRORS = {"string_too_short": "过短（投诉内容至少10个字，答复至少5个字）", "string_too_long": "过长"}


def new_code(s: Session) -> str:
    for _ in range(10):
        code = "TS" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if s.exec(select(Complaint.id).where(Complaint.code == code)).first() is None:
            return code
    raise RuntimeError("could not draw a free tracking code")  # pragma: no cover - 32^8 codes


def submit_complaint(
    s: Session, data: ComplaintIn, today: date, *, channel: str = "web", actor: Actor | None = None
) -> Complaint:
    """Register a complaint (public form, or the office for letters, calls and e-mails); returns it with its code."""
    if data.assignment_id is not None and not is_public(s, data.assignment_id, today):
        raise NotPublicDecision()
    c = Complaint(
        code=new_code(s),
        channel=channel,
        assignment_id=data.assignment_id,
        name=data.name,
        contact=data.contact,
        content=data.content,
    )
    s.add(c)
    s.flush()
    if actor is not None:
        record_event(s, actor, "complaint.registered", data.assignment_id, code=c.code, channel=channel)
    return c


def lookup(s: Session, code: str) -> Complaint | None:
    code = "".join(code.split()).upper()
    if not code or len(code) > 16:
        return None
    return s.exec(select(Complaint).where(Complaint.code == code)).first()


def answer_complaint(s: Session, actor: Actor, complaint_id: int, data: AnswerIn) -> Complaint:
    c = s.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(what="投诉")
    if c.answered_at is not None:
        from meeting.clock import cn_date

        raise AlreadyAnswered(code=c.code, when=cn_date(c.answered_at))
    c.answer, c.answered_at, c.answered_by = data.answer, utcnow(), actor.name[:64]
    s.add(c)
    record_event(s, actor, "complaint.answered", c.assignment_id, code=c.code)
    return c


def complaints(s: Session, state: str = "open") -> list[tuple[Complaint, Assignment | None]]:
    """``open`` (unanswered, oldest first), ``answered`` (newest first) or ``all``."""
    q = select(Complaint, Assignment).join(Assignment, col(Assignment.id) == Complaint.assignment_id, isouter=True)
    if state == "open":
        q = q.where(col(Complaint.answered_at).is_(None)).order_by(col(Complaint.received_at), col(Complaint.id))
    elif state == "answered":
        q = q.where(col(Complaint.answered_at).is_not(None)).order_by(col(Complaint.answered_at).desc())
    else:
        q = q.order_by(col(Complaint.received_at).desc())
    return list(s.exec(q).all())


__all__ = [
    "CHANNEL_LABELS",
    "AnswerIn",
    "ComplaintIn",
    "PublicRow",
    "RegisterComplaintIn",
    "answer_complaint",
    "complaints",
    "lookup",
    "public_rows",
    "submit_complaint",
]
