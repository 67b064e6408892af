"""Archiving and amending hold no transaction while the documents are rendered (issue 13, hole 5); what changed
meanwhile is noticed (the work is redone, or refused), and a failed write leaves no file behind."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlmodel import select

from meeting import audit
from meeting.db import read_only, unit_of_work
from meeting.models import Event
from minutes import service
from minutes.errors import MinutesChangedMeanwhile
from tests.factories import STAFF

SQLITE = os.environ.get("YISHI_TEST_DB", "sqlite") != "postgresql"


def _approved(app, texts) -> int:
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, texts.meeting_id)
    return texts.meeting_id


def _amendment(texts, value="区城市更新中心", reason="牵头单位记错"):
    return service.AmendmentIn(item_id=texts.items["a"], field="lead_unit", value=value, reason=reason)


def _lock_is_free(app) -> bool:
    """Could another process start writing right now (SQLite's write lock is not held)?"""
    conn = sqlite3.connect(app.config["DATABASE_URL"].split("///", 1)[1], timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.skipif(not SQLITE, reason="SQLite's write lock")
def test_no_write_lock_is_held_while_the_documents_are_rendered(app, texts):
    mid, folder = _approved(app, texts), service.archive_dir(app.instance_path)
    seen = []

    def offload(fn, *args):  # where the views hand the rendering to the thread pool
        seen.append(_lock_is_free(app))
        return fn(*args)

    with app.app_context():
        service.archive(STAFF, mid, folder, offload=offload)
        service.amend(STAFF, mid, _amendment(texts), folder, offload=offload)
    assert seen == [True, True], "a transaction held SQLite's write lock while the documents were rendered"
    with app.app_context(), read_only() as s:
        assert sorted((d.kind, d.version) for d in service.documents(s, mid)) == [
            (k, v) for k in ("public", "record", "summary") for v in (1, 2)
        ]


def test_a_change_while_rendering_is_noticed_and_the_documents_are_rendered_again(app, texts):
    """Another amendment is stored while this one's documents are being rendered: they would miss it, so the
    amendment is redone from its read; both are in the record and in the documents, versions 1, 2, 3."""
    mid, folder = _approved(app, texts), service.archive_dir(app.instance_path)
    with app.app_context():
        service.archive(STAFF, mid, folder)
    renders = []

    def offload(fn, *args):
        renders.append(1)
        if len(renders) == 1:  # the secretary's colleague amends item A's deadline meanwhile
            service.amend(
                STAFF,
                mid,
                service.AmendmentIn(item_id=texts.items["a"], field="deadline", value="2024-09-30", reason="时限调整"),
                folder,
            )
        return fn(*args)

    with app.app_context():
        a = service.amend(STAFF, mid, _amendment(texts), folder, offload=offload)
    assert len(renders) == 2 and a.id is not None
    with app.app_context(), read_only() as s:
        docs = service.documents(s, mid)
        m = service.structured(s, mid)
    assert sorted((d.kind, d.version) for d in docs) == [
        (k, v) for k in ("public", "record", "summary") for v in (1, 2, 3)
    ]
    assert [x["reason"] for x in m.amendments] == ["时限调整", "牵头单位记错"]
    assert all(service.verify(d, folder) for d in docs)
    # the last version of the record carries both corrections
    record_v3 = next(d for d in docs if d.kind == "record" and d.version == 3)
    from docx import Document

    text = "\n".join(p.text for p in Document(folder / record_v3.stored_name).paragraphs)
    assert "区城市更新中心" in text and "时限调整" in text and "牵头单位记错" in text
    assert not [n for n in _files(folder) if n.startswith(".tmp-")]


def test_changes_on_every_attempt_are_refused_and_nothing_is_left_behind(app, texts):
    mid, folder = _approved(app, texts), service.archive_dir(app.instance_path)

    def offload(fn, *args):  # something is recorded on the meeting during every rendering
        with unit_of_work() as s:
            audit.record(s, STAFF, "test.meanwhile", mid)
        return fn(*args)

    with app.app_context(), pytest.raises(MinutesChangedMeanwhile) as err:
        service.archive(STAFF, mid, folder, offload=offload)
    assert err.value.http_status == 409 and "请刷新后重试" in err.value.message
    with app.app_context(), read_only() as s:
        assert service.ensure_read(s, mid).status == "approved"
        assert not service.documents(s, mid)
        assert not list(s.exec(select(Event.id).where(Event.kind == "minutes.archived")))
    assert _files(folder) == []  # neither the temporary files nor final names


def test_a_failed_write_removes_the_files_it_named(app, texts, monkeypatch):
    mid, folder = _approved(app, texts), service.archive_dir(app.instance_path)
    real = audit.record

    def failing(s, actor, kind, *args, **kw):
        if kind == "minutes.archived":
            raise RuntimeError("disk full")
        return real(s, actor, kind, *args, **kw)

    monkeypatch.setattr(audit, "record", failing)
    with app.app_context(), pytest.raises(RuntimeError):
        service.archive(STAFF, mid, folder)
    monkeypatch.undo()
    assert _files(folder) == []
    with app.app_context():
        docs = service.archive(STAFF, mid, folder)  # and archiving works afterwards
    assert sorted(d.stored_name for d in docs) == _files(folder)


def test_the_api_answers_approve_with_http_200(app, staff_http, texts):
    resp = staff_http.post(
        f"/api/v1/meetings/{texts.meeting_id}/minutes/approve", headers={"X-CSRF-Token": staff_http.csrf}
    )
    assert resp.status_code == 200 and resp.get_json() == {"ok": True, "status": "approved"}
