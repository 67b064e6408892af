"""Property-based fuzzing (hypothesis) of every Socket.IO event and every ``/api/v1`` operation (issue 13).

Payloads are generated from the same pydantic schemas the server validates with (their JSON Schema: enums, ids,
patterns, dates) and mixed with garbage: ids beyond the database's integer, negative numbers, bools for numbers,
numbers for dates, control and bidi characters, NUL, deep nesting, wrong JSON types, unknown fields. For every
call: no 5xx and no ``server_error`` acknowledgement; and a refused call (4xx, or ``ok: false``) changes no row of
any table (a dump of the database before and after).

A fixed seed (``derandomize=True``) and a bounded number of examples per operation (``YISHI_FUZZ_EXAMPLES``,
default 12 — the whole file in well under 90 s here); for a longer run, e.g.
``YISHI_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest -q -p no:cacheprovider tests/meeting/test_fuzz.py`` (add
``YISHI_FUZZ_RANDOM=1`` for a fresh seed each run). The figures of a run are printed at the end (``-s``).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meeting.actions import ACTIONS
from tests.snapshot import changed, dump_db

EXAMPLES = int(os.environ.get("YISHI_FUZZ_EXAMPLES", "12"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("YISHI_FUZZ_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
FIGURES: Counter = Counter()

# ---------------------------------------------------------------- garbage

BAD_CHARS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x1b",
    "\x1f",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
]
HUGE = [0, -1, -(2**31), 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, -(10**30)]

ints = st.one_of(st.sampled_from(HUGE), st.integers(-(2**70), 2**70), st.integers(-3, 50))
bad_text = st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), st.sampled_from(BAD_CHARS), st.text(max_size=8))
texts = st.one_of(
    st.text(max_size=40),
    bad_text,
    st.sampled_from(["", " ", "x" * 70000, "１２", "2024-13-45", "NaN", "true", "0", "-1", "null"]),
)
leaf = st.one_of(st.none(), st.booleans(), ints, st.floats(allow_nan=True, allow_infinity=True), texts)
garbage = st.recursive(
    leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3), max_leaves=6
)


def deep(n: int) -> object:
    out: object = []
    for _ in range(n):
        out = [out]
    return out


deep_values = st.sampled_from([deep(40), {"a": {"b": {"c": {"d": {"e": {"f": {"g": deep(30)}}}}}}}])


# ---------------------------------------------------------------- from the schemas


def from_schema(schema: dict, defs: dict, ids: list[int]) -> st.SearchStrategy:
    """Values a JSON Schema (pydantic's validation schema) allows — roughly — or garbage in its place."""
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, ids)
    if "anyOf" in schema:
        return st.one_of(*[from_schema(s, defs, ids) for s in schema["anyOf"]])
    if "enum" in schema:
        good = st.sampled_from(schema["enum"])
    elif "const" in schema:
        good = st.just(schema["const"])
    else:
        kind = schema.get("type")
        if kind == "integer":
            good = st.one_of(
                st.sampled_from(ids or [1]),
                st.integers(schema.get("minimum", -5), min(schema.get("maximum", 10**6), 10**6)),
            )
        elif kind == "boolean":
            good = st.booleans()
        elif kind == "number":
            good = st.floats(allow_nan=False)
        elif kind == "string":
            fmt = schema.get("format")
            if fmt == "date":
                good = st.dates().map(str)
            elif fmt == "date-time":
                good = st.datetimes().map(lambda d: d.isoformat(timespec="minutes"))
            elif "pattern" in schema:
                good = st.from_regex(schema["pattern"], fullmatch=True).filter(lambda v: len(v) <= 64)
            else:
                good = st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 30), 30))
        elif kind == "array":
            items = schema.get("items") or {}
            if "prefixItems" in schema:
                good = st.tuples(*[from_schema(s, defs, ids) for s in schema["prefixItems"]]).map(list)
            else:
                good = st.lists(from_schema(items, defs, ids), max_size=4)
        elif kind == "object" and "properties" in schema:
            good = object_of(schema, defs, ids)
        elif kind == "object":
            good = st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)
        elif kind == "null":
            good = st.none()
        else:
            good = garbage
    return st.one_of(good, good, good, garbage, deep_values)  # mostly well-formed, so the rules are reached too


def object_of(schema: dict, defs: dict, ids: list[int]) -> st.SearchStrategy:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: from_schema(v, defs, ids) for k, v in props.items() if k in required},
        optional={
            **{k: from_schema(v, defs, ids) for k, v in props.items() if k not in required},
            "unknown_field": garbage,
        },
    )


def payloads(model, ids: list[int]) -> st.SearchStrategy:
    if model is None:
        return st.one_of(st.none(), st.just({}), garbage)
    schema = model.model_json_schema()
    return st.one_of(
        object_of(schema, schema.get("$defs", {}), ids),
        object_of(schema, schema.get("$defs", {}), ids),
        garbage,
        deep_values,
    )


# ---------------------------------------------------------------- the world


@pytest.fixture
def world(app, factory, staff_http):
    """A body, a meeting in session with an item open, a deferred item, a closed meeting; the secretary (admin,
    so the execution ledger's office operations are reached too), a member's tablet.

    A sign-in records its activity at most once a minute (meeting/auth.py ``_touch``, tests/meeting/test_sessions.py):
    on a slow machine a fuzz run outlasts that minute, and the refresh would read as a refused input's change. It
    is put off past the run: what a refused input may not change is the record."""
    from meeting.db import unit_of_work
    from meeting.models import User

    app.config["YISHI_SESSION_TOUCH_SECONDS"] = 10**9

    body, ids, m, item = factory.running(5, 5)
    other = factory.item(m.id, title="第二个议题")
    with app.app_context(), unit_of_work() as s:
        u = s.exec(__import__("sqlmodel").select(User).where(User.username == "mishu")).one()
        u.role = "admin"
        s.add(u)
    with staff_http.session_transaction() as sess:
        sess["role"] = "admin"
    return {
        "body": body,
        "ids": ids,
        "meeting": m,
        "item": item,
        "other": other,
        "all_ids": sorted({body.id, m.id, item.id, other.id, *ids, 1, 2, 3}),
    }


class State:
    """The database's rows as of the last call: one dump per call (a refused call's dump is compared with it; an
    accepted call's becomes the next one's "before")."""

    def __init__(self, app) -> None:
        self.app, self.rows = app, dump_db(app)

    def check(self, refused: bool, what: str) -> None:
        FIGURES["inputs"] += 1
        after = dump_db(self.app)
        before, self.rows = self.rows, after
        if refused:
            FIGURES["refused"] += 1
            diff = changed(before, after)
            if diff:
                FIGURES["state_changes"] += 1
            assert diff == {}, f"{what} was refused but changed {diff}"


# ---------------------------------------------------------------- Socket.IO

SOCKET_EVENTS = [*ACTIONS, "sync", "item_detail"]


def _payload_model(name):
    from meeting.schemas import ItemRef

    return ACTIONS[name].payload if name in ACTIONS else (ItemRef if name == "item_detail" else None)


@pytest.mark.parametrize("who", ["member", "secretary"])
def test_fuzz_every_socketio_event(app, socketio, factory, staff_http, world, who):
    m = world["meeting"]
    if who == "member":
        client = socketio.test_client(app, auth={"token": factory.tokens(m.id)[world["ids"][1]]})
    else:
        client = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    assert client.is_connected()
    state = State(app)
    for name in SOCKET_EVENTS:
        model = _payload_model(name)

        @SETTINGS
        @given(payload=payloads(model, world["all_ids"]), extra=st.sampled_from([(), (), (), ("second",)]))
        def one(payload, extra):
            if name in ("close_meeting", "open_meeting") and payload in (None, {}):
                return  # would end the room for every later example; covered by the room's own tests
            ack = client.emit(name, payload, *extra, callback=True)
            assert isinstance(ack, dict), (name, payload, ack)
            assert (ack.get("error") or {}).get("code") != "server_error", (name, payload, ack)
            state.check(ack.get("ok") is False, f"{name}({payload!r})")

        one()
    assert client.is_connected()


# ---------------------------------------------------------------- the HTTP API


def _operations(app):
    from meeting.api import ENDPOINTS, staff_actions

    ops = [
        (e.method, "/api/v1" + e.rule, e.request, e.multipart, tuple(e.query.model_fields) if e.query else ())
        for e in ENDPOINTS
    ]
    ops += [
        ("POST", f"/api/v1/meetings/<int:meeting_id>/actions/{n}", ACTIONS[n].payload, False, ())
        for n in staff_actions()
        if n not in ("close_meeting", "open_meeting")
    ]
    ops.append(("POST", "/api/v1/meetings/<int:meeting_id>/actions/<name>", None, False, ()))
    return ops


def _wire(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def test_fuzz_every_api_operation(app, staff_http, world):
    ops = _operations(app)
    assert len(ops) >= 60, len(ops)  # every operation of meeting/, minutes/ and execution/, and every action
    h = {"X-CSRF-Token": staff_http.csrf}
    state = State(app)
    for method, rule, model, multipart, query in ops:
        names = PARAM.findall(rule)
        path_values = st.fixed_dictionaries(
            {
                n: (
                    st.one_of(st.sampled_from(world["all_ids"]), st.sampled_from(HUGE + [2**31 - 1]))
                    if conv == "int"
                    else st.sampled_from([*ACTIONS, "sync", "unknown", "x%20y", "%00", "%2e%2e"])
                )
                for conv, n in names
            }
        )
        query_values = st.dictionaries(
            st.sampled_from([*query] or ["x"]), st.one_of(ints.map(str), texts, st.dates().map(str)), max_size=3
        )
        body = (
            st.tuples(
                st.one_of(texts, st.just("材料.pdf")),
                st.binary(max_size=64),
                st.sampled_from(["application/pdf", "text/plain", "image/png", "x/y"]),
            )
            if multipart
            else payloads(model, world["all_ids"])
        )
        raw = st.sampled_from([None, "{", "[" * 50000, "1" * 5000, '{"a":' * 2000, "\x00", ""])

        @SETTINGS
        @given(params=path_values, args=query_values, data=body, raw_body=st.one_of(st.none(), st.none(), raw))
        def one(params, args, data, raw_body):
            path = PARAM.sub(lambda mt: str(params[mt.group(2)]), rule)
            # as bytes on the wire: a lone surrogate is sent as its (invalid) UTF-8 bytes
            kw: dict = {"headers": h, "query_string": "&".join(f"{_wire(k)}={_wire(v)}" for k, v in args.items())}
            if multipart:
                name, content, ctype = data
                name = name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                kw |= {
                    "content_type": "multipart/form-data",
                    "data": {"file": (io.BytesIO(b"%PDF-1.4 " + content), name, ctype)},
                }
            elif raw_body is not None:
                kw |= {"data": raw_body, "content_type": "application/json"}
            elif method not in ("GET", "DELETE"):  # escaped as a client would send it (a lone surrogate too)
                kw |= {"data": json.dumps(data), "content_type": "application/json"}
            resp = staff_http.open(path, method=method, **kw)
            assert resp.status_code < 500, (method, path, args, data, resp.status_code, resp.data[:300])
            if resp.status_code >= 400:
                body_json = resp.get_json(silent=True)
                assert body_json is not None and body_json.get("ok") is False, (method, path, resp.data[:200])
            state.check(resp.status_code >= 400, f"{method} {path}")

        one()


def test_fuzz_figures(capsys):
    """Prints the figures of the fuzz tests above (run with -s); runs last in this file."""
    with capsys.disabled():
        print(
            f"\nfuzz: {FIGURES['inputs']} inputs, {FIGURES['refused']} refused, "
            f"{FIGURES['state_changes']} state changes from a refused input, 0 5xx (each would have failed)"
        )
