"""Reading a request, once for every page and API route: who is signed in, a form's fields, a date in the query
string, and telling a room that its setting-up changed.

Each helper used to exist in two or three copies that disagreed (one accepted API tokens, one stripped whitespace,
one refused a bad date while another ignored it). The one rule now: a form's text is stripped and an empty field
is left out (so optional dates and numbers become None); a malformed date is a typed refusal naming the
parameter (:class:`~meeting.errors.InvalidPayload`, 400), never silently dropped and never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import wraps

from flask import current_app, redirect, request, session, url_for

from .errors import InvalidPayload
from .room import Outcome
from .schemas import DB_INT_MAX, MAX_YEAR, MIN_YEAR

TRUE_WORDS = ("1", "on", "true", "yes")


# ---------------------------------------------------------------- who is asking


def has_credentials() -> bool:
    """A browser's sign-in (session) or an API client's token (``Authorization: Bearer``): whether either is
    *valid* is decided by :func:`meeting.auth.account_actor` when the view asks who it is."""
    return session.get("user_id") is not None or request.headers.get("Authorization", "").startswith("Bearer ")


def signed_in(view):
    """Nobody signed in (no session, no API token): to the sign-in page, coming back here; the view checks the
    role."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not has_credentials():
            return redirect(url_for("views.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- forms


def form_data(*keys: str, bools: tuple[str, ...] = (), lists: tuple[str, ...] = (), form=None) -> dict:
    """The named form fields, stripped, '' left out; ``bools`` are checkboxes (present and 1/on/true/yes);
    ``lists`` are names listed in one field or repeated (split on 、 , ，)."""
    form = request.form if form is None else form
    out: dict = {}
    for k in keys:
        v = (form.get(k) or "").strip()
        if v:
            out[k] = v
    for k in bools:
        out[k] = (form.get(k) or "").strip().lower() in TRUE_WORDS
    for k in lists:
        values = [
            x.strip()
            for v in form.getlist(k)
            for x in v.replace("，", "、").replace(",", "、").split("、")
            if x.strip()
        ]
        if values:
            out[k] = values
    return out


# ---------------------------------------------------------------- query strings


def date_arg(name: str, args: Mapping[str, str] | None = None) -> date | None:
    """A date (2024-03-31) from the query string: None when absent or empty; a malformed one, or one outside
    the years a day's bounds can be computed for, is refused naming the parameter."""
    args = request.args if args is None else args
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidPayload(detail=f"{name}: 日期格式应为 2024-03-31") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidPayload(detail=f"{name}: 应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return day


def int_arg(name: str, args: Mapping[str, str] | None = None, lo: int = 1, hi: int = DB_INT_MAX) -> int | None:
    """A whole number from the query string: None when absent or empty; anything else outside [lo, hi] (a
    database id is at most :data:`DB_INT_MAX`) is refused naming the parameter."""
    args = request.args if args is None else args
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise InvalidPayload(detail=f"{name}: 应为整数")
    value = int(raw)
    if value < lo or value > hi:
        raise InvalidPayload(detail=f"{name}: 应在 {lo}–{hi} 之间")
    return value


# ---------------------------------------------------------------- the room


def tell_room(meeting_id: int | None) -> None:
    """A change made outside the live actions (setting up, an item placed on the agenda from the ledger) has been
    committed: every screen of the meeting's room gets its new state (persist, then broadcast)."""
    if meeting_id is not None:
        current_app.extensions["yishi.broadcaster"].after(Outcome(meeting_id))
