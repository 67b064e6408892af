"""The OpenAPI 3.1 document of ``/api/v1``, built from the code so it never drifts from it:

* paths from :data:`meeting.api.ENDPOINTS` (the route table every setup route registers itself in) and one path
  per staff-callable action of :data:`meeting.actions.ACTIONS` (summary and rule source from the registry);
* request and response schemas from the pydantic models (``models_json_schema`` with
  ``ref_template="#/components/schemas/{model}"``; their ``$defs`` become ``components/schemas``);
* the error codes from every :class:`meeting.errors.YishiError` subclass, grouped by HTTP status.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import errors
from .actions import ACTIONS

REF = "#/components/schemas/{model}"
ROLE_LABELS = {"staff": "会议秘书（会话或 API 令牌）", "chair": "主持人（本人平板）", "member": "成员（本人平板）"}


def error_classes() -> list[type[errors.YishiError]]:
    """Every typed refusal defined in meeting/errors.py, in the order written there."""
    return [
        obj for obj in vars(errors).values()
        if inspect.isclass(obj) and issubclass(obj, errors.YishiError) and obj.__module__ == errors.__name__
    ]


def error_codes() -> dict[str, int]:
    """code → HTTP status, for the service refusals and the HTTP-level ones of meeting.api."""
    from .api import HTTP_ERROR_CODES

    codes = {cls.code: cls.http_status for cls in error_classes()}
    codes.update({code: status for code, (status, _) in HTTP_ERROR_CODES.items()})
    return codes


def _version() -> str:
    try:
        return version("yishi")
    except PackageNotFoundError:  # running from a source tree that was not pip-installed
        return "0.1.0"


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    """Flask rule → OpenAPI path template and its path parameters."""
    params = []

    def repl(match: re.Match) -> str:
        conv, name = match.group(1), match.group(2)
        schema = {"type": "integer", "minimum": 1} if conv == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule), params


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _error_responses(codes: dict[str, int]) -> dict:
    by_status: dict[int, list[str]] = {}
    for code, status in codes.items():
        by_status.setdefault(status, []).append(code)
    titles = {400: "请求格式不正确或缺少理由", 401: "未登录，或令牌/链接无效", 403: "无权进行此操作",
              404: "对象或接口不存在", 405: "不支持此 HTTP 方法", 409: "不符合议事规则或当前状态，未作任何更改",
              413: "上传内容过大", 500: "服务器内部错误"}
    out = {}
    for status in sorted(by_status):
        listed = ", ".join(f"`{c}`" for c in sorted(by_status[status]))
        out[f"Error{status}"] = {
            "description": f"{titles.get(status, '错误')}。可能的 error.code：{listed}",
            "content": {"application/json": {"schema": {
                "allOf": [{"$ref": "#/components/schemas/Error"}],
                "properties": {"error": {"properties": {"code": {"enum": sorted(by_status[status])}}}},
            }}},
        }
    return out


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
                    "source": {"type": "string", "description": "规则出处，如 seed 003 §四(二)2"},
                },
            },
        },
    }


def _ok_schema(key: str | None, model: type[BaseModel] | None, many: bool, extra: dict) -> dict:
    props: dict = {"ok": {"const": True}}
    required = ["ok"]
    if key is not None:
        if model is None:
            props[key] = {"type": "object"}
        elif many:
            props[key] = {"type": "array", "items": _ref(model)}
        else:
            props[key] = _ref(model)
        required.append(key)
    props.update(extra)
    required.extend(extra)
    return {"type": "object", "required": required, "properties": props}


def _responses(ok_status: int, ok_schema: dict, statuses: list[int], description: str = "成功") -> dict:
    out = {str(ok_status): {"description": description, "content": {"application/json": {"schema": ok_schema}}}}
    for status in statuses:
        out[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return out


def _csrf_param() -> dict:
    return {"$ref": "#/components/parameters/CsrfToken"}


@cache
def document() -> dict:
    """The OpenAPI 3.1 document (built once per process: it depends only on the code)."""
    from .api import ENDPOINTS, staff_actions

    codes = error_codes()
    statuses = sorted(set(codes.values()))

    request_models = {e.request for e in ENDPOINTS if e.request} | {ACTIONS[n].payload for n in staff_actions()}
    response_models = {e.response for e in ENDPOINTS if e.response}
    entries = [(m, "validation") for m in sorted(request_models, key=lambda m: m.__name__)]
    entries += [(m, "serialization") for m in sorted(response_models, key=lambda m: m.__name__)]
    _, top = models_json_schema(entries, ref_template=REF)
    schemas = dict(sorted(top.get("$defs", {}).items()))
    schemas["Error"] = _error_schema(codes)

    paths: dict[str, dict] = {}
    for e in ENDPOINTS:
        path, params = _openapi_path("/api/v1" + e.rule)
        op: dict = {"operationId": e.operation_id, "summary": e.summary, "tags": [e.tag]}
        if e.description:
            op["description"] = e.description
        parameters = list(params)
        parameters += [{"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
                       for n, t, d in e.query]
        if e.method not in ("GET", "HEAD"):
            parameters.append(_csrf_param())
        if parameters:
            op["parameters"] = parameters
        if e.request is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(e.request)}}}
        elif e.multipart:
            op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream",
                                        "description": "PDF、PNG、JPEG、GIF、WebP、纯文本或 docx"}},
            }}}}
        if e.public:
            op["security"] = []
            ok = {"type": "object", "description": "本文档"}
            op["responses"] = {"200": {"description": "OpenAPI 3.1 文档",
                                       "content": {"application/json": {"schema": ok}}}}
        else:
            ok = _ok_schema(e.response_key, e.response, e.response_list, e.response_extra)
            op["responses"] = _responses(e.status, ok, statuses, "已创建" if e.status == 201 else "成功")
        paths.setdefault(path, {})[e.method.lower()] = op

    for name in staff_actions():
        a = ACTIONS[name]
        path, params = _openapi_path("/api/v1/meetings/<int:meeting_id>/actions/" + name)
        roles = "、".join(ROLE_LABELS.get(r, r) for r in sorted(a.roles))
        description = f"可调用者：{roles}。"
        if a.rule:
            description += f"依据：{a.rule}。"
        description += "成功时返回该操作的确认（与 Socket.IO 确认相同），随后会场各屏幕实时更新。"
        empty = not a.payload.model_fields
        op = {
            "operationId": f"action_{name}",
            "summary": a.summary,
            "description": description,
            "tags": ["会场操作"],
            "parameters": [*params, _csrf_param()],
            "requestBody": {"required": not empty,
                            "content": {"application/json": {"schema": _ref(a.payload)}}},
            "responses": _responses(200, {"type": "object", "required": ["ok"],
                                          "properties": {"ok": {"const": True}},
                                          "additionalProperties": True}, statuses),
            "x-yishi-action": name,
            "x-yishi-roles": sorted(a.roles),
        }
        if a.rule:
            op["x-yishi-rule"] = a.rule
        paths[path] = {"post": op}

    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "议事 Yishi API",
            "version": _version(),
            "summary": "领导班子会议决策：设置、点名、议题、发表意见、表决结果",
            "description": (
                "会议秘书可做的每一件事都可以通过本接口完成，规则与错误与控制台完全相同。"
                "认证：`Authorization: Bearer ysk_…`（`python run.py create-api-token --username …` 生成），"
                "或浏览器登录会话（非 GET 请求须带 `X-CSRF-Token` 头）。详见 docs/api.md。"
            ),
        },
        "tags": [{"name": t} for t in ("会场操作", "会场", "会议", "议题", "领导班子", "人员", "文档")],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "ysk_…",
                               "description": "python run.py create-api-token --username <用户名>"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session",
                               "description": "浏览器登录（/login）后的会话；非 GET 请求还须带 X-CSRF-Token 头"},
            },
            "parameters": {
                "CsrfToken": {"name": "X-CSRF-Token", "in": "header", "required": False,
                              "schema": {"type": "string"},
                              "description": "使用浏览器会话认证时必填（页面上的 csrf_token）；使用 Bearer 令牌时不需要"},
            },
            "responses": _error_responses(codes),
        },
    }
