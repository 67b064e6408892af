"""What the secretary's setting-up pages share: the ``setup_views`` blueprint, a form's numbers and amounts,
the redirect with a message, and the people on a page.

The routes: setup_views.py (bodies, people, a new meeting), meeting_setup_views.py (a meeting's setup page, its
details and observers) and agenda_views.py (agenda items, their preparation steps and materials, carry-over).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from sqlmodel import col, select

from .amounts import AmountError, parse_amount, wan_text
from .errors import InvalidPayload
from .models import Person

bp = Blueprint("setup_views", __name__)


def form_int(value: str | None):
    """A form number: '' → None; digits → int; anything else is passed on for the schema to refuse."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def form_amount(value: str | None) -> int | None:
    """The item form's amount as an office writes it ("1850万元", "0.5亿", "１８５０万"; bare numbers are 万元) →
    whole yuan (:func:`meeting.amounts.parse_amount`); a refusal says plainly what is wrong."""
    try:
        return parse_amount(value)
    except AmountError as err:
        raise InvalidPayload(detail=_(str(err))) from None


def zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def done(message: str, target: str):
    flash(message, "ok")
    return redirect(target, code=303)


@bp.app_template_filter("yuan")
def _yuan(amount: int | None) -> str:
    """18500000 → 18,500,000元（1850万元）."""
    if amount is None:
        return ""
    wan = amount / 10000
    wan_text = f"{wan:,.0f}" if wan == int(wan) else f"{wan:,.2f}".rstrip("0").rstrip(".")
    return _("%(amount)s元（%(wan)s万元）", amount=f"{amount:,}", wan=wan_text)


@bp.app_template_filter("wan")
def _wan(amount: int | None) -> str:
    """18505000 → 1850.5 (the item form's field is in 万元)."""
    return wan_text(amount)


def people_map(s, ids) -> dict[int, Person]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p.id: p for p in s.exec(select(Person).where(col(Person.id).in_(ids)))}


def all_people(s) -> list[Person]:
    return list(s.exec(select(Person).order_by(col(Person.name), col(Person.id))).all())


def setup_url(meeting_id: int, anchor: str = "") -> str:
    return url_for(".meeting_setup", meeting_id=meeting_id) + (f"#{anchor}" if anchor else "")


def meeting_form(form, body_id) -> dict:
    """The fields of a meeting (new-meeting form and edit form); ``starts_at`` is datetime-local wall-clock time
    in the configured zone (Asia/Shanghai)."""
    return {
        "body_id": body_id,
        "kind": form.get("kind", ""),
        "session_number": form_int(form.get("session_number")),
        "starts_at": form.get("starts_at", ""),
        "place": form.get("place", ""),
        "chair_person_id": form_int(form.get("chair_person_id")),
        "recorder_name": form.get("recorder_name", ""),
        "copy_observers_from_meeting_id": form_int(form.get("copy_observers_from_meeting_id")),
    }
