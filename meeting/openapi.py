"""The OpenAPI 3.1 document of ``/api/v1``, generated with apispec from what the code declares, so it never
drifts from it:

* one path per route of the route table (:data:`meeting.api.ENDPOINTS`, passed in) and one per staff-callable
  action of :data:`meeting.actions.ACTIONS` (summary and rule source from the registry);
* every schema from the pydantic models the routes read and answer with — the JSON body, the query string
  (:class:`meeting.api.Query`), the form fields, the ``…Out`` models — by :class:`PydanticPlugin`, which gives
  apispec a model's JSON Schema and files its nested models (``$defs``) as components of their own;
* the error codes from every :class:`meeting.errors.YishiError` subclass and the HTTP-level ones, grouped by status.

This module imports nothing of meeting.api: the route table is an argument, and meeting.api serves the result.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from apispec import APISpec, BasePlugin
from pydantic import BaseModel

from voting.sources import cite

from . import errors

REF = "#/components/schemas/{model}"
ROLE_LABELS = {"staff": "会议秘书（会话或 API 令牌）", "chair": "主持人（本人平板）", "member": "成员（本人平板）"}
TAGS = ("会场操作", "会场", "会议", "议题", "领导班子", "人员", "文档")
UPLOAD = {
    "type": "string",
    "contentMediaType": "application/octet-stream",
    "description": "PDF、PNG、JPEG、GIF、WebP、纯文本或 docx",
}


def error_classes() -> list[type[errors.YishiError]]:
    """Every typed refusal defined in meeting/errors.py, in the order written there."""
    return [
        obj
        for obj in vars(errors).values()
        if inspect.isclass(obj) and issubclass(obj, errors.YishiError) and obj.__module__ == errors.__name__
    ]


def error_codes() -> dict[str, int]:
    """code → HTTP status, for the service refusals and the HTTP-level ones (meeting.errors.HTTP_ERROR_CODES)."""
    codes = {cls.code: cls.http_status for cls in error_classes()}
    codes.update({code: status for code, (status, _) in errors.HTTP_ERROR_CODES.items()})
    return codes


def _version() -> str:
    try:
        return version("yishi")
    except PackageNotFoundError:  # running from a source tree that was not pip-installed
        return "0.1.0"


# ---------------------------------------------------------------- the plugin: pydantic models and Flask rules

RULE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def flask_path(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule → its OpenAPI path template and path parameters."""
    params = []

    def template(match: re.Match) -> str:
        conv, name = match.group(1), match.group(2)
        schema = {"type": "integer", "minimum": 1} if conv == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return RULE_PARAM.sub(template, rule), params


class PydanticPlugin(BasePlugin):
    """apispec ← pydantic v2 and Flask: ``spec.components.schema(name, model=M, mode=…)`` files ``M``'s JSON Schema
    (and each model nested in it under its own name); ``spec.path(rule=…, endpoint=e)`` turns a Flask rule into
    the path template and an :class:`meeting.api.Endpoint` into its operation."""

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec

    # -------- schemas

    def schema_helper(
        self, name: str, definition: dict, model: type[BaseModel] | None = None, mode: str = "validation", **kwargs: Any
    ) -> dict | None:
        if model is None:
            return None
        schema = model.model_json_schema(ref_template=REF, mode=mode)
        for nested, nested_schema in schema.pop("$defs", {}).items():
            self._file(nested, nested_schema)
        return schema

    def _file(self, name: str, schema: dict) -> None:
        known = self.spec.components.schemas.get(name)
        if known is None:
            self.spec.components.schema(name, schema)
        elif known != schema:  # two models of one name, or one that differs between reading and answering
            raise ValueError(f"two different JSON Schemas named {name}")

    def model(self, model: type[BaseModel], mode: str = "validation") -> dict:
        """``{"$ref": …}`` to ``model``, filed on first use."""
        if model.__name__ not in self.spec.components.schemas:
            self.spec.components.schema(model.__name__, model=model, mode=mode)
        return {"$ref": REF.format(model=model.__name__)}

    def query_parameters(self, model: type[BaseModel]) -> list[dict]:
        """One ``in: query`` parameter per field of a query model (none of them required)."""
        schema = model.model_json_schema(mode="validation")
        out = []
        for name, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            description = prop.pop("description", "")
            prop.pop("title", None)
            if prop.get("default", 0) is None:  # absent: no filter
                del prop["default"]
            if prop.get("anyOf", [])[-1:] == [{"type": "null"}]:
                rest = prop.pop("anyOf")[:-1]
                prop.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
            out.append({"name": name, "in": "query", "required": False, "schema": prop, "description": description})
        return out

    # -------- paths

    def path_helper(self, path: str | None = None, rule: str | None = None, **kwargs: Any) -> str | None:
        return flask_path(rule)[0] if rule is not None else None

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict | None = None,
        rule: str | None = None,
        endpoint: Any = None,
        statuses: Sequence[int] = (),
        **kwargs: Any,
    ) -> None:
        if endpoint is None or operations is None or rule is None:
            return
        e = endpoint
        op: dict = {"operationId": e.operation_id, "summary": e.summary, "tags": [e.tag]}
        if e.description:
            op["description"] = e.description
        parameters = flask_path(rule)[1]
        if e.query is not None:
            parameters += self.query_parameters(e.query)
        if e.method not in ("GET", "HEAD"):
            parameters.append("CsrfToken")
        if parameters:
            op["parameters"] = parameters
        if e.request is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": self.model(e.request)}}}
        elif e.multipart:
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": self._form(e)}}}
        if e.public:
            op["security"] = []
            op["responses"] = {
                "200": {
                    "description": "OpenAPI 3.1 文档",
                    "content": {"application/json": {"schema": {"type": "object", "description": "本文档"}}},
                }
            }
        else:
            ok = self._ok_schema(e.response_key, e.response, e.response_list, e.response_extra)
            op["responses"] = _responses(e.status, ok, statuses, "已创建" if e.status == 201 else "成功")
        operations[e.method.lower()] = op

    def _form(self, e: Any) -> dict:
        if e.form is None:
            return {"type": "object", "required": ["file"], "properties": {"file": UPLOAD}}
        fields = e.form.model_json_schema(mode="validation")
        return {
            "type": "object",
            "required": [*fields.get("required", ()), "files"],
            "properties": {**fields["properties"], "files": {"type": "array", "items": UPLOAD}},
        }

    def _ok_schema(self, key: str | None, model: type[BaseModel] | None, many: bool, extra: dict) -> dict:
        props: dict = {"ok": {"const": True}}
        required = ["ok"]
        if key is not None:
            if model is None:
                props[key] = {"type": "object"}
            elif many:
                props[key] = {"type": "array", "items": self.model(model, "serialization")}
            else:
                props[key] = self.model(model, "serialization")
            required.append(key)
        props.update(extra)
        required.extend(extra)
        return {"type": "object", "required": required, "properties": props}


# ---------------------------------------------------------------- the refusals


def _responses(ok_status: int, ok_schema: dict, statuses: Iterable[int], description: str = "成功") -> dict:
    out = {str(ok_status): {"description": description, "content": {"application/json": {"schema": ok_schema}}}}
    for status in statuses:
        out[str(status)] = f"Error{status}"
    return out


def _error_responses(spec: APISpec, codes: dict[str, int]) -> None:
    by_status: dict[int, list[str]] = {}
    for code, status in codes.items():
        by_status.setdefault(status, []).append(code)
    titles = {
        400: "请求格式不正确或缺少理由",
        401: "未登录，或令牌/链接无效",
        403: "无权进行此操作",
        404: "对象或接口不存在",
        405: "不支持此 HTTP 方法",
        409: "不符合议事规则或当前状态，未作任何更改",
        413: "上传内容过大",
        500: "服务器内部错误",
    }
    for status in sorted(by_status):
        listed = ", ".join(f"`{c}`" for c in sorted(by_status[status]))
        spec.components.response(
            f"Error{status}",
            {
                "description": f"{titles.get(status, '错误')}。可能的 error.code：{listed}",
                "content": {
                    "application/json": {
                        "schema": {
                            "allOf": [{"$ref": "#/components/schemas/Error"}],
                            "properties": {"error": {"properties": {"code": {"enum": sorted(by_status[status])}}}},
                        }
                    }
                },
            },
        )


def _error_schema(codes: dict[str, int]) -> dict:
    return {
        "type": "object",
        "description": "每一种拒绝都是带类型的错误，附中文说明；被拒绝的请求不改变任何数据。",
        "required": ["ok", "error"],
        "properties": {
            "ok": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": sorted(codes)},
                    "message": {"type": "string", "description": "一句中文说明，指明所依据的规则"},
                    "source": {
                        "type": "string",
                        "description": f"规则出处（文件标题、文号和条款），如{cite('taobei', '四（二）2')}",
                    },
                },
            },
        },
    }


# ---------------------------------------------------------------- the document


def _spec() -> tuple[APISpec, PydanticPlugin]:
    plugin = PydanticPlugin()
    spec = APISpec(
        title="议事 Yishi API",
        version=_version(),
        openapi_version="3.1.0",
        plugins=[plugin],
        jsonSchemaDialect="https://json-schema.org/draft/2020-12/schema",
        info={
            "summary": "领导班子会议决策：设置、点名、议题、发表意见、表决结果",
            "description": (
                "会议秘书可做的每一件事都可以通过本接口完成，规则与错误与控制台完全相同。"
                "认证：`Authorization: Bearer ysk_…`（`python run.py create-api-token --username …` 生成），"
                "或浏览器登录会话（非 GET 请求须带 `X-CSRF-Token` 头）。详见 docs/api.md。"
            ),
        },
        security=[{"bearerAuth": []}, {"cookieAuth": []}],
    )
    for tag in TAGS:
        spec.tag({"name": tag})
    spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ysk_…",
            "description": "python run.py create-api-token --username <用户名>",
        },
    )
    spec.components.security_scheme(
        "cookieAuth",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "session",
            "description": "浏览器登录（/login）后的会话；非 GET 请求还须带 X-CSRF-Token 头",
        },
    )
    spec.components.parameter(
        "CsrfToken",
        "header",
        {
            "name": "X-CSRF-Token",
            "required": False,
            "schema": {"type": "string"},
            "description": "使用浏览器会话认证时必填（页面上的 csrf_token）；使用 Bearer 令牌时不需要",
        },
    )
    return spec, plugin


def _action_operation(plugin: PydanticPlugin, rule: str, name: str, action: Any, statuses: Sequence[int]) -> dict:
    roles = "、".join(ROLE_LABELS.get(r, r) for r in sorted(action.roles))
    description = f"可调用者：{roles}。"
    if action.rule:
        description += f"依据：{action.rule}。"
    description += "成功时返回该操作的确认（与 Socket.IO 确认相同），随后会场各屏幕实时更新。"
    op = {
        "operationId": f"action_{name}",
        "summary": action.summary,
        "description": description,
        "tags": ["会场操作"],
        "parameters": [*flask_path(rule)[1], "CsrfToken"],
        "requestBody": {
            "required": bool(action.payload.model_fields),
            "content": {"application/json": {"schema": plugin.model(action.payload)}},
        },
        "responses": _responses(
            200,
            {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}, "additionalProperties": True},
            statuses,
        ),
        "x-yishi-action": name,
        "x-yishi-roles": sorted(action.roles),
    }
    if action.rule:
        op["x-yishi-rule"] = action.rule
    return op


def document(
    endpoints: Iterable[Any], actions: Iterable[tuple[str, Any]], action_rule: str, prefix: str = "/api/v1"
) -> dict:
    """The OpenAPI 3.1 document of ``endpoints`` (:class:`meeting.api.Endpoint`) and the staff ``actions``
    (``(name, Action)`` in registry order, each at ``action_rule`` with ``{name}`` filled in)."""
    codes = error_codes()
    statuses = sorted(set(codes.values()))
    spec, plugin = _spec()
    spec.components.schema("Error", _error_schema(codes))
    _error_responses(spec, codes)

    for e in sorted(endpoints, key=lambda e: (e.rule, e.method)):
        spec.path(rule=prefix + e.rule, endpoint=e, statuses=statuses)
    for name, action in actions:
        rule = prefix + action_rule.replace("{name}", name)
        spec.path(flask_path(rule)[0], operations={"post": _action_operation(plugin, rule, name, action, statuses)})

    out = spec.to_dict()
    out["paths"] = dict(sorted(out["paths"].items()))
    out["components"]["schemas"] = dict(sorted(out["components"]["schemas"].items()))
    return out
