"""The minutes' refusals are typed and translatable: stable codes, msgids Babel extracts, parameters not prose."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from meeting.db import unit_of_work
from meeting.errors import YishiError
from minutes import errors, service
from tests.factories import STAFF

MINUTES = Path(errors.__file__).resolve().parent
CLASSES = [
    c
    for _, c in inspect.getmembers(errors, inspect.isclass)
    if issubclass(c, YishiError) and c.__module__ == errors.__name__
]


def test_every_refusal_is_extracted_for_the_catalogue():
    extracted = {msg for _, msg, _, _ in extract_from_file("python", str(MINUTES / "errors.py"))}
    assert len(CLASSES) >= 10
    for cls in CLASSES:
        assert cls.msgid in extracted, cls.__name__
        assert cls.code and cls.http_status in (400, 403, 409), cls.__name__
        assert re.search(r"[。！]$", cls.msgid), f"{cls.__name__}: one sentence, ending with 。"


def test_no_refusal_in_minutes_carries_prose_in_a_parameter():
    """``InvalidState(detail="…")`` cannot be translated: every refusal is a class of minutes/errors.py."""
    for path in MINUTES.glob("*.py"):
        assert "detail=" not in path.read_text(encoding="utf-8"), path.name


def test_parameters_are_data(app):
    with app.test_request_context("/"):
        err = errors.ItemsStillOpen(titles="关于乙事项的议题")
        assert err.message == "各议题均作出决定或暂缓决策后方可审定纪要，尚未完成的议题：关于乙事项的议题。"
        assert err.to_dict()["error"]["source"].startswith("《重大行政决策程序暂行条例》（国务院令第713号）")


@pytest.mark.parametrize(
    "case", ["edit_after_approval", "approve_twice", "archive_draft", "amend_draft", "bad_deadline"]
)
def test_the_service_raises_the_typed_refusals(app, factory, built, case):
    mid, folder = built.meeting_id, service.archive_dir(app.instance_path)
    expected = {
        "edit_after_approval": errors.MinutesNotDraft,
        "approve_twice": errors.MinutesAlreadyApproved,
        "archive_draft": errors.MinutesNotApproved,
        "amend_draft": errors.AmendDraftDirectly,
        "bad_deadline": errors.InvalidDeadline,
    }[case]
    if case in ("edit_after_approval", "approve_twice", "bad_deadline"):
        with app.app_context(), unit_of_work() as s:
            service.approve(s, STAFF, mid)
    amendment = service.AmendmentIn(item_id=built.items["a"], field="deadline", value="明年六月", reason="写错")
    calls = {
        "edit_after_approval": lambda s: service.edit_texts(
            s, STAFF, mid, built.items["a"], service.MinutesItemIn(decided="改")
        ),
        "approve_twice": lambda s: service.approve(s, STAFF, mid),
        # archiving and amending own their transactions (they render documents: none may be open meanwhile)
        "archive_draft": lambda s: service.archive(STAFF, mid, folder),
        "amend_draft": lambda s: service.amend(STAFF, mid, amendment, folder),
        "bad_deadline": lambda s: service.amend(STAFF, mid, amendment, folder),
    }
    if case in ("archive_draft", "amend_draft", "bad_deadline"):
        with app.app_context(), pytest.raises(expected):
            calls[case](None)
    else:
        with app.app_context(), unit_of_work() as s, pytest.raises(expected):
            calls[case](s)
    with app.app_context(), unit_of_work() as s:  # nothing changed
        assert service.ensure(s, mid).status == ("draft" if case in ("archive_draft", "amend_draft") else "approved")
        assert not service.documents(s, mid)
