"""What every execution route does around its service: the signed-in account, uploaded files, and a record
joined into its ``…Out`` model."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app, request, url_for

from meeting.api import SAFE_METHODS, dump
from meeting.auth import account_actor, check_csrf
from meeting.db import read_only, unit_of_work
from meeting.errors import NotSignedIn

from .. import assignments, attachments, ledger
from ..service import today
from .models import AssignmentDetailOut, AssignmentOut, AttachmentOut

TAG = "督办台账"
P = "/execution"


def _account():
    with unit_of_work() as s:
        actor = account_actor(s)
        if actor is None:
            raise NotSignedIn()
    if request.method not in SAFE_METHODS:
        check_csrf()
    return actor


def _att(att) -> dict:
    return dump(AttachmentOut, {**att.model_dump(), "url": url_for("execution.attachment", attachment_id=att.id)})


def _row(r: ledger.LedgerRow) -> dict:
    a = r.assignment
    return dump(
        AssignmentOut,
        {
            **a.model_dump(),
            "lead_unit": r.lead_unit,
            "supporting_units": r.supporting_units,
            "status": r.status,
            "status_label": r.status_label,
            "warning": r.warning,
            "warning_label": r.warning_label,
        },
    )


def _detail(d: assignments.Detail) -> dict:
    files = d.files
    base = _row(d.row)
    return dump(
        AssignmentDetailOut,
        {
            **base,
            "units": [{"unit_id": u.id, "name": u.name, "role": link.role, "part": link.part} for link, u in d.units],
            "milestones": [
                {"title": m.title, "due": m.due.isoformat(), "done_on": m.done_on.isoformat() if m.done_on else None}
                for m in d.milestones
            ],
            "plans": [p.model_dump() for p in d.plans],
            "progress": [
                {**r.model_dump(), "attachments": [_att(x) for x in files.get(("progress", r.id), [])]}
                for r in d.reports
            ],
            "extensions": [x.model_dump() for x in d.extensions],
            "proposals": [x.model_dump() for x in d.proposals],
            "evaluations": [x.model_dump() for x in d.evaluations],
            "signoff": (
                {**d.signoff.model_dump(), "attachments": [_att(x) for x in files.get(("signoff", d.signoff.id), [])]}
                if d.signoff
                else None
            ),
            "events": [{**e.model_dump(), "data": json.loads(e.data or "{}")} for e in d.events],
        },
    )


def _files() -> list[attachments.Upload]:
    return [
        attachments.Upload(f.filename or "", f.read(), f.mimetype or "")
        for f in request.files.getlist("files") + request.files.getlist("file")
        if f and f.filename
    ]


def _folder() -> Path:
    return Path(current_app.config["EXECUTION_DIR"])


def _detail_of(actor, assignment_id: int) -> dict:
    with read_only() as s:
        return _detail(assignments.detail(s, actor, assignment_id, today()))
