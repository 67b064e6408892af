"""Chinese first (zh, the source language of every message), English as a second locale.

Catalogues live in ``translations/<locale>/LC_MESSAGES/messages.po``; the compiled ``.mo`` is built from the
``.po`` when missing or older (so a fresh clone needs no extra step).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale

from voting import sources

LOCALES = ("zh", "en")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(root: Path = TRANSLATIONS) -> None:
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as fh:
                write_mo(fh, catalog)
            tmp.replace(mo)


def select_locale() -> str:
    try:
        wanted = request.args.get("lang")
        if wanted in LOCALES:
            session["lang"] = wanted
            return wanted
        return session.get("lang") if session.get("lang") in LOCALES else "zh"
    except RuntimeError:
        return "zh"


def cite(key: str, clause: str = "") -> str:
    """A source cited on a page by its title and number (:func:`voting.sources.cite`); on an English page the Chinese
    title stays (it is a proper name) and an English gloss follows it."""
    text = sources.cite(key, clause)
    gloss = sources.gloss(key)
    try:
        english = str(get_locale()) == "en"
    except RuntimeError:  # outside a request
        english = False
    return f"{text} ({gloss})" if english and gloss else text


def init(app: Flask) -> None:
    compile_catalogues()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    from .js_strings import js_strings  # the page scripts' strings, in the locale of the request

    app.jinja_env.globals["js_strings"] = js_strings
    app.jinja_env.globals["cite"] = cite  # {{ cite("taobei", "四（二）3") }}: a source by title and number
