"""Who sees and changes what, over HTTP and the JSON API: unit A never sees or changes unit B's assignment (404, not
disclosed), a supporting unit is limited to its part, a unit cannot decide its own extension request."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.execution.core import account, assignment_in, client, create, decided_meeting


@pytest.fixture
def world(app, factory):
    d = decided_meeting(factory)
    account(factory, "zhujian", "unit", unit="区住建局")
    account(factory, "caizheng", "unit", unit="区财政局")
    account(factory, "jiaoyu", "unit", unit="区教育局")
    factory.user("ducha", "correct horse battery", display_name="督查室张", role="supervisor")
    mine = create(app, assignment_in(d))
    theirs = create(app, assignment_in(d, title="教育事项", lead_unit="区教育局", supporting_units=[]))
    app.config["YISHI_TODAY"] = date(2024, 1, 10)
    return d, mine, theirs


def api(c, method, path, json=None):
    return c.open(
        "/api/v1/execution" + path,
        method=method,
        json=json,
        headers={"X-CSRF-Token": c.csrf, "Accept": "application/json"},
    )


def test_a_unit_sees_only_its_own(app, world):
    _, mine, theirs = world
    c = client(app, "zhujian")
    assert c.get(f"/execution/assignments/{mine.id}").status_code == 200
    resp = c.get(f"/execution/assignments/{theirs.id}")
    assert resp.status_code == 404 and "教育事项" not in resp.get_data(as_text=True)
    home = c.get("/execution/unit").get_data(as_text=True)
    assert mine.number in home and theirs.number not in home
    listed = api(c, "GET", "/assignments").get_json()["assignments"]
    assert [x["number"] for x in listed] == [mine.number]
    resp = api(c, "GET", f"/assignments/{theirs.id}")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_a_unit_cannot_change_another_units_assignment(app, world):
    _, _, theirs = world
    c = client(app, "zhujian")
    resp = c.post(
        f"/execution/assignments/{theirs.id}/progress",
        data={"csrf_token": c.csrf, "reported_on": "2024-01-10", "content": "冒报"},
    )
    assert resp.status_code == 404
    resp = api(c, "POST", f"/assignments/{theirs.id}/progress", {"reported_on": "2024-01-10", "content": "冒报"})
    assert resp.status_code == 404
    resp = api(
        c,
        "POST",
        f"/assignments/{theirs.id}/plans",
        {"internal_unit": "x", "responsible_leader": "x", "person_responsible": "x", "measures": "x"},
    )
    assert resp.status_code == 404
    owner = client(app, "jiaoyu")
    assert api(owner, "GET", f"/assignments/{theirs.id}").get_json()["assignment"]["progress"] == []


def test_a_supporting_unit_reports_its_part_only(app, world):
    _, mine, _ = world
    lead, sup = client(app, "zhujian"), client(app, "caizheng")
    assert (
        api(
            lead,
            "POST",
            f"/assignments/{mine.id}/progress",
            {"reported_on": "2024-01-09", "content": "牵头单位：已完成摸底"},
        ).status_code
        == 201
    )
    assert (
        api(
            sup,
            "POST",
            f"/assignments/{mine.id}/progress",
            {"reported_on": "2024-01-10", "content": "财政局：资金已到位"},
        ).status_code
        == 201
    )
    resp = api(
        sup,
        "POST",
        f"/assignments/{mine.id}/progress",
        {"reported_on": "2024-01-10", "content": "全部完成", "completes": True},
    )
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "lead_unit_only"
    seen = api(sup, "GET", f"/assignments/{mine.id}").get_json()["assignment"]
    assert [p["content"] for p in seen["progress"]] == ["财政局：资金已到位"]
    assert seen["events"] == [] and seen["extensions"] == []
    page = sup.get(f"/execution/assignments/{mine.id}").get_data(as_text=True)
    assert "资金已到位" in page and "已完成摸底" not in page and "全过程记录" not in page
    assert (
        api(
            sup, "POST", f"/assignments/{mine.id}/extensions", {"reason": "x", "new_deadline": "2024-06-30"}
        ).status_code
        == 403
    )
    lead_view = api(lead, "GET", f"/assignments/{mine.id}").get_json()["assignment"]
    assert len(lead_view["progress"]) == 2


def test_a_unit_cannot_approve_its_own_extension(app, world):
    _, mine, _ = world
    lead = client(app, "zhujian")
    req = api(lead, "POST", f"/assignments/{mine.id}/extensions", {"reason": "征迁", "new_deadline": "2024-06-30"})
    assert req.status_code == 201
    rid = req.get_json()["extension"]["id"]
    resp = api(lead, "POST", f"/extensions/{rid}/decision", {"approve": True})
    assert resp.status_code == 403
    resp = lead.post(f"/execution/extensions/{rid}/decision", data={"csrf_token": lead.csrf, "approve": "1"})
    assert resp.status_code == 403
    office = client(app, "ducha")
    ok = api(office, "POST", f"/extensions/{rid}/decision", {"approve": True, "note": "同意"})
    assert ok.status_code == 200 and ok.get_json()["extension"]["status"] == "approved"
    assert api(lead, "GET", f"/assignments/{mine.id}").get_json()["assignment"]["deadline"] == "2024-06-30"


def test_unit_attachment_of_another_unit_is_not_found(app, world):
    _, mine, _ = world
    sup = client(app, "caizheng")
    resp = sup.post(
        f"/execution/assignments/{mine.id}/progress",
        content_type="multipart/form-data",
        data={
            "csrf_token": sup.csrf,
            "reported_on": "2024-01-10",
            "content": "附凭证",
            "files": (io.BytesIO(b"%PDF-1.4 x"), "凭证.pdf"),
        },
    )
    assert resp.status_code == 303
    detail = api(sup, "GET", f"/assignments/{mine.id}").get_json()["assignment"]
    url = detail["progress"][0]["attachments"][0]["url"]
    with sup.get(url) as resp:
        assert resp.data == b"%PDF-1.4 x"
    with client(app, "zhujian").get(url) as resp:
        assert resp.status_code == 200  # the lead unit sees its supporters' reports
    assert client(app, "jiaoyu").get(url).status_code == 404


def test_office_pages_refuse_units_and_roles_land_home(app, world):
    c = client(app, "zhujian")
    assert c.get("/execution/units").status_code == 403
    assert c.get("/execution/").status_code == 302 and c.get("/execution/").location.endswith("/execution/unit")
    assert c.get("/").location.endswith("/execution/unit")  # meeting.auth.login_required → the unit's home
    assert api(c, "POST", "/units", {"name": "私设单位"}).status_code == 403
    assert api(c, "GET", "/meetings/1/candidates").status_code == 403
    office = client(app, "ducha")
    assert office.get("/").location.endswith("/execution/")
    assert office.get("/execution/units").status_code == 200


def test_refused_form_shows_its_reason_and_changes_nothing(app, world):
    _, mine, _ = world
    lead = client(app, "zhujian")
    resp = lead.post(
        f"/execution/assignments/{mine.id}/extensions",
        data={"csrf_token": lead.csrf, "reason": "x", "new_deadline": "2024-01-01"},
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert "延期后的完成时限须晚于现在的完成时限（2024年3月31日）和今天" in text
    assert api(lead, "GET", f"/assignments/{mine.id}").get_json()["assignment"]["extensions"] == []
