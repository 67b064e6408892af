"""After the meeting, over HTTP: the personal link lands on the "会议已结束" page, the tablet's minutes card (status,
what is still open, what to read), the chair approves with the token as the only credential, and a link opens only
the minutes of its own meeting."""

from __future__ import annotations

import io
import re

import docx
from sqlmodel import select

from meeting.db import read_only, unit_of_work
from meeting.models import Meeting, Observer
from meeting.tokens import issue
from minutes import docx as render
from minutes import service
from tests.factories import STAFF


def _observer_token(app, meeting_id: int) -> str:
    with app.app_context(), unit_of_work() as s:
        obs = s.exec(select(Observer.id).where(Observer.meeting_id == meeting_id)).first()
        return issue(s, STAFF, meeting_id, observer_ids=[obs]).observers[0][1]


def _overview(http, token: str) -> dict:
    resp = http.get(f"/minutes/tablet/{token}")
    assert resp.status_code == 200, resp.data
    assert resp.headers["Cache-Control"] == "private, no-store"
    return resp.get_json()["minutes"]


def _closed_with_a_pending_item(factory):
    """Deferred A, never reached B, then the meeting closed: B keeps the minutes from approval.

    The room now refuses to close with B unconcluded (items_not_concluded); a meeting closed before that rule, or
    by hand in the database, must still be refused at approval — so the close is written directly."""
    body, ids = factory.body(5)
    m = factory.meeting(body.id, session_number=3).id
    factory.present(m, ids)
    factory.act("open_meeting", m)
    a = factory.item(m, title="关于甲事项的议题").id
    factory.item(m, title="关于乙事项的议题")
    factory.act("defer_item", m, {"item_id": a, "reason": "材料尚不齐全"})
    with factory.app.app_context(), unit_of_work() as s:
        meeting = s.get(Meeting, m)
        meeting.status = "closed"
        s.add(meeting)
    return m, ids


def test_a_closed_meetings_links_open_the_end_page(app, http, factory, built):
    mid = built.meeting_id
    tokens = factory.tokens(mid)
    for token, kind in (
        (tokens[built.ids[0]], "chair"),
        (tokens[built.ids[3]], "member"),
        (_observer_token(app, mid), "observer"),
    ):
        resp = http.get(f"/t/{token}")
        assert resp.status_code == 200, (kind, resp.status_code)
        page = resp.get_data(as_text=True)
        assert 'data-closed="1"' in page and f"kind-{kind}" in page and 'data-testid="tablet-minutes"' in page
        assert f'data-url="/minutes/tablet/{token}"' in page
    projector = factory.projector_token(mid)
    assert http.get(f"/t/{projector}").status_code == 401  # the projector has nothing to show after the meeting
    assert http.get("/t/no-such-link").status_code == 401


def test_a_live_meetings_tablet_page_is_not_the_end_page(http, factory):
    _, ids, m, _ = factory.running(3)
    page = http.get(f"/t/{factory.tokens(m.id)[ids[1]]}").get_data(as_text=True)
    assert 'data-closed="0"' in page
    assert (
        http.get(f"/minutes/tablet/{factory.tokens(m.id)[ids[1]]}").get_json()["minutes"]["meeting_status"]
        == "in_session"
    )


def test_the_card_says_what_each_person_may_do(app, http, factory, built):
    mid = built.meeting_id
    tokens = factory.tokens(mid)
    chair = _overview(http, tokens[built.ids[0]])
    # items A and B were decided with a result, and no 会议议定 is written yet: the chair is told, not asked
    assert chair["may_approve"] and not chair["may_approve_now"]
    assert chair["missing_decisions"] == [
        "第1项《关于城南片区老旧小区改造方案的议题》尚无会议议定",
        "第2项《关于张三同志任职的议题》尚无会议议定",
    ]
    for item in ("a", "b"):
        with app.app_context(), unit_of_work() as s:
            service.edit_texts(s, STAFF, mid, built.items[item], service.MinutesItemIn(decided="原则同意"))
    chair = _overview(http, tokens[built.ids[0]])
    assert chair["status"] == "draft" and chair["is_chair"] and chair["may_approve"] and chair["may_approve_now"]
    assert chair["missing_decisions"] == []
    assert chair["open_items"] == [] and [r["kind"] for r in chair["read"]] == ["summary", "record"]
    assert chair["read"][0]["url"] == f"/minutes/meetings/{mid}/read/summary?token={tokens[built.ids[0]]}"
    member = _overview(http, tokens[built.ids[3]])
    assert (
        not member["is_chair"]
        and not member["may_approve"]
        and [r["kind"] for r in member["read"]] == ["summary", "record"]
    )
    observer = _overview(http, _observer_token(app, mid))
    assert observer["read"] == [] and observer["documents"] == [] and not observer["may_approve"]
    assert http.get("/minutes/tablet/no-such-link").status_code == 401


def test_the_chair_approves_from_the_tablet_with_the_token_alone(app, http, staff_http, factory, built):
    mid = built.meeting_id
    tokens = factory.tokens(mid)
    # a member's link cannot approve, even sent from a browser where the secretary is signed in (no cookie counts)
    resp = staff_http.post(f"/minutes/tablet/{tokens[built.ids[3]]}/approve")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "permission_denied"
    assert "主持人" in resp.get_json()["error"]["message"]
    resp = http.post(f"/minutes/tablet/{tokens[built.ids[0]]}/approve")
    assert resp.status_code == 200, resp.data
    after = resp.get_json()["minutes"]
    assert after["status"] == "approved" and after["approved_by"] == "成员01" and "2" in after["approved_at"]
    assert not after["may_approve"] and [r["kind"] for r in after["read"]] == ["summary", "record", "public"]
    again = http.post(f"/minutes/tablet/{tokens[built.ids[0]]}/approve")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "minutes_already_approved"
    observer = _overview(http, _observer_token(app, mid))
    assert [r["kind"] for r in observer["read"]] == ["public"]  # the 公开版, once approved
    with app.app_context(), read_only() as s:
        minutes = service.ensure(s, mid)
        assert minutes.status == "approved" and minutes.approved_by == "成员01"


def test_what_is_still_open_is_named_and_approval_waits(http, factory):
    m, ids = _closed_with_a_pending_item(factory)
    chair = factory.tokens(m)[ids[0]]
    card = _overview(http, chair)
    assert card["open_items"] == ["关于乙事项的议题"] and card["may_approve"] and not card["may_approve_now"]
    resp = http.post(f"/minutes/tablet/{chair}/approve")
    err = resp.get_json()["error"]
    assert resp.status_code == 409 and err["code"] == "items_still_open"
    assert "关于乙事项的议题" in err["message"] and err["source"]
    assert _overview(http, chair)["status"] == "draft"  # nothing changed


def test_a_link_opens_only_its_own_meetings_minutes(app, http, factory, built):
    """Two meetings of the same body: the chair's and a member's link of the first do not open the second's."""
    body_id = None
    with app.app_context(), read_only() as s:
        body_id = s.get(Meeting, built.meeting_id).body_id
    other = factory.meeting(body_id, session_number=13, chair=built.ids[0]).id
    factory.present(other, built.ids[:6])
    factory.act("open_meeting", other)
    factory.act("close_meeting", other)
    old_chair = factory.tokens(built.meeting_id)[built.ids[0]]
    old_member = factory.tokens(built.meeting_id)[built.ids[3]]
    assert http.get(f"/minutes/meetings/{other}?token={old_member}").status_code == 403
    assert http.get(f"/minutes/meetings/{other}/draft/record.docx?token={old_member}").status_code == 403
    assert http.post(f"/minutes/meetings/{other}/approve", data={"token": old_chair}).status_code == 403
    assert http.get(f"/minutes/meetings/{other}?token={factory.tokens(other)[built.ids[3]]}").status_code == 200


def test_the_reading_page_is_the_document(app, http, factory, texts):
    mid = texts.meeting_id
    member = factory.tokens(mid)[texts.ids[3]]
    resp = http.get(f"/minutes/meetings/{mid}/read/summary?token={member}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-store"
    page = resp.get_data(as_text=True)
    shown = [
        re.sub(r"<[^>]+>", "", p).strip()
        for p in re.findall(
            r'class="mp-(?:title|issue|heading|body|block|date)"'
            r">(.*?)</(?:h1|h2|p)>",
            page,
        )
    ]
    with app.app_context(), read_only() as s:
        m = service.structured(s, mid)
    in_docx = [p.text.replace("\n", "") for p in docx.Document(io.BytesIO(render.summary(m))).paragraphs if p.text]
    # the 版头's office-and-date line (two after the 纪要标志, below any 内部资料/草稿 mark): layout, not text to read
    from minutes.summary import document_title

    assert in_docx.pop(in_docx.index(document_title(m)) + 2) == f"{m.office}\t{m.date}"
    assert shown == in_docx  # what the chair reads is what will be archived
    assert f'href="/t/{member}"' in page  # back to the tablet
    observer = _observer_token(app, mid)
    assert http.get(f"/minutes/meetings/{mid}/read/public?token={observer}").status_code == 403  # not yet approved
    assert http.get(f"/minutes/meetings/{mid}/read/summary?token={observer}").status_code == 403
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    public = http.get(f"/minutes/meetings/{mid}/read/public?token={observer}").get_data(as_text=True)
    assert "公开版" in public and "出席：" not in public and "张三" not in public
    assert http.get(f"/minutes/meetings/{mid}/read/record?token={member}").status_code == 404


def test_an_archived_minutes_card_lists_the_documents(app, http, factory, texts):
    mid = texts.meeting_id
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context():
        service.archive(STAFF, mid, service.archive_dir(app.instance_path))
    member = _overview(http, factory.tokens(mid)[texts.ids[3]])
    assert member["status"] == "archived" and sorted(d["kind"] for d in member["documents"]) == [
        "public",
        "record",
        "summary",
    ]
    record = next(d for d in member["documents"] if d["kind"] == "record")
    assert http.get(record["url"]).status_code == 200  # the link carries the member's token
    observer = _overview(http, _observer_token(app, mid))
    assert [d["kind"] for d in observer["documents"]] == ["public"]


# ---------------------------------------------------------------- a recused member reads the record without that item


def _record_page(http, mid, token) -> str:
    resp = http.get(f"/minutes/meetings/{mid}/?token={token}".replace("/?", "?"))
    assert resp.status_code == 200, resp.data
    return resp.get_data(as_text=True)


def test_a_recused_member_reads_the_record_without_who_said_what_on_that_item(app, http, factory, built):
    """ids[2] was recused from item B (its subject is his spouse): his link opens the record, item B's result is
    there, its named opinions, reasons and tally are not. Another member reads them all."""
    mid, recused, other = built.meeting_id, built.ids[2], built.ids[3]
    tokens = factory.tokens(mid)
    theirs = _record_page(http, mid, tokens[other])
    assert "任职经历尚需补充" in theirs and "该同志符合任职条件" in theirs
    mine = _record_page(http, mid, tokens[recused])
    assert "关于张三同志任职" in mine and 'data-testid="withheld"' in mine
    assert "任职经历尚需补充" not in mine and "该同志符合任职条件" not in mine
    assert "经考察该同志符合任职资格条件" not in mine  # the head's reasons go with the deliberation
    assert "成员认为资金来源尚不明确" in mine or "资金来源尚不明确" in mine  # item A he took part in: all of it


def test_a_recused_members_draft_record_docx_omits_that_item(app, http, factory, built):
    mid, recused = built.meeting_id, built.ids[2]
    resp = http.get(f"/minutes/meetings/{mid}/draft/record.docx?token={factory.tokens(mid)[recused]}")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(resp.data)).paragraphs)
    assert "关于张三同志任职" in text and "您已回避本议题" in text
    assert "任职经历尚需补充" not in text and "该同志符合任职条件" not in text
    resp = http.get(f"/minutes/meetings/{mid}/draft/record.docx?token={factory.tokens(mid)[built.ids[3]]}")
    assert "任职经历尚需补充" in "\n".join(p.text for p in docx.Document(io.BytesIO(resp.data)).paragraphs)


def test_a_recused_member_is_not_handed_the_archived_record(app, http, factory, built):
    mid = built.meeting_id
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context():
        service.archive(STAFF, mid, service.archive_dir(app.instance_path))
    tokens = factory.tokens(mid)
    other = _overview(http, tokens[built.ids[3]])
    record = next(d for d in other["documents"] if d["kind"] == "record")
    mine = _overview(http, tokens[built.ids[2]])
    assert sorted(d["kind"] for d in mine["documents"]) == ["public", "summary"]
    url = record["url"].replace(tokens[built.ids[3]], tokens[built.ids[2]])
    resp = http.get(url)
    assert resp.status_code == 403 and "您曾回避本次会议的议题" in resp.get_data(as_text=True)


def test_the_profile_may_let_a_recused_member_read_the_item(app, http, factory, built, monkeypatch):
    import dataclasses

    from voting.profiles import load_profile

    profile = dataclasses.replace(load_profile(), recused_reads_item=True, recused_reads_source="本地规定")
    monkeypatch.setattr("meeting.room.facts.load_profile", lambda name: profile)
    page = _record_page(http, built.meeting_id, factory.tokens(built.meeting_id)[built.ids[2]])
    assert "任职经历尚需补充" in page and 'data-testid="withheld"' not in page
