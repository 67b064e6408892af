"""Users never see the word "seed": it is how the developers' guide names its source files (seed 003), not how an
office cites a document (《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）3).

Swept, case-insensitively: every GET route of tests/route_matrix.py fetched as each role that may reach it, in both
locales, on a world with a meeting before, during and after (its minutes approved and archived); every generated
docx (all paragraphs, tables, headers and footers) and xlsx export; the OpenAPI document; the page scripts' strings in
both locales; every refusal class (message and source) of the parts and the room's actions; the rule profiles and
relation types; every template, page script, English translation and string constant a user could be shown.
"""

from __future__ import annotations

import ast
import importlib
import io
import json
import pkgutil
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# "seed" as a word or a prefix (seed 003, seed003, Seeds), not inside a random token (…xseedq… in a CSRF token)
WORD = re.compile(r"(?<![A-Za-z0-9_\-])seed", re.IGNORECASE)
OLD_FORMS = re.compile(r"(?<![》〕])(?:国务院令第713号|公务员法|民法典) ?第\d")
PARTS = ("voting", "meeting", "minutes", "execution", "yishi")


def _hits(text: str) -> list[str]:
    return [" ".join(text[max(0, m.start() - 40) : m.end() + 40].split()) for m in WORD.finditer(text)]


# ---------------------------------------------------------------- documents: docx and xlsx read back


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    out = [p.text for p in doc.paragraphs]

    def tables(ts):
        for t in ts:
            for row in t.rows:
                for cell in row.cells:
                    out.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    tables(doc.tables)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            out.extend(p.text for p in part.paragraphs)
            tables(part.tables)
    out += [doc.core_properties.title or "", doc.core_properties.subject or "", doc.core_properties.keywords or ""]
    return "\n".join(out)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = [wb.properties.title or ""]
    for ws in wb.worksheets:
        out.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            out.extend(str(v) for v in row if v is not None)
    return "\n".join(out)


def response_text(resp) -> str:
    """What the user gets: a page or JSON as text, a docx or xlsx read back; other files (PDF, images) are what
    people uploaded or a QR code."""
    data = resp.get_data()
    kind = resp.headers.get("Content-Type", "")
    if data[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(data)):
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        if "word/document.xml" in names:
            return docx_text(data)
        if "xl/workbook.xml" in names:
            return xlsx_text(data)
        return ""
    if kind.startswith(("text/", "application/json", "application/javascript")) or "csv" in kind:
        return data.decode("utf-8", errors="replace")
    return ""


# ---------------------------------------------------------------- every page as every role, in both locales


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The matrix's world (a decided meeting archived, a meeting in session, every kind of record), and a meeting
    not yet begun with an item being prepared."""
    from meeting import policy
    from tests.conftest import fresh_database, make_app, quick_argon2
    from tests.factories import Factory
    from tests.meeting.test_route_matrix import build_world

    tmp = tmp_path_factory.mktemp("words")
    with fresh_database(tmp) as url, quick_argon2():
        app = make_app(tmp, url)
        try:
            factory = Factory(app)
            w = build_world(app, factory)
            body_id = w["body_id"]
            before = factory.meeting(body_id, session_number=3)
            w["before_meeting_id"] = before.id
            w["before_item_id"] = factory.item(
                before.id, title="关于某某项目的议题", category="major_project", prepared=False
            ).id
            w["app"] = app
            w["groups"] = lambda endpoint: policy.groups_for(app, endpoint) or frozenset()
            w["rules"] = {r.endpoint: r for r in app.url_map.iter_rules()}
            yield w
        finally:
            app.extensions["yishi.engine"].dispose()


def _get_cells():
    from tests.access_matrix import app_endpoints
    from tests.route_matrix import expected

    return [
        (endpoint, role)
        for method, _, endpoint in app_endpoints()
        if method == "GET" and endpoint != "views.logout"
        for role in sorted(expected(endpoint) or ())
    ]


def _fetch(w, endpoint: str, role: str, lang: str, phase: str = "") -> str:
    from tests.meeting.test_route_matrix import url_for_role

    swapped = {}
    if phase == "before":  # the pages of the live meeting, for the meeting not yet begun
        swapped = {"live_meeting_id": w["live_meeting_id"], "live_item_id": w["live_item_id"]}
        w["live_meeting_id"], w["live_item_id"] = w["before_meeting_id"], w["before_item_id"]
    try:
        url = url_for_role(w["rules"][endpoint], endpoint, role, w)
    finally:
        w.update(swapped)
    url += ("&" if "?" in url else "?") + f"lang={lang}"
    resp = w["clients"][role].get(url)
    try:
        assert resp.status_code < 500, (url, resp.status_code)
        return response_text(resp)
    finally:
        resp.close()


def test_the_sweep_reaches_the_pages_that_cite_sources(world):
    """The world is populated enough that the pages citing sources are among those swept (else the sweep proves
    nothing)."""
    cells = _get_cells()
    assert len(cells) > 80
    ledger = _fetch(world, "execution.ledger", "supervisor", "zh")
    pages = {
        e: _fetch(world, e, r, "zh") for e, r in cells if e in ("disclosure.index", "views.console", "api.getOpenApi")
    }
    assert "白洮政发〔2023〕14号" in pages["api.getOpenApi"]
    assert "《呼和浩特市重大行政决策执行责任制规定》第二十四条" in pages["disclosure.index"]
    assert "《如皋市政府关于落实市人大决议决定、审议意见的实施意见》" in ledger


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_a_role_may_open_shows_the_word_seed(world, lang):
    found = []
    for endpoint, role in _get_cells():
        phases = ["", "before"] if "live_meeting_id" in _url_names(world, endpoint) else [""]
        for phase in phases:
            text = _fetch(world, endpoint, role, lang, phase)
            found += [f"{role} {endpoint} {phase} {lang}: {h}" for h in _hits(text)]
    assert found == [], "\n".join(found)


def _url_names(w, endpoint: str) -> set[str]:
    names = set(re.findall(r"<(?:[^:>]+:)?([^>]+)>", w["rules"][endpoint].rule))
    if endpoint.startswith(("views.", "setup_views.")):
        names |= {f"live_{n}" for n in names & {"meeting_id", "item_id"}}
    return names


def test_no_archived_document_says_seed(world):
    """Every docx the archive holds (minutes, record, summary, attendance …), read back paragraph by paragraph."""
    from sqlmodel import select

    from minutes import service as minutes_service
    from minutes.models import ArchivedDocument
    from tests.execution.supervision_fixtures import run

    app = world["app"]
    folder = Path(minutes_service.archive_dir(app.instance_path))
    docs = run(app, lambda s: [(d.kind, d.stored_name) for d in s.exec(select(ArchivedDocument)).all()])
    assert docs
    found = []
    for kind, name in docs:
        path = next(folder.rglob(name))
        data = path.read_bytes()
        text = docx_text(data) if zipfile.is_zipfile(path) else data.decode("utf-8", errors="replace")
        assert text.strip(), kind
        found += [f"{kind}: {h}" for h in _hits(text)]
    assert found == [], "\n".join(found)


def test_the_openapi_document_and_the_scripts_strings_never_say_seed(world):
    from meeting.js_strings import PARTS as SCRIPT_PARTS
    from meeting.js_strings import js_strings

    app = world["app"]
    doc = app.test_client().get("/api/v1/openapi.json").get_data(as_text=True)
    assert "规则出处" in doc and _hits(doc) == []
    for lang in ("zh", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            strings = json.dumps(js_strings(*SCRIPT_PARTS), ensure_ascii=False)
        assert _hits(strings) == [], lang


# ---------------------------------------------------------------- refusals, profiles, catalogues, sources


def _modules():
    for part in PARTS:
        pkg = importlib.import_module(part)
        yield pkg
        for info in pkgutil.walk_packages(pkg.__path__, f"{part}."):
            if ".migrations" in info.name:  # (env.py runs only inside Alembic)
                continue
            yield importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_refusal_names_a_source_by_its_file():
    from meeting.actions import ACTIONS
    from meeting.errors import YishiError

    list(_modules())  # every refusal class of every part defined
    classes = sorted(set(_subclasses(YishiError)), key=lambda c: c.__module__ + c.__qualname__)
    assert len(classes) > 40 and {c.__module__.split(".")[0] for c in classes} >= {"meeting", "minutes", "execution"}
    found = [
        f"{c.__module__}.{c.__qualname__}: {c.msgid} / {c.source}" for c in classes if _hits(f"{c.msgid} {c.source}")
    ]
    found += [f"action {a.name}: {a.summary} / {a.rule}" for a in ACTIONS.values() if _hits(f"{a.summary} {a.rule}")]
    assert found == [], "\n".join(found)
    # and by title and number, not the developers' shorthand of the laws (公务员法 第76条, 民法典 第1259条)
    shorthand = [c.__qualname__ for c in classes if OLD_FORMS.search(c.source)]
    assert shorthand == []


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_rule_profiles_are_named_and_cite_by_title():
    from voting.profiles import available_profiles

    tomls = sorted((ROOT / "voting").rglob("*.toml"))
    assert tomls
    for path in tomls:
        values = list(_strings(tomllib.loads(path.read_text(encoding="utf-8"))))  # comments are not shown
        assert [v for v in values if _hits(v)] == [], path.name
    assert all(not _hits(p.name) and not _hits(p.title) for p in available_profiles())


def test_templates_scripts_and_translations_never_say_seed():
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "translations").rglob("*.po")]
    files += [p for p in (ROOT / "static").rglob("*.js") if "vendor" not in p.parts]
    assert len(files) > 20
    found = [f"{p.relative_to(ROOT)}: {h}" for p in files for h in _hits(p.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)


def test_no_string_a_user_could_be_shown_says_seed():
    """Every string constant of the parts' code (docstrings aside, unless apispec publishes them — the OpenAPI
    document is swept above): refusal details raised in place, labels, notices, export headings."""
    from voting.profiles import LEGACY_NAMES

    found = []
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            if "migrations" in path.parts:  # a revision renaming "seed003" must name it
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(n.body[0].value)
                for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and n.body
                and isinstance(n.body[0], ast.Expr)
                and isinstance(n.body[0].value, ast.Constant)
            }
            patterns = {  # re.compile("seed 003 §…"): how an earlier release's records are recognised, never shown
                id(n.args[0])
                for n in ast.walk(tree)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "compile" and n.args
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings | patterns
                    and node.value not in LEGACY_NAMES  # accepted on input from old scripts, never shown
                ):
                    found += [f"{path.relative_to(ROOT)}:{node.lineno}: {h}" for h in _hits(node.value)]
    assert found == [], "\n".join(found)


# ---------------------------------------------------------------- what an earlier release stored


def test_a_tally_stored_by_an_earlier_release_is_shown_with_its_sources_by_title(app, factory, staff_http):
    """A round closed by an earlier release keeps its sealed tally ("seed 003 §四(二)3；党政领导干部选拔任用工作条例");
    the room's state, the minutes page and the draft docx cite it by title and number."""
    from sqlmodel import select

    from meeting.db import unit_of_work
    from meeting.models import Round
    from tests.execution.core import decided_meeting
    from voting.profiles import load_profile

    d = decided_meeting(factory, approve=False)
    profile = load_profile()
    legacy = {
        profile.passing.source: "seed 003 §四(二)3；党政领导干部选拔任用工作条例",
        profile.quorum[next(iter(profile.quorum))].source: "seed 003 §四(二)1；民法典 第1259条",
    }
    with app.app_context(), unit_of_work() as s:
        rounds = s.exec(select(Round)).all()
        for rnd in rounds:
            for new, old in legacy.items():
                rnd.tally_json = rnd.tally_json.replace(new, old)
            s.add(rnd)
        assert any("seed 003" in r.tally_json for r in rounds)
    taobei = "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）"
    for url in (f"/api/v1/meetings/{d.meeting_id}/state", f"/minutes/meetings/{d.meeting_id}"):
        text = staff_http.get(url).get_data(as_text=True)
        assert _hits(text) == [], url
    page = staff_http.get(f"/minutes/meetings/{d.meeting_id}").get_data(as_text=True)
    assert taobei + "四（二）3；《党政领导干部选拔任用工作条例》" in page
    resp = staff_http.get(f"/minutes/meetings/{d.meeting_id}/draft/record.docx")
    assert resp.status_code == 200
    assert _hits(docx_text(resp.get_data())) == []
