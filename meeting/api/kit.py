"""The endpoint kit of ``/api/v1``: the blueprint, the route table, and what every route does around its service.

A route is declared with :func:`endpoint`, which records it in :data:`ENDPOINTS` with its view and the part it
belongs to (the top package of the view's module); nothing is added to an app at import. Each part installs its
own routes in its ``init_app`` with :func:`install`, under the endpoint name the policy tables and
tests/route_matrix.py use, "api.<operationId>" (the prefix that makes Flask treat them as :data:`bp`'s). From the
same table :mod:`meeting.openapi` generates the document: the request, query and form models a route reads its
input with are the ones the document describes, so the two cannot drift apart.

Every route: authenticate (:func:`_staff`) → read its input through a pydantic model (:func:`_payload` for JSON,
:func:`query` for the query string, :func:`from_form` for form fields) → call the service in one unit of work →
:func:`_ok`. A refusal is a typed error of meeting/errors.py and changes nothing; the HTTP-level ones (unknown
path, wrong method, upload too large, server error) answer in the same JSON shape.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, WithJsonSchema
from werkzeug.exceptions import HTTPException

from ..auth import check_csrf, require_staff
from ..db import unit_of_work
from ..errors import HTTP_ERROR_CODES, InvalidPayload, NotFound
from ..schemas import DB_INT_MAX, MAX_YEAR, MIN_YEAR, parse, unsafe_char

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# ---------------------------------------------------------------- the route table


@dataclass(frozen=True)
class Endpoint:
    """One route of the API, as the OpenAPI document describes it."""

    method: str
    rule: str  # Flask rule under the blueprint prefix, e.g. "/bodies/<int:body_id>"
    operation_id: str
    summary: str
    tag: str
    request: type[BaseModel] | None = None  # the JSON body
    query: type[BaseModel] | None = None  # the query string (a :class:`Query`)
    form: type[BaseModel] | None = None  # multipart form fields beside the uploaded files
    multipart: bool = False  # files are uploaded (field "file", or "files" with a form)
    response_key: str | None = None
    response: type[BaseModel] | None = None
    response_list: bool = False
    response_extra: dict = field(default_factory=dict)  # further top-level properties: name → JSON Schema
    status: int = 200
    public: bool = False
    description: str = ""
    view: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def part(self) -> str:
        """The part the route belongs to: the top package of its view's module (meeting, minutes, execution)."""
        return self.view.__module__.partition(".")[0] if self.view else ""


ENDPOINTS: list[Endpoint] = []


def endpoint(method: str, rule: str, operation_id: str, summary: str, tag: str, **kw) -> Callable:
    """Declare a route of ``/api/v1`` (recorded only: the part's ``init_app`` installs it with :func:`install`)."""

    def declare(view: Callable) -> Callable:
        ENDPOINTS.append(Endpoint(method, rule, operation_id, summary, tag, view=view, **kw))
        return view

    return declare


def install(app, part: str) -> None:
    """Add the routes ``part`` declared to ``app``, as :data:`bp` would: under its prefix and as "api.<operationId>",
    so the API's handlers and the access gate treat them as the API's. Called by each part's ``init_app``, after the
    meeting part has registered :data:`bp`."""
    if "api" not in app.blueprints:
        raise RuntimeError("the meeting part registers the API blueprint before a part installs its routes")
    for e in ENDPOINTS:
        if e.part == part:
            app.add_url_rule(
                bp.url_prefix + e.rule, endpoint=f"{bp.name}.{e.operation_id}", view_func=e.view, methods=[e.method]
            )


# ---------------------------------------------------------------- reading a request


def _staff():
    """The secretary, by bearer token or session; a session-authenticated unsafe request needs X-CSRF-Token."""
    with unit_of_work() as s:
        actor = require_staff(s)
    if request.method not in SAFE_METHODS:
        check_csrf()
    return actor


def _json_body() -> object:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        # a 50,000-level nesting is a RecursionError, a 5,000-digit number a ValueError: both refused, not a 5xx
        data = json.loads(raw)
    except (ValueError, RecursionError):
        data = None
    if data is None:
        raise InvalidPayload(detail="请求体不是有效的 JSON")
    return data


def _payload(model):
    return parse(model, _json_body())


class Query(BaseModel):
    """The query string of a route: each field one parameter, absent or empty meaning its default. Unknown
    parameters are ignored (a link may carry others); the characters no text may hold are refused for the whole
    request before any view runs (:func:`_refuse_unsafe_requests`)."""

    model_config = ConfigDict(extra="ignore")


INTEGER = re.compile(r"-?[0-9]+")


def _integer(lo: int, hi: int) -> Callable[[object], int]:
    def check(raw: object) -> int:
        text = str(raw).strip()
        if not INTEGER.fullmatch(text) or len(text) > 12:  # ASCII digits only: int() would take "١٢" and "1_0"
            raise ValueError("应为整数")
        value = int(text)
        if value < lo or value > hi:
            raise ValueError(f"应在 {lo}–{hi} 之间")
        return value

    return check


def QueryInt(lo: int, hi: int = DB_INT_MAX):  # a type, used as one
    """An integer parameter between ``lo`` and ``hi`` (by default the database's integer)."""
    return Annotated[
        int, BeforeValidator(_integer(lo, hi)), WithJsonSchema({"type": "integer", "minimum": lo, "maximum": hi})
    ]


def _day(raw: object) -> date:
    if isinstance(raw, date):
        return raw
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError("日期格式应为 2024-03-31") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return day


Q = TypeVar("Q", bound=Query)
M = TypeVar("M", bound=BaseModel)

QueryDate = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]


def query(model: type[Q]) -> Q:
    """``request.args`` through ``model``; a bad value is :class:`InvalidPayload` "name: what is wrong"."""
    args = {k: v for k, v in request.args.items() if k in model.model_fields and v != ""}
    try:
        return model.model_validate(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else ""
        said = str(first.get("msg", "")).removeprefix("Value error, ")
        raise InvalidPayload(detail=f"{name}: {said}") from None


def from_form(model: type[M], parser: Callable[[type[M], object], M] = parse) -> M:
    """The form fields ``model`` declares (other fields, such as the uploaded files, are not its business),
    validated by ``parser`` (each part's :func:`meeting.schemas.parse`, which names the field in Chinese)."""
    return parser(model, {k: v for k, v in request.form.items() if k in model.model_fields})


# ---------------------------------------------------------------- answering


def _ok(status: int = 200, **data):
    return jsonify({"ok": True, **data}), status


def _zone() -> str:
    return current_app.config["YISHI_TIMEZONE"]


def _int_arg(name: str, default: Any, lo: int, hi: int = DB_INT_MAX) -> Any:
    """One integer of the query string, checked as :func:`QueryInt` checks it (kept for callers outside this
    package; a route declares a :class:`Query` model instead, so the document lists the parameter)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        return _integer(lo, hi)(raw)
    except ValueError as exc:
        raise InvalidPayload(detail=f"{name}: {exc}") from None


# ---------------------------------------------------------------- HTTP-level refusals as JSON


def _http_error(err: HTTPException):
    if err.code == 404:
        body = NotFound(what="该接口").to_dict()
    elif err.code == 405:
        body = {
            "ok": False,
            "error": {"code": "method_not_allowed", "message": f"该接口不支持 {request.method} 方法。"},
        }
    elif err.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        body = {
            "ok": False,
            "error": {"code": "payload_too_large", "message": f"上传内容过大（上限 {limit // (1024 * 1024)} MB）。"},
        }
    elif err.code and err.code >= 500:
        if err.code == 500:
            log.error(
                "API request failed: %s %s",
                request.method,
                request.path,
                exc_info=getattr(err, "original_exception", None),
            )
        body = {"ok": False, "error": {"code": "server_error", "message": HTTP_ERROR_CODES["server_error"][1]}}
    else:
        body = InvalidPayload(detail=err.description or err.name).to_dict()
    resp = jsonify(body)
    resp.status_code = err.code or 500
    if err.code == 405 and getattr(err, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(err.valid_methods)
    return resp


@bp.record_once
def _json_http_errors(state) -> None:
    """HTTP errors under /api/ (unknown path, wrong method, upload too large, server error) answer in JSON.

    Registered on the app because Flask does not route 404/405 to a blueprint's own handlers; any other path
    keeps whatever handler was there before.
    """
    app = state.app
    previous = app.error_handler_spec[None][None].get(HTTPException)

    def handler(err: HTTPException):
        if request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/"):
            return _http_error(err)
        return previous(err) if previous else err

    app.register_error_handler(HTTPException, handler)


@bp.record_once
def _refuse_unsafe_requests(state) -> None:
    """Every request of the app (pages too): a path, query string, form field or User-Agent (stored as the
    device) holding a character no stored text may hold is refused before any view reads it — a NUL would
    otherwise reach PostgreSQL, which refuses it in text with an error. JSON bodies are checked field by field
    by :class:`meeting.schemas.Payload`, which names the field; so are the forms' fields, except NUL here."""

    def check() -> None:
        where = None
        if unsafe_char(request.path) is not None:
            where = "地址"
        elif any(unsafe_char(k) is not None or unsafe_char(v) is not None for k, v in request.args.items(multi=True)):
            where = "查询参数"
        elif unsafe_char(request.headers.get("User-Agent", "")) is not None:
            where = "User-Agent"
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
            "\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)
        ):
            where = "表单"
        if where is not None:
            raise InvalidPayload(detail=f"{where}含有不允许的控制字符")

    state.app.before_request(check)
