"""Deny by default: every endpoint says who may call it, and that is checked before its view runs.

Each part of the app declares a table ``endpoint → groups`` (this module's :data:`ACCESS` for the room and its
set-up, ``minutes.policy``, ``execution.policy``) and registers it with :func:`init_app`. A request to an endpoint
that no table names is refused (and logged): a new page is closed until someone says who may open it.

The groups, by the account's role (``meeting.models.ROLES``):

- ``public`` — anyone, signed in or not (the sign-in page, the public disclosure pages, the 公开版 archive);
- ``token`` — a personal link (``/t/<token>``, or ``?token=`` on a material): the view checks the token itself;
- ``staff`` — the meeting secretary (``admin``, ``secretary``);
- ``office`` — the supervision office 督查室 (``admin``, ``supervisor``);
- ``creator`` — those who read the whole ledger and create assignments (``admin``, ``secretary``, ``supervisor``);
- ``unit`` — an executing unit's account; ``leader`` — a responsible leader's account.

Rules about *which* record (a unit sees only its own assignments, a leader only those he leads, a recused member
not the item he recused from) stay in the services. A part may also register a *record check* for a path argument
(:func:`check_records`): execution checks ``assignment_id`` with the same rule as its services, so that an account
is told "not found" for another unit's assignment before any of its input is read, as it would be after.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, redirect, request, url_for

from .errors import NotSignedIn, PermissionDenied

log = logging.getLogger(__name__)

GROUPS_OF_ROLE = {
    "admin": frozenset({"staff", "office", "creator", "account"}),
    "secretary": frozenset({"staff", "creator", "account"}),
    "supervisor": frozenset({"office", "creator", "account"}),
    "unit": frozenset({"unit", "account"}),
    "leader": frozenset({"leader", "account"}),
}
KNOWN_GROUPS = frozenset({"public", "token"}).union(*GROUPS_OF_ROLE.values())

PUBLIC = frozenset({"public"})
TOKEN = frozenset({"token"})
STAFF = frozenset({"staff"})
STAFF_OR_TOKEN = frozenset({"staff", "token"})

# the room, its set-up and the secretary's API (blueprints views, setup_views, api)
ACCESS: dict[str, frozenset[str]] = {
    "views.login": PUBLIC,
    "views.logout": PUBLIC,
    "views.index": STAFF,
    "views.console": STAFF,
    "views.links": STAFF,
    "views.qr": STAFF,
    "views.written_opinion_scan": STAFF,
    "views.tablet": TOKEN,
    "views.reading": TOKEN,  # 会前阅读 (h18-lanpdf): seats only, refused by state.reading_ahead otherwise
    "views.material": STAFF_OR_TOKEN,
    "views.issue_links": STAFF,
    "views.reauth": STAFF,  # the password again, before the links sheet
    "views.change_password": frozenset({"account"}),  # one's own password, whatever the role
    "api.getOpenApi": PUBLIC,
    "api.issueLinks": STAFF,
}
# every set-up page is the secretary's (a blueprint's default; its endpoints need no row of their own)
PREFIXES = {"setup_views.": STAFF}
# and so is every room/set-up operation of the JSON API
STAFF_API = (
    "listBodies",
    "createBody",
    "getBody",
    "updateBody",
    "listDeferredItems",
    "setMembers",
    "updateItem",
    "deleteItem",
    "uploadMaterial",
    "setStep",
    "deleteMaterial",
    "listMeetings",
    "createMeeting",
    "getMeeting",
    "updateMeeting",
    "action",
    "reorderAgenda",
    "carryOver",
    "listEvents",
    "addItem",
    "addObserver",
    "getRoomState",
    "removeObserver",
    "listPeople",
    "createPerson",
    "updatePerson",
    "listRelations",
    "createRelation",
    "deleteRelation",
)
ACCESS.update({f"api.{name}": STAFF for name in STAFF_API})


def _table(app: Flask) -> dict[str, frozenset[str]]:
    return app.extensions.setdefault("yishi.access", {})


def _prefixes(app: Flask) -> dict[str, frozenset[str]]:
    return app.extensions.setdefault("yishi.access_prefixes", {})


def _checked(name: str, groups: frozenset[str]) -> frozenset[str]:
    unknown = set(groups) - KNOWN_GROUPS
    if unknown or not groups:
        raise ValueError(f"{name}: unknown access groups {sorted(unknown)}")
    return frozenset(groups)


def declare(
    app: Flask,
    table: dict[str, frozenset[str]],
    prefixes: dict[str, frozenset[str]] | None = None,
    landing: set[str] = frozenset(),
) -> None:
    """Add a part's endpoints (and its blueprints' defaults, by endpoint prefix) to the gate. Each is declared
    once, with known groups only. ``landing`` pages send an account of another role to its own home page
    instead of refusing it (as every page of the secretary's does)."""
    app.extensions.setdefault("yishi.landing", set()).update(landing)
    for mine, new in ((_table(app), table), (_prefixes(app), prefixes or {})):
        for name, groups in new.items():
            if name in mine and mine[name] != groups:
                raise ValueError(f"{name} is declared twice")
            mine[name] = _checked(name, groups)


def check_records(app: Flask, checks: dict[str, object]) -> None:
    """``checks``: path argument → ``fn(session, actor, value)`` raising a refusal when the actor may not see it."""
    app.extensions.setdefault("yishi.record_checks", {}).update(checks)


def groups_for(app: Flask, endpoint: str) -> frozenset[str] | None:
    table = _table(app)
    if endpoint in table:
        return table[endpoint]
    return next((g for prefix, g in _prefixes(app).items() if endpoint.startswith(prefix)), None)


def undeclared(app: Flask) -> list[str]:
    """Endpoints of the app that no table names (a test keeps this empty)."""
    return sorted(
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static" and groups_for(app, r.endpoint) is None
    )


def _has_token() -> bool:
    return bool((request.view_args or {}).get("token") or request.values.get("token"))


def _is_page() -> bool:
    """A browser's page or form (redirected to sign in), not a script or the API (answered 401/403)."""
    return not request.path.startswith("/api/") and request.accept_mimetypes.best != "application/json"


def check():
    """The gate (``before_request``): refuse before the view runs, and before any input is read."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # 404 / 405 are answered by Flask
    app = current_app._get_current_object()
    groups = groups_for(app, endpoint)
    if groups is None:
        log.error("endpoint %s has no access rule: refused", endpoint)
        raise PermissionDenied()
    if "public" in groups or ("token" in groups and _has_token()):
        return None
    from .auth import account_actor
    from .db import read_only

    with read_only() as s:
        actor = account_actor(s)
        if actor is not None and GROUPS_OF_ROLE.get(actor.role, frozenset()) & groups:
            for arg, value in (request.view_args or {}).items():
                record_check = app.extensions.get("yishi.record_checks", {}).get(arg)
                if record_check is not None:
                    record_check(s, actor, value)
            return None
    if actor is None:
        if _is_page():
            return redirect(url_for("views.login", next=request.full_path))
        raise NotSignedIn()
    landing = groups == STAFF or endpoint in app.extensions.get("yishi.landing", ())
    if landing and _is_page():  # the secretary's pages send another role to its own home page
        home = app.config.get("YISHI_ROLE_HOMES", {}).get(actor.role)
        if home is not None and home != endpoint:
            return redirect(url_for(home))
    raise PermissionDenied()


def init_app(app: Flask) -> None:
    declare(app, ACCESS, PREFIXES)
    app.before_request(check)
