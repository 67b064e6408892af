"""Copying a meeting from the body's last one: the new-meeting page is filled from it (place, chair, recorder,
observers) and offers its items as a checklist, the recurring ones ticked; one click creates the meeting, its
roster, observers and the chosen items in one transaction."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from meeting import setup
from meeting.db import read_only, unit_of_work
from meeting.errors import YishiError
from meeting.models import AgendaItem, ItemStep, Meeting, Observer, Seat
from meeting.schemas import CopyItemsIn, ObserverIn
from tests.factories import STAFF, csrf_of, form_csrf


def items_of(app, meeting_id):
    with app.app_context(), read_only() as s:
        q = select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(col(AgendaItem.position))
        return list(s.exec(q).all())


@pytest.fixture
def history(app, factory):
    """Two earlier executive meetings; 政务公开 and 安全生产 at both (recurring), one-off items at the last."""
    body, ids = factory.body(3)
    first = factory.meeting(body.id, session_number=1)
    factory.item(first.id, title="关于政务公开工作的议题")
    factory.item(first.id, title="关于安全生产工作的议题")
    last = factory.meeting(body.id, session_number=2)
    with app.app_context(), unit_of_work() as s:
        s.get(Meeting, last.id).starts_at = s.get(Meeting, first.id).starts_at.replace(day=16)
        setup.add_observer(s, STAFF, last.id, ObserverIn(name="王律师", unit="律师事务所", role="法律顾问"))
    one_off = factory.item(last.id, title="关于专项资金安排的议题", category="large_funds", amount_yuan=18_500_000)
    safety = factory.item(last.id, title="关于安全生产工作的议题")
    public = factory.item(last.id, title="关于政务公开工作的议题", confidential=True)
    return {"body": body, "ids": ids, "last": last, "one_off": one_off, "safety": safety, "public": public}


def test_the_recurring_items_are_those_the_meeting_before_had_too(app, history):
    with app.app_context(), read_only() as s:
        last = s.get(Meeting, history["last"].id)
        assert setup.recurring_item_ids(s, last) == {history["safety"].id, history["public"].id}


def test_items_are_copied_without_their_preparation_or_materials(app, factory, history):
    new = factory.meeting(history["body"].id, session_number=3)
    with app.app_context(), unit_of_work() as s:
        ids = [history["public"].id, history["one_off"].id]
        copied = setup.copy_items(s, STAFF, new.id, CopyItemsIn(item_ids=ids))
        assert [i.title for i in copied] == ["关于政务公开工作的议题", "关于专项资金安排的议题"]
    public, funds = items_of(app, new.id)
    assert (public.confidential, funds.amount_yuan, funds.category) == (True, 18_500_000, "large_funds")
    assert public.carried_from_item_id is None and public.status == "pending"
    with app.app_context(), read_only() as s:
        states = {st.state for st in s.exec(select(ItemStep).where(ItemStep.item_id == funds.id))}
    assert states == {"not_started"}


def test_an_item_of_another_body_or_a_deferred_one_is_refused_and_nothing_is_copied(app, factory, history):
    other, _ = factory.body(1, name="别的班子")
    theirs = factory.item(factory.meeting(other.id).id, title="别人的议题")
    new = factory.meeting(history["body"].id, session_number=3)
    with pytest.raises(YishiError) as err, app.app_context(), unit_of_work() as s:
        setup.copy_items(s, STAFF, new.id, CopyItemsIn(item_ids=[history["safety"].id, theirs.id]))
    assert "只能沿用本领导班子以前会议的议题" in err.value.message
    assert items_of(app, new.id) == []


def test_one_click_on_the_new_meeting_page_copies_the_last_meeting(staff_http, app, history):
    body = history["body"]
    page = staff_http.get(f"/meetings/new?body_id={body.id}").get_data(as_text=True)
    assert "沿用上次会议的议题" in page and "已按上次会议" in page
    ticked = set()
    for it in ("one_off", "safety", "public"):
        tag = page.split(f'name="copy_item_ids" value="{history[it].id}"')[1].split(">")[0]
        if "checked" in tag:
            ticked.add(it)
    assert ticked == {"safety", "public"}
    # the form as the page fills it, submitted unchanged: the one click
    form = {
        "csrf_token": form_csrf(page),
        "body_id": str(body.id),
        "kind": "executive",
        "session_number": "3",
        "starts_at": "2023-12-23T09:00",
        "place": "区政府第一会议室",
        "recorder_name": "王秘书",
        "copy_observers_from_meeting_id": str(history["last"].id),
        "copy_item_ids": [str(history["safety"].id), str(history["public"].id)],
    }
    resp = staff_http.post("/meetings", data=form)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context(), read_only() as s:
        new = s.exec(select(Meeting).where(Meeting.session_number == 3)).one()
        seats = s.exec(select(Seat).where(Seat.meeting_id == new.id)).all()
        observers = s.exec(select(Observer).where(Observer.meeting_id == new.id)).all()
    assert len(seats) == 3 and [o.name for o in observers] == ["王律师"]
    assert [i.title for i in items_of(app, new.id)] == ["关于安全生产工作的议题", "关于政务公开工作的议题"]
    staff_http.csrf = csrf_of(staff_http)
    setup_page = staff_http.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已沿用2个议题" in setup_page


def test_a_bad_checklist_creates_no_meeting(staff_http, app, history):
    before = len(items_of(app, history["last"].id))
    resp = staff_http.post(
        "/meetings",
        data={
            "csrf_token": staff_http.csrf,
            "body_id": str(history["body"].id),
            "kind": "executive",
            "session_number": "3",
            "starts_at": "2023-12-23T09:00",
            "copy_item_ids": ["99999"],
        },
    )
    assert resp.status_code == 404 and "未找到要沿用的议题" in resp.get_data(as_text=True)
    with app.app_context(), read_only() as s:
        assert s.exec(select(Meeting).where(Meeting.session_number == 3)).first() is None
    assert len(items_of(app, history["last"].id)) == before
