"""The JSON API under ``/api/v1``: every secretary action, for office-automation integration and scripting.

Thin, like the Socket.IO handlers: authenticate (the secretary's session + ``X-CSRF-Token`` for unsafe requests,
or ``Authorization: Bearer ysk_…``) → parse the input with the same pydantic models → call the same service in
one unit of work → JSON. A refusal is the same typed error as everywhere else (``{"ok": false, "error": {code,
message, source}}`` with its HTTP status) and changes nothing.

The package, along its seams:

* :mod:`.kit` — the blueprint :data:`bp`, :func:`endpoint` and its route table :data:`ENDPOINTS`, reading a
  request through a model (JSON body, query string, form), answering, the HTTP-level refusals;
* :mod:`.models` — the ``…Out`` response models; :mod:`.present` — records joined into them;
* the routes by area: :mod:`.bodies` (bodies, people, relations), :mod:`.meetings`, :mod:`.agenda`,
  :mod:`.live` (the room's actions and the OpenAPI document, which :mod:`meeting.openapi` generates).

minutes/ and execution/ declare their own ``/api/v1`` routes with :func:`endpoint` and install them in their own
``init_app`` with :func:`install`, so the document lists them too. The names below are those other modules import.
"""

from ..errors import HTTP_ERROR_CODES
from . import agenda, bodies, live, meetings  # noqa: F401 — each declares its routes with endpoint()
from .bodies import RelationsQuery
from .kit import (
    ENDPOINTS,
    SAFE_METHODS,
    Endpoint,
    Query,
    QueryDate,
    QueryInt,
    _int_arg,
    _json_body,
    _ok,
    _payload,
    _staff,
    _zone,
    bp,
    endpoint,
    from_form,
    install,
    query,
)
from .live import ACTION_RULE, staff_actions
from .meetings import EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT, EventsQuery, IssueLinksIn, MeetingsQuery
from .models import (
    BodyDetailOut,
    BodyOut,
    DeferredItemOut,
    EventActorOut,
    EventOut,
    HistoryOut,
    IssuedLinkOut,
    ItemOut,
    MaterialOut,
    MeetingDetailOut,
    MeetingOut,
    MemberOut,
    ObserverLinkOut,
    ObserverOut,
    Out,
    PersonOut,
    RelationOut,
    SeatOut,
    StepOut,
    SubjectOut,
    UtcTime,
    dump,
)

__all__ = [
    "ACTION_RULE",
    "ENDPOINTS",
    "EVENTS_DEFAULT_LIMIT",
    "EVENTS_MAX_LIMIT",
    "HTTP_ERROR_CODES",
    "SAFE_METHODS",
    "BodyDetailOut",
    "BodyOut",
    "DeferredItemOut",
    "Endpoint",
    "EventActorOut",
    "EventOut",
    "EventsQuery",
    "HistoryOut",
    "IssueLinksIn",
    "IssuedLinkOut",
    "ItemOut",
    "MaterialOut",
    "MeetingDetailOut",
    "MeetingOut",
    "MeetingsQuery",
    "MemberOut",
    "ObserverLinkOut",
    "ObserverOut",
    "Out",
    "PersonOut",
    "Query",
    "QueryDate",
    "QueryInt",
    "RelationOut",
    "RelationsQuery",
    "SeatOut",
    "StepOut",
    "SubjectOut",
    "UtcTime",
    "_int_arg",
    "_json_body",
    "_ok",
    "_payload",
    "_staff",
    "_zone",
    "bp",
    "dump",
    "endpoint",
    "install",
    "from_form",
    "query",
    "staff_actions",
]
