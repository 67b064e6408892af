"""The ledger and the homes: the office's and the secretary's ledger, a unit's and a leader's home, one
assignment's page, its evidence files, and assignments made from approved minutes.

Thin: validate, call a service, respond. Another unit's assignment is "not found" (404), never "forbidden", so
that its existence is not disclosed.
"""

from __future__ import annotations

import re

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from sqlmodel import col, select

from meeting.db import read_only, unit_of_work
from meeting.errors import NotFound, PermissionDenied
from meeting.http import form_data, signed_in
from meeting.models import Body, Meeting, Person
from minutes.models import APPROVED, ARCHIVED, Minutes

from . import access, assignments, attachments, homes, ledger
from .audit import label
from .models import Attachment, Unit
from .pages import LABELS, actor_now, bp, folder, posted, zone
from .schemas import parse
from .service import AssignmentIn, create_assignment, today

# ---------------------------------------------------------------- the ledger and homes


@bp.get("/", endpoint="ledger")
@signed_in
def ledger_page():
    actor = actor_now()
    if actor.role == "unit":
        return redirect(url_for("execution.unit_home"))
    if actor.role == "leader":
        return redirect(url_for("execution.leader_home"))
    if actor.role not in access.CREATOR_ROLES:
        raise PermissionDenied()
    f = ledger.filter_from(request.args)
    day = today()
    with read_only() as s:
        rows = ledger.rows(s, day, f)
        unit_list = list(s.exec(select(Unit).order_by(col(Unit.name))))
        meetings = s.exec(
            select(Meeting, Body)
            .join(Body, col(Body.id) == Meeting.body_id)
            .where(col(Meeting.id).in_(select(Minutes.meeting_id).where(col(Minutes.status).in_((APPROVED, ARCHIVED)))))
            .order_by(col(Meeting.starts_at).desc())
        ).all()
        leaders = sorted(
            {r.assignment.responsible_leader for r in ledger.rows(s, day) if r.assignment.responsible_leader}
        )
    return render_template(
        "execution/ledger.html",
        rows=rows,
        f=f,
        args=request.args,
        units=unit_list,
        meetings=meetings,
        leaders=leaders,
        today=day,
        labels=LABELS,
        actor=actor,
    )


@bp.get("/unit")
@signed_in
def unit_home():
    actor = actor_now()
    day = today()
    with unit_of_work() as s:  # the office's notices are refreshed for today
        h = homes.unit_home(s, actor, day)
    return render_template(
        "execution/unit_home.html",
        unit=h.unit,
        rows=h.rows,
        roles=h.roles,
        due=h.due,
        today=day,
        labels=LABELS,
        notes=h.notes,
        unread=h.unread,
        actor=actor,
    )


@bp.get("/leader")
@signed_in
def leader_home():
    actor = actor_now()
    day = today()
    with read_only() as s:
        h = homes.leader_home(s, actor, day)
    return render_template(
        "execution/leader_home.html",
        person=h.person,
        rows=h.rows,
        to_sign=h.to_sign,
        signed=h.signed,
        today=day,
        labels=LABELS,
        actor=actor,
    )


# ---------------------------------------------------------------- one assignment


@bp.get("/assignments/<int:assignment_id>")
@signed_in
def assignment(assignment_id: int):
    actor = actor_now()
    day = today()
    with read_only() as s:
        d = assignments.detail(s, actor, assignment_id, day)
        later = []
        if d.may("place_proposal") and d.proposals:
            q = select(Meeting, Body).join(Body, col(Body.id) == Meeting.body_id).where(Meeting.status != "closed")
            if d.meeting is not None:
                q = q.where(Meeting.body_id == d.meeting.body_id)
            later = s.exec(q.order_by(col(Meeting.starts_at))).all()
        people = list(s.exec(select(Person).order_by(col(Person.name)))) if d.may("edit") else []
    return render_template(
        "execution/assignment.html",
        d=d,
        a=d.a,
        today=day,
        labels=LABELS,
        later=later,
        people=people,
        actor=actor,
        event_label=label,
    )


@bp.get("/attachments/<int:attachment_id>")
@signed_in
def attachment(attachment_id: int):
    """An evidence file, to whoever may see the report, sign-off or evaluation it belongs to."""
    actor = actor_now()
    with read_only() as s:
        att = s.get(Attachment, attachment_id)
        row = attachments.owner_row(s, att) if att else None
        if row is None:
            raise NotFound(what=gettext("附件"))
        d = assignments.detail(s, actor, row.assignment_id, today())
        if att.owner == "progress" and row not in d.reports:
            raise NotFound(what=gettext("附件"))
        if att.owner in ("signoff", "evaluation") and d.viewer == "support":
            raise NotFound(what=gettext("附件"))
    path = folder() / att.stored_name
    if not path.is_file():
        raise NotFound(what=gettext("附件"))
    return send_file(path, mimetype=att.content_type, download_name=att.filename, as_attachment=False)


# ---------------------------------------------------------------- from approved minutes


@bp.get("/meetings/<int:meeting_id>")
@signed_in
def from_minutes(meeting_id: int):
    actor = actor_now()
    access.require_creator(actor)
    with read_only() as s:
        meeting, items = assignments.candidates(s, meeting_id, zone())
        title = s.get(Body, meeting.body_id).name
    return render_template(
        "execution/from_minutes.html", meeting=meeting, body_name=title, items=items, labels=LABELS, actor=actor
    )


def _split(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[、，,;；\n]", text or "") if x.strip()]


def _milestones(text: str) -> list[list[str]]:
    """One per line: "2024-03-31 完成初步设计"."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            day, _, title = line.partition(" ")
            out.append([title.strip() or day, day])
    return out


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>")
@posted(lambda meeting_id, item_id: url_for("execution.from_minutes", meeting_id=meeting_id) + f"#item-{item_id}")
def create_from_item(meeting_id: int, item_id: int):
    actor = actor_now()
    data = form_data(
        "title",
        "decided_text",
        "category",
        "decided_on",
        "lead_unit",
        "responsible_leader",
        "coordinating_leader",
        "person_responsible",
        "deadline",
        bools=("public",),
    )
    data.update(
        meeting_id=meeting_id,
        item_id=item_id,
        source="meeting",
        supporting_units=_split(request.form.get("supporting_units", "")),
        milestones=_milestones(request.form.get("milestones", "")),
    )
    payload = parse(AssignmentIn, data)
    with unit_of_work() as s:
        a = create_assignment(s, actor, payload)
    return gettext("已生成督办事项%(number)s。", number=a.number)
