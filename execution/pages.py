"""What the ledger's pages share: the ``execution`` blueprint, the labels, who is asking, uploaded files, and the
form action's pattern (:func:`posted`: CSRF → the view calls its service → flash the outcome → back).

The routes are in ledger_views.py (the ledger, homes, one assignment, evidence files, assignments from approved
minutes), report_views.py (what units, the office and leaders file on an assignment) and unit_views.py (units and
accounts); execution/views.py gathers them.
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from meeting.auth import account_actor, check_csrf
from meeting.db import read_only
from meeting.errors import NotSignedIn, YishiError
from meeting.http import has_credentials
from voting.vocabulary import ITEM_CATEGORY_LABELS

from . import attachments, ledger
from .schemas import (
    EXTENSION_LABELS,
    PROPOSAL_LABELS,
    RECOMMENDATION_LABELS,
    ROLE_LABELS,
    TRIGGER_LABELS,
)

bp = Blueprint("execution", __name__, url_prefix="/execution")

LABELS = {
    "status": ledger.STATUS_LABELS,
    "warning": ledger.WARNING_LABELS,
    "category": ITEM_CATEGORY_LABELS,
    "proposal": PROPOSAL_LABELS,
    "trigger": TRIGGER_LABELS,
    "recommendation": RECOMMENDATION_LABELS,
    "extension": EXTENSION_LABELS,
    "role": ROLE_LABELS,
}


def folder() -> Path:
    return Path(current_app.config["EXECUTION_DIR"])


def zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def actor_now():
    with read_only() as s:
        actor = account_actor(s)
    if actor is None:
        raise NotSignedIn()
    return actor


def uploads(name: str = "files") -> list[attachments.Upload]:
    return [
        attachments.Upload(f.filename or "", f.read(), f.mimetype or "")
        for f in request.files.getlist(name)
        if f and f.filename
    ]


def posted(back):
    """A form action: CSRF, run, flash the outcome, go back. A refusal of 401/403/404 is shown as its page."""

    def deco(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not has_credentials():
                return redirect(url_for("views.login"))
            check_csrf()
            target = back(*args, **kwargs)
            try:
                message = view(*args, **kwargs)
            except YishiError as err:
                if err.http_status in (401, 403, 404):
                    raise
                flash(err.message + (gettext("（依据：%(source)s）", source=err.source) if err.source else ""), "error")
                return redirect(target, code=303)
            if isinstance(message, tuple):
                message, target = message
            if message:
                flash(message, "ok")
            return redirect(target, code=303)

        return wrapper

    return deco


def assignment_page(assignment_id: int) -> str:
    return url_for("execution.assignment", assignment_id=assignment_id)
