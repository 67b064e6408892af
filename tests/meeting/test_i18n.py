"""Chinese first, English as the second locale: every refusal message has an English translation."""

import inspect
import re
from pathlib import Path

from babel.messages.pofile import read_po

from meeting import errors
from meeting.errors import ChairNotLast, NotQuorate, YishiError
from tests.factories import sign_in
from voting.sources import CITATIONS

PO = Path(__file__).resolve().parents[2] / "translations/en/LC_MESSAGES/messages.po"


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def _error_classes(module) -> list[type[YishiError]]:
    return [c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, YishiError)]


def _execution_modules():
    import importlib
    import pkgutil

    import execution

    return [importlib.import_module(f"execution.{m.name}") for m in pkgutil.iter_modules(execution.__path__)]


def test_every_error_message_has_an_english_translation():
    from execution import errors as execution_errors
    from minutes import errors as minutes_errors

    catalog = _catalog()
    classes = _error_classes(errors)
    assert len(classes) > 20
    minutes_classes = [c for c in _error_classes(minutes_errors) if c.__module__ == minutes_errors.__name__]
    execution_classes = [c for c in _error_classes(execution_errors) if c.__module__ == execution_errors.__name__]
    assert len(minutes_classes) >= 10 and len(execution_classes) >= 20
    # the refusals the other execution modules define next to their rules (calendar, disclosure, npc, supervision …)
    elsewhere = [c for m in _execution_modules() for c in _error_classes(m) if c.__module__ == m.__name__]
    assert len(elsewhere) > len(execution_classes)
    for cls in dict.fromkeys(classes + minutes_classes + elsewhere):
        msg = catalog.get(cls.msgid)
        assert msg is not None and msg.string, f"{cls.__name__}: no English for {cls.msgid!r}"
        assert set(re.findall(r"%\((\w+)\)", cls.msgid)) == set(re.findall(r"%\((\w+)\)", msg.string)), cls.__name__


def test_default_locale_is_chinese(app):
    with app.test_request_context("/"):
        err = NotQuorate(n=8, present=3, needed=4, fraction="半数以上", kind="常务会议")
        assert err.message == "到会人数不足：应到会8人，实到3人，常务会议须半数以上（至少4人）到会方可召开。"


def test_english_locale_on_request(app):
    with app.test_request_context("/?lang=en"):
        assert ChairNotLast(waiting=2).message == "The chair speaks last: 2 member(s) have not yet given their opinion."


def test_login_page_is_chinese_by_default(http):
    page = http.get("/login").get_data(as_text=True)
    assert "会议秘书登录" in page and 'lang="zh-CN"' in page


# ---------------------------------------------------------------- the whole catalogue, as Babel extracts it

ROOT = PO.parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdf])")
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]+")


def _extracted():
    """Every msgid of meeting/**.py, minutes/**.py, execution/**.py and templates/**.html, extracted with the mapping of babel.cfg."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    assert {pattern for pattern, _ in method_map} == {
        "meeting/**.py",
        "minutes/**.py",
        "execution/**.py",
        "templates/**.html",
    }
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def _placeholders(text: str) -> list[tuple[str, str]]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_extracted_message_has_an_english_translation():
    catalog = _catalog()
    extracted = _extracted()
    assert len(extracted) > 250  # the templates, the setup views' messages, the sign-in page …
    assert any(ctx == "what" for ctx, _ in extracted) and any(ctx == "action" for ctx, _ in extracted)
    problems = []
    for (context, msgid), where in sorted(extracted.items(), key=lambda kv: kv[1]):
        msg = catalog.get(msgid, context=context)
        if msg is None or not msg.string or not msg.string.strip():
            problems.append(f"{where}: no English for {msgid!r}" + (f" (context {context!r})" if context else ""))
        elif _placeholders(msgid) != _placeholders(msg.string):
            problems.append(f"{where}: placeholders differ: {msgid!r} → {msg.string!r}")
        elif msg.fuzzy:
            problems.append(f"{where}: fuzzy translation of {msgid!r}")
    assert not problems, "\n".join(problems)


def test_every_catalogue_entry_keeps_its_placeholders():
    for msg in _catalog():
        if msg.id:
            assert msg.string, msg.id
            assert _placeholders(msg.id) == _placeholders(msg.string), msg.id
            # the translation formats with the same values the Chinese does
            values = {
                name: (1 if kind == "d" else 1.5 if kind == "f" else "x") for name, kind in PLACEHOLDER.findall(msg.id)
            }
            if values:
                msg.string % values


def _vocabulary_labels() -> dict[str, str]:
    from voting import vocabulary

    tables = {name: table for name, table in vars(vocabulary).items() if name.endswith("_LABELS")}
    assert len(tables) >= 9
    return {label: name for name, table in tables.items() for label in table.values()}


def test_every_vocabulary_label_has_an_english_translation():
    catalog = _catalog()
    labels = _vocabulary_labels()
    assert "常务会议" in labels and "重要干部任免" in labels and "请假" in labels
    for label, table in labels.items():
        msg = catalog.get(label)
        assert msg is not None and msg.string.strip(), f"{table}: no English for {label!r}"
        assert not CJK.search(msg.string), (label, msg.string)


def _execution_labels() -> dict[str, str]:
    """Every label dictionary of the execution ledger that a page shows through ``_(label)`` (Babel cannot extract
    them), plus the people's-congress period labels of the rule profile and the notices built with ``_t()``."""
    from babel.messages.extract import extract_from_file

    from execution import audit, disclosure, export, ledger, npc, schemas, supervision
    from voting import accountability
    from voting.profiles import load_profile

    tables = {
        "schemas.LABELS": schemas.LABELS,
        "schemas.PROPOSAL_LABELS": schemas.PROPOSAL_LABELS,
        "schemas.TRIGGER_LABELS": schemas.TRIGGER_LABELS,
        "schemas.RECOMMENDATION_LABELS": schemas.RECOMMENDATION_LABELS,
        "schemas.EXTENSION_LABELS": schemas.EXTENSION_LABELS,
        "schemas.ROLE_LABELS": schemas.ROLE_LABELS,
        "ledger.STATUS_LABELS": ledger.STATUS_LABELS,
        "ledger.WARNING_LABELS": ledger.WARNING_LABELS,
        "audit.EVENT_LABELS": audit.EVENT_LABELS,
        "npc.KIND_LABELS": npc.KIND_LABELS,
        "npc.PERIOD_LABELS": npc.PERIOD_LABELS,
        "npc.STATE_LABELS": npc.STATE_LABELS,
        "disclosure.CHANNEL_LABELS": disclosure.CHANNEL_LABELS,
        "disclosure.COMPLAINT_LABELS": disclosure.COMPLAINT_LABELS,
        "disclosure.COMPLAINT_ERRORS": disclosure.COMPLAINT_ERRORS,
        "export.EXTENSION_STATUS": export.EXTENSION_STATUS,
        "supervision.OFFICE_LABELS": supervision.OFFICE_LABELS,
        "accountability.ACTION_LABELS": accountability.ACTION_LABELS,
        "the default profile's execution.npc labels": {k: p.label for k, p in load_profile().execution.npc.items()},
    }
    # every label table the execution modules define (not the ones they import from meeting/ or voting/) is listed
    from meeting import schemas as meeting_schemas
    from voting import vocabulary

    imported = [v for m in (meeting_schemas, vocabulary) for v in vars(m).values() if isinstance(v, dict)]
    for m in _execution_modules():
        for name, v in vars(m).items():
            if (
                name.endswith(("_LABELS", "_STATUS", "_ERRORS"))
                and isinstance(v, dict)
                and v
                and all(isinstance(x, str) for x in v.values())
                and not any(v is t for t in imported)
            ):
                assert any(v is t for t in tables.values()), f"{m.__name__}.{name} is not checked"
    labels = {label: name for name, table in tables.items() for label in table.values() if label}
    for name in ("supervision", "npc"):  # _t("…"): translated where a page is at hand, kept in Chinese otherwise
        for _line, msgid, _c, _ctx in extract_from_file(
            "python", str(ROOT / f"execution/{name}.py"), keywords={"_t": None}
        ):
            if msgid:
                labels.setdefault(msgid, f"_t in execution/{name}.py")
    return labels


def test_every_execution_label_has_an_english_translation():
    catalog = _catalog()
    labels = _execution_labels()
    assert "逾期" in labels and "蓝色预警" in labels and "调整（修改决策）" in labels and "约谈" in labels
    assert "请你单位高度重视，抓紧推进落实，并将办理进展、存在问题及下一步措施书面报送督查室。" in labels
    problems = []
    for label, table in sorted(labels.items(), key=lambda kv: kv[1]):
        msg = catalog.get(label)
        if msg is None or not msg.string.strip():
            problems.append(f"{table}: no English for {label!r}")
        elif CJK.search(CITATIONS.sub("", msg.string)):  # a source cited by its title and number, as written
            problems.append(f"{table}: Chinese left in {msg.string!r}")
        elif _placeholders(label) != _placeholders(msg.string) or msg.fuzzy:
            problems.append(f"{table}: placeholders differ or fuzzy: {label!r}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the page scripts' strings (meeting/js_strings.py)

SCRIPTS = ROOT / "static/js"
STRINGS_BLOCK = re.compile(r'<script type="application/json" id="yishi-strings">(.*?)</script>', re.DOTALL)


def _part_of(script: Path) -> str:
    """Which part of the delivered table a script reads: ``var T = YishiRoom.strings('tablet')`` (setup.js has its own
    ``strings("setup")``, the setting-up pages loading no room client); a script in parts (tablet-opinion.js …) reads
    the table of the kit that opens its namespace (``window.YishiTablet = {T: T, …}`` in tablet-kit.js)."""
    source = script.read_text(encoding="utf-8")
    parts = set(re.findall(r"\bvar T = [\w.]*\bstrings\(['\"](\w+)['\"]\)", source))
    assert len(parts) <= 1, script.name
    if not parts and (namespace := re.search(r"}\)\(window\.(Yishi\w+)\);\s*$", source)):
        kits = [p for p in SCRIPTS.glob("*.js") if f"window.{namespace[1]} = {{" in p.read_text(encoding="utf-8")]
        assert len(kits) == 1, script.name
        return _part_of(kits[0])
    return parts.pop() if parts else ""


def _keys_used(script: Path) -> set[tuple[str, ...]]:
    """``T.ask.closed`` → ("ask", "closed"); ``T.stance[s]`` → ("stance",); ``T['x']`` → ("x",)."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script.read_text(encoding="utf-8"), flags=re.DOTALL)
    keys = {tuple(k for k in m.groups() if k) for m in re.finditer(r"\bT\.(\w+)(?:\.(\w+))?", code)}
    keys |= {(k,) for k in re.findall(r"\bT\[['\"](\w+)['\"]\]", code)}
    return keys


def _delivered(http, url: str) -> dict:
    page = http.get(url).get_data(as_text=True)
    blocks = STRINGS_BLOCK.findall(page)
    assert len(blocks) == 1, url
    import json

    return json.loads(blocks[0])


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value]


def test_no_script_keeps_a_string_table_of_its_own():
    for script in sorted(SCRIPTS.glob("*.js")):
        source = script.read_text(encoding="utf-8")
        assert "var ZH" not in source and "var EN" not in source and "VOCABULARY_EN" not in source, script.name
        if re.search(r"\bT\.\w", source):
            assert _part_of(script), f"{script.name} uses T but reads no part of the strings"


def test_every_key_a_script_uses_is_delivered_in_both_locales(app, staff_http, factory):
    from meeting.js_strings import js_strings

    tables = {}
    for lang in ("zh", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            tables[lang] = js_strings("room", "tablet", "minutes", "console", "projector", "setup", "editor", "reader")
    used = {script.name: (_part_of(script), _keys_used(script)) for script in SCRIPTS.glob("*.js")}
    assert sum(len(keys) for _, keys in used.values()) > 200
    problems = []
    for name, (part, keys) in sorted(used.items()):
        for key in sorted(keys):
            for lang, table in tables.items():
                value = table.get(part, {}).get(key[0])
                if value is None or (len(key) > 1 and isinstance(value, dict) and key[1] not in value):
                    problems.append(f"{name}: T.{'.'.join(key)} is not delivered in {lang}")
    assert not problems, "\n".join(problems)
    # the same shape in both locales (lists of quick reasons included), the same placeholders, no Chinese left
    for part, zh in tables["zh"].items():
        en = tables["en"][part]
        assert len(_texts(zh)) == len(_texts(en)), part
        for z, e in zip(_texts(zh), _texts(en), strict=True):
            assert sorted(re.findall(r"\{(\w+)\}", z)) == sorted(re.findall(r"\{(\w+)\}", e)), (part, z, e)
            assert not CJK.search(e), (part, z, e)
    assert tables["zh"]["tablet"]["phrases"]["other"]["agree"][0] == "同意该方案"
    assert tables["en"]["tablet"]["phrases"]["other"]["agree"][0] == "I agree with the proposal"
    stances = {"agree", "disagree", "defer"}
    assert set(tables["en"]["tablet"]["stance"]) == stances == set(tables["en"]["console"]["stance"])


def test_the_pages_deliver_the_strings_their_scripts_read(staff_http, factory):
    _, _, m, _ = factory.running(5, category="other")
    zh = _delivered(staff_http, f"/meetings/{m.id}/console?lang=zh")
    assert set(zh) == {"room", "vocabulary", "console", "reader"}
    assert zh["console"]["openNext"] == "开始审议" and zh["room"]["cancel"] == "取消" and zh["vocabulary"] == {}
    en = _delivered(staff_http, f"/meetings/{m.id}/console?lang=en")
    assert en["console"]["openNext"] == "Open item" and en["console"]["deferTitle"] == "Defer decision"
    assert en["console"]["closeMeetingTitle"] == "Adjourn the meeting" and en["console"]["closeMeetingOk"] == "Adjourn"
    # the room state's Chinese labels, shown on an English page through the catalogue
    catalog = _catalog()
    assert set(en["vocabulary"]) == set(_vocabulary_labels())
    for label, english in en["vocabulary"].items():
        assert catalog.get(label).string == english, label
    assert set(_delivered(staff_http, f"/meetings/{m.id}/setup?lang=en")) == {"setup"}


def test_the_tablet_and_the_projector_deliver_their_strings(http, factory):
    body, ids = factory.body(3)
    m = factory.meeting(body.id)
    token = factory.tokens(m.id)[ids[1]]
    en = _delivered(http, f"/t/{token}?lang=en")
    assert set(en) == {"room", "vocabulary", "tablet", "minutes", "reader"}
    assert en["tablet"]["ask"]["closed"] == "The meeting has closed. Thank you."
    assert en["tablet"]["verdictPass"] == "passed"
    zh = _delivered(http, f"/t/{token}?lang=zh")
    assert zh["tablet"]["ask"]["closed"] == "会议已结束，谢谢。" and zh["minutes"]["sep"] == "、"
    screen = _delivered(http, f"/t/{factory.projector_token(m.id)}?lang=en")
    assert set(screen) == {"room", "vocabulary", "projector"} and screen["projector"]["pass"] == "passed"


# ---------------------------------------------------------------- pages and refusals in English


def _visible_text(html: str) -> str:
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


def _untranslated(html: str, data: list[str]) -> list[str]:
    text = _visible_text(html)
    for value in sorted(data, key=len, reverse=True):  # names, titles, dates and places typed in Chinese
        text = text.replace(value, " ")
    return CJK.findall(text)


def test_the_dashboard_renders_in_english(staff_http, factory):
    body, _ = factory.body(3, name="某某区人民政府")
    factory.meeting(body.id, session_number=12)
    page = staff_http.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Sign out" in page and "All meetings" in page and "Leadership bodies" in page and "New meeting" in page
    assert "Majority rule (by vote)" in page  # a vocabulary label, translated at render time
    assert _untranslated(page, ["某某区人民政府第12次常务会议", "某某区人民政府", "2023年12月9日", "中文"]) == []
    # remembered in the session
    again = staff_http.get("/people").get_data(as_text=True)
    assert 'lang="en"' in again and "People directory" in again and "人员名录" not in again


def test_the_console_renders_in_english(staff_http, factory):
    _, _, m, _ = factory.running(5, category="other")
    page = staff_http.get(f"/meetings/{m.id}/console?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Secretary console" in page and "Sign out" in page and "Attendance" in page and "Current item" in page
    assert "Defer decision" in page and "Written opinions" in page
    assert _untranslated(page, ["某某区人民政府第1次常务会议", "2023年12月9日", "区政府第一会议室", "中文"]) == []


def test_the_setup_page_renders_in_english(staff_http, factory):
    from voting.profiles import load_profile

    body, _ = factory.body(3, name="某某区人民政府")
    m = factory.meeting(body.id)
    factory.item(m.id, title="关于某某事项的议题", category="major_decision", prepared=False)
    page = staff_http.get(f"/meetings/{m.id}/setup?lang=en").get_data(as_text=True)
    assert "Edit meeting details" in page and "Decision preparation" in page and "Legality review" in page
    assert "the item cannot be put to the meeting</strong>: Legality review" in page
    profile = load_profile()  # its title and legal sources are the rule profile's own words
    data = [
        "某某区人民政府第1次常务会议",
        "某某区人民政府",
        "2023年12月9日",
        "区政府第一会议室",
        "关于某某事项的议题",
        "王秘书",
        "区长",
        "副区长",
        "中文",
        "成员01",
        "成员02",
        "成员03",
        profile.title,
        profile.preparation_source,
        "《延寿县人民政府关于进一步提升政府执行力的意见》三",  # a source is cited by its title, in any locale
    ]
    leftover = [s for s in _untranslated(page, data) if s not in ("（", "）")]  # around a member's title
    assert leftover == []


def test_the_sign_in_page_and_its_refusal_in_english(http):
    page = http.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page and "Secretary sign-in" in page and "Password" in page
    resp = sign_in(http, "nobody", "wrong")
    assert resp.status_code == 401 and "Wrong user name or password." in resp.get_data(as_text=True)


def test_a_refusal_over_a_socket_whose_session_chose_english_is_english(app, socketio, staff_http, factory):
    body, _ = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    staff_http.get("/?lang=en")  # the secretary chose English; the session remembers it
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    assert console.is_connected()
    ack = console.emit("open_item", {"item_id": item.id}, callback=True)
    assert ack == {
        "ok": False,
        "error": {"code": "meeting_not_in_session", "message": "The meeting has not been opened yet."},
    }
    console.disconnect()

    staff_http.get("/?lang=zh")  # back to Chinese: a new connection speaks Chinese again
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    ack = console.emit("open_item", {"item_id": item.id}, callback=True)
    assert ack["error"]["message"] == "会议尚未宣布开始。"
    console.disconnect()


def test_a_tablet_opened_in_english_gets_english_refusals(app, socketio, factory):
    body, ids = factory.body(3)
    m = factory.meeting(body.id)
    item = factory.item(m.id)
    client = app.test_client()
    token = factory.tokens(m.id)[ids[1]]
    page = client.get(f"/t/{token}?lang=en").get_data(as_text=True)  # the member opened their link in English
    assert 'lang="en"' in page and "Check in" in page
    tablet = socketio.test_client(app, flask_test_client=client, auth={"token": token})
    ack = tablet.emit(
        "give_opinion", {"client_id": "tablet-0001", "item_id": item.id, "round": 1, "stance": "agree"}, callback=True
    )
    assert ack["ok"] is False and ack["error"]["code"] == "meeting_not_in_session"
    assert ack["error"]["message"] == "The meeting has not been opened yet."
    tablet.disconnect()
