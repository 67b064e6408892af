"""核验 of archived documents (minutes/verify.py): each file against its row's hash, against the hash the chained
archive event recorded, and against the chain head it was built from — printed in the 会议记录's last line."""

from __future__ import annotations

import hashlib
import io
import json
import os

from docx import Document
from sqlalchemy import text
from sqlmodel import col, select

from meeting.chain import digest
from meeting.db import read_only, unit_of_work
from meeting.models import ChainHead, Event, Opinion
from minutes import service, verify
from minutes.models import ArchivedDocument
from tests.factories import STAFF, event_log


def _folder(app):
    return service.archive_dir(app.instance_path)


def _archived(app, mid):
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context():
        return service.archive(STAFF, mid, _folder(app))


def _check(app, mid):
    with app.app_context(), read_only() as s:
        return verify.verify(s, mid, _folder(app))


def _sql(app, sql, **params):
    with app.app_context(), unit_of_work() as s:
        s.connection().execute(text(sql), params)


def _record(docs):
    return next(d for d in docs if d.kind == "record")


def test_the_record_prints_the_chain_head_it_was_built_from(app, texts):
    mid = texts.meeting_id
    docs = _archived(app, mid)
    rec = _record(docs)
    with app.app_context(), read_only() as s:
        events = list(s.exec(select(Event).where(Event.meeting_id == mid).order_by(col(Event.seq))))
    archive_event = next(e for e in events if e.kind == "minutes.archived")
    base = events[archive_event.seq - 2]  # the event just before the archive: what the documents were built from
    assert (rec.chain_seq, rec.chain_hash) == (base.seq, base.hash)
    payload = json.loads(archive_event.payload)
    assert (payload["chain_seq"], payload["chain_hash"]) == (base.seq, base.hash)
    assert {(d["kind"], d["sha256"]) for d in payload["documents"]} == {(d.kind, d.sha256) for d in docs}
    paragraphs = [
        p.text for p in Document(io.BytesIO((_folder(app) / rec.stored_name).read_bytes())).paragraphs if p.text.strip()
    ]
    assert paragraphs[-1] == f"校验码：{base.hash[:16]}…（事件第{base.seq}条）"
    assert verify.printed_check((_folder(app) / rec.stored_name).read_bytes()) == (base.hash[:16], base.seq)


def test_an_archived_untouched_meeting_verifies_clean_also_after_an_amendment(app, texts):
    mid = texts.meeting_id
    _archived(app, mid)
    with app.app_context():
        service.amend(
            STAFF,
            mid,
            service.AmendmentIn(
                item_id=texts.items["a"], field="lead_unit", value="区城市更新中心", reason="牵头单位记错"
            ),
            _folder(app),
        )
    report = _check(app, mid)
    assert report.ok, report.lines()
    assert report.checked["files"] == 6 and report.checked["rounds"] >= 3 and report.checked["opinions"] > 10
    assert "归档文件 6 份完好" in report.summary()
    with app.app_context(), read_only() as s:
        v2 = s.exec(
            select(ArchivedDocument).where(
                ArchivedDocument.meeting_id == mid, ArchivedDocument.kind == "record", ArchivedDocument.version == 2
            )
        ).one()
    # rendered (with no transaction open) before the amendment is stored: built from the event just before it,
    # the amendment it records in its own table; the amendment's event and the new versions commit together
    amended = next(e for e in event_log(app, mid) if e.kind == "minutes.amended")
    assert (v2.chain_seq, v2.chain_hash) == (amended.seq - 1, amended.prev_hash)


def _forge(app, doc):
    """Change one byte of the archived file and return its new bytes."""
    path = _folder(app) / doc.stored_name
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[-30] ^= 0x01
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_file_changed_together_with_its_hash_row_is_named(app, texts):
    mid = texts.meeting_id
    docs = _archived(app, mid)
    victim = next(d for d in docs if d.kind == "summary")
    forged = _forge(app, victim)
    _sql(
        app,
        "UPDATE archiveddocument SET sha256 = :h, size = :n WHERE id = :id",
        h=hashlib.sha256(forged).hexdigest(),
        n=len(forged),
        id=victim.id,
    )
    with app.app_context(), read_only() as s:  # the old per-file check is fooled
        assert service.verify(s.get(ArchivedDocument, victim.id), _folder(app))
    report = _check(app, mid)
    assert not report.ok
    named = [p for p in report.problems if p.file == victim.stored_name]
    assert named and "文件连同其哈希记录被改动" in named[0].message and "会议纪要第1版" in named[0].message
    archive_seq = next(e.seq for e in event_log(app, mid) if e.kind == "minutes.archived")
    assert named[0].seq == archive_seq
    assert all(p.file == victim.stored_name for p in report.problems), report.lines()


def test_a_file_changed_alone_is_named(app, texts):
    mid = texts.meeting_id
    victim = _record(_archived(app, texts.meeting_id))
    _forge(app, victim)
    report = _check(app, mid)
    assert [p.file for p in report.problems] == [victim.stored_name]
    assert "与其哈希记录不符：文件被改动" in report.problems[0].message


def test_a_missing_file_and_a_deleted_archive_row_are_named(app, texts):
    mid = texts.meeting_id
    docs = _archived(app, mid)
    gone, dropped = docs[0], docs[1]
    (_folder(app) / gone.stored_name).unlink()
    _sql(app, "DELETE FROM archiveddocument WHERE id = :id", id=dropped.id)
    report = _check(app, mid)
    messages = report.lines()
    assert any(p.file == gone.stored_name and "缺失" in p.message for p in report.problems), messages
    assert any("没有归档记录：被删除" in p.message for p in report.problems), messages


def test_the_chain_rewritten_after_archiving_is_caught_by_the_archived_head(app, texts):
    """Someone edits an opinion row and its event, then recomputes every hash after it and the head: the chain
    alone looks whole again, but the head the documents recorded (and the 会议记录 prints) is no longer on it."""
    mid = texts.meeting_id
    docs = _archived(app, mid)
    rec = _record(docs)
    events = event_log(app, mid)
    victim = next(e for e in events if e.kind == "opinion.given" and e.seq < rec.chain_seq)
    p = json.loads(victim.payload)
    p["reason"] = "事后补写的理由"
    with app.app_context(), read_only() as s:
        op = s.exec(
            select(Opinion).where(
                Opinion.item_id == p["item_id"], Opinion.round_number == p["round"], Opinion.person_id == p["person_id"]
            )
        ).one()
    if op.version == 1:
        _sql(app, "UPDATE opinion SET reason = :r WHERE id = :id", r=p["reason"], id=op.id)
        _sql(app, "UPDATE opinionrevision SET reason = :r WHERE opinion_id = :id", r=p["reason"], id=op.id)
    prev = victim.prev_hash
    with app.app_context(), unit_of_work() as s:
        for ev in events[victim.seq - 1 :]:
            payload = json.dumps(p, ensure_ascii=False, sort_keys=True) if ev.id == victim.id else ev.payload
            h = digest(
                ev.meeting_id,
                ev.seq,
                ev.kind,
                ev.actor_kind,
                ev.actor_id,
                ev.actor_name,
                ev.device,
                ev.at,
                payload,
                prev,
            )
            s.connection().execute(
                text("UPDATE event SET payload = :p, prev_hash = :ph, hash = :h WHERE id = :id"),
                {"p": payload, "ph": prev, "h": h, "id": ev.id},
            )
            prev = h
        s.connection().execute(text("UPDATE chainhead SET hash = :h WHERE chain = :c"), {"h": prev, "c": mid})
    report = _check(app, mid)
    assert all(q.what not in ("event", "head") for q in report.problems), report.lines()  # the chain looks whole
    assert any(
        q.file == rec.stored_name and f"依据的第{rec.chain_seq}条事件已不是归档时的样子" in q.message
        for q in report.problems
    ), report.lines()


def test_the_verify_page_and_api(app, texts, staff_http, http):
    mid = texts.meeting_id
    docs = _archived(app, mid)
    page = staff_http.get(f"/minutes/meetings/{mid}/verify")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "核验通过" in body and "链完整" in body
    overview = staff_http.get(f"/minutes/meetings/{mid}").get_data(as_text=True)
    assert f"/minutes/meetings/{mid}/verify" in overview and "核验" in overview
    api = staff_http.get(f"/api/v1/meetings/{mid}/verify")
    assert api.status_code == 200 and api.get_json()["ok"] is True
    assert api.get_json()["report"]["checked"]["files"] == 3
    _forge(app, docs[0])
    api = staff_http.get(f"/api/v1/meetings/{mid}/verify").get_json()
    assert api["report"]["ok"] is False and api["report"]["problems"][0]["file"] == docs[0].stored_name
    body = staff_http.get(f"/minutes/meetings/{mid}/verify").get_data(as_text=True)
    assert "核验未通过" in body and docs[0].stored_name in body
    assert http.get(f"/minutes/meetings/{mid}/verify").status_code in (302, 303, 401, 403)
    assert http.get(f"/api/v1/meetings/{mid}/verify").status_code in (401, 403)
    spec = staff_http.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/meetings/{meeting_id}/verify"]
    with app.app_context(), read_only() as s:
        assert s.get(ChainHead, mid) is not None
