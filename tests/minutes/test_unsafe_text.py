"""Hole 3 (issue 13): a row stored with a control character before the boundary refused it still archives —
the document builder strips what XML cannot hold (python-docx would refuse the whole 会议记录)."""

from __future__ import annotations

import io

from docx import Document
from sqlalchemy import text

from meeting.db import unit_of_work
from minutes import service
from tests.factories import STAFF


def test_a_legacy_row_with_control_characters_still_archives(app, factory, built):
    mid = built.meeting_id
    with app.app_context(), unit_of_work() as s:  # written directly, as an older version could have stored it
        s.execute(
            text("UPDATE opinion SET reason = :r WHERE reason = :old"),
            {"r": "任职经历\x01尚需\x0b补充\u202e", "old": "任职经历尚需补充"},
        )
        s.execute(
            text("UPDATE agendaitem SET title = :t WHERE id = :i"),
            {"t": "关于城南\x1b片区老旧小区改造方案的议题", "i": built.items["a"]},
        )
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context():
        docs = service.archive(STAFF, mid, service.archive_dir(app.instance_path))
    assert sorted(d.kind for d in docs) == ["public", "record", "summary"]
    record = next(d for d in docs if d.kind == "record")
    data = (service.archive_dir(app.instance_path) / record.stored_name).read_bytes()
    body = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "任职经历尚需补充" in body and "关于城南片区老旧小区改造方案" in body
    assert not any(c in body for c in "\x01\x0b\x1b\u202e")
