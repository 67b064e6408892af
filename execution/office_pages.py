"""What the supervision office's pages share (supervision_views.py and npc_views.py): the ``supervision``
blueprint, the office's check, today, the page and download responses, and links to the ledger's pages."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from werkzeug.routing import BuildError

from meeting.errors import YishiError

from . import access, calendar
from .calendar import cn

bp = Blueprint("supervision", __name__)


def office(s):
    actor = access.require_account(s)
    access.require_office(actor)
    return actor


def today() -> date:
    return calendar.today()


def done(message: str, target: str):
    flash(message, "ok")
    return redirect(target, code=303)


def assignment_url(assignment_id: int) -> str | None:
    """The assignment page of the ledger (execution.ledger_views), when it exists."""
    for endpoint in ("execution.assignment", "execution.assignment_page"):
        try:
            return url_for(endpoint, assignment_id=assignment_id)
        except BuildError:
            continue
    return None


def maybe_url(endpoint: str, **values) -> str | None:
    """A link to another engineer's page when it is registered (the ledger, the unit home)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def page(template: str, error: YishiError | None = None, **ctx):
    ctx.setdefault("form", {})
    return render_template(
        template, error=error, assignment_url=assignment_url, maybe_url=maybe_url, cn=cn, today=today(), **ctx
    ), (error.http_status if error else 200)


def download(data: bytes, mimetype: str, filename: str):
    resp = current_app.response_class(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
