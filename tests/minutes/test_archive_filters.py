"""The archive page: by year (in the local zone), date range, body, meeting type, item category and keyword; each
document's versions; the public finds only what the 公开版 shows."""

from __future__ import annotations

from datetime import datetime

import pytest

from meeting import setup
from meeting.db import read_only, unit_of_work
from meeting.schemas import MeetingIn
from minutes import service
from tests.factories import STAFF


def _archived(app, factory, body_id, ids, *, starts_at, kind="executive", session, items):
    """A meeting whose items are all deferred in the room, approved and archived."""
    with app.app_context(), unit_of_work() as s:
        m = setup.create_meeting(
            s,
            STAFF,
            MeetingIn(body_id=body_id, kind=kind, session_number=session, starts_at=starts_at, place="会议室"),
            "Asia/Shanghai",
        ).id
    factory.present(m, ids)
    factory.act("open_meeting", m)
    for title, category, confidential in items:
        item = factory.item(m, title=title, category=category, confidential=confidential).id
        factory.act("defer_item", m, {"item_id": item, "reason": "需进一步论证"})
    factory.act("close_meeting", m)
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, m)
    with app.app_context():
        service.archive(STAFF, m, service.archive_dir(app.instance_path))
    return m


@pytest.fixture
def archive(app, factory):
    gov, gov_ids = factory.body(3, name="某某区人民政府")
    party, party_ids = factory.body(3, name="某某区人民政府党组", kind="party_group")
    a = _archived(
        app,
        factory,
        gov.id,
        gov_ids,
        starts_at=datetime(2023, 12, 9, 9, 0),
        session=12,
        items=[
            ("关于城南片区老旧小区改造方案的议题", "major_decision", False),
            ("关于张三同志任职的议题", "personnel", False),
        ],
    )
    # 2024年1月1日 07:30 in Shanghai is still 2023 in UTC: the year is the local one
    b = _archived(
        app,
        factory,
        gov.id,
        gov_ids,
        starts_at=datetime(2024, 1, 1, 7, 30),
        session=1,
        kind="plenary",
        items=[("关于区体育中心改扩建项目的议题", "major_project", False)],
    )
    c = _archived(
        app,
        factory,
        party.id,
        party_ids,
        starts_at=datetime(2024, 3, 5, 15, 0),
        session=2,
        kind="party_group",
        items=[("关于保密工程的议题", "major_project", True)],
    )
    return {"a": a, "b": b, "c": c, "gov": gov.id, "party": party.id}


def _found(client, query: str) -> set[str]:
    page = client.get("/minutes/archive?" + query).get_data(as_text=True)
    return {
        tag for tag, title in (("a", "第12次常务会议"), ("b", "第1次全体会议"), ("c", "第2次党组会议")) if title in page
    }


def test_filters(staff_http, archive):
    assert _found(staff_http, "") == {"a", "b", "c"}
    assert _found(staff_http, "year=2023") == {"a"}
    assert _found(staff_http, "year=2024") == {"b", "c"}
    assert _found(staff_http, "from=2024-01-01&to=2024-01-01") == {"b"}
    assert _found(staff_http, "from=2023-12-10") == {"b", "c"}
    assert _found(staff_http, "to=2023-12-31") == {"a"}
    assert _found(staff_http, f"body_id={archive['party']}") == {"c"}
    assert _found(staff_http, "kind=plenary") == {"b"}
    assert _found(staff_http, "category=personnel") == {"a"}
    assert _found(staff_http, "q=体育中心") == {"b"}
    assert _found(staff_http, "q=党组") == {"c"}  # the body's name
    assert _found(staff_http, "q=保密工程") == {"c"}
    assert _found(staff_http, "year=2024&kind=party_group&q=工程") == {"c"}
    assert _found(staff_http, "from=not-a-date") == {"a", "b", "c"}  # a malformed date is no filter


def test_the_public_finds_only_what_the_public_version_shows(http, archive):
    assert _found(http, "") == {"a", "b", "c"}
    assert _found(http, "q=张三") == set()  # personnel deliberations are not in the 公开版
    assert _found(http, "category=personnel") == set()
    assert _found(http, "q=保密工程") == set()  # nor confidential items
    assert _found(http, "q=老旧小区") == {"a"}
    page = http.get("/minutes/archive").get_data(as_text=True)
    assert "会议纪要（公开版） 第1版" in page and "会议记录" not in page


def test_versions_are_listed(app, staff_http, factory, archive):
    mid = archive["b"]
    with app.app_context(), read_only() as s:
        item_id = service.structured(s, mid).items[0].id
    with app.app_context():
        service.amend(
            STAFF,
            mid,
            service.AmendmentIn(item_id=item_id, field="considered", value="项目需进一步论证", reason="补充会议认为"),
            service.archive_dir(app.instance_path),
        )
    page = staff_http.get("/minutes/archive?kind=plenary").get_data(as_text=True)
    for kind in ("会议记录", "会议纪要", "会议纪要（公开版）"):
        assert f"{kind} 第1版" in page and f"{kind} 第2版" in page
    assert "补充会议认为" in page  # the reason of the new version
