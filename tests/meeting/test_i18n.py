"""Chinese first, English as the second locale: every refusal message has an English translation."""

import inspect
import re
from pathlib import Path

from babel.messages.pofile import read_po

from meeting import errors
from meeting.errors import ChairNotLast, NotQuorate, YishiError

PO = Path(__file__).resolve().parents[2] / "translations/en/LC_MESSAGES/messages.po"


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def test_every_error_message_has_an_english_translation():
    catalog = _catalog()
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, YishiError)]
    assert len(classes) > 20
    for cls in classes:
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
