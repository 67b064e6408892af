"""Approval, archive with SHA-256 read-only files, tampering detected, amendments never overwrite; access."""

import os
import stat

import pytest

from meeting.db import read_only, unit_of_work
from meeting.errors import InvalidState, PermissionDenied
from minutes import service
from tests.factories import STAFF


def _folder(app):
    return service.archive_dir(app.instance_path)


def test_approval_waits_for_open_items(factory):
    _, _ids, m, _item = factory.running(5)
    with factory.app.app_context(), unit_of_work() as s, pytest.raises(InvalidState) as err:
        service.approve(s, STAFF, m.id)
    assert "关于某某事项的议题" in str(err.value)


def test_only_the_chair_or_secretary_approves(factory, built):
    member = factory.seat_actor(built.meeting_id, built.ids[1])
    with factory.app.app_context(), unit_of_work() as s, pytest.raises(PermissionDenied):
        service.approve(s, member, built.meeting_id)
    chair = factory.seat_actor(built.meeting_id, built.ids[0], chair_id=built.ids[0])
    with factory.app.app_context(), unit_of_work() as s:
        assert service.approve(s, chair, built.meeting_id).status == "approved"
    with factory.app.app_context(), unit_of_work() as s, pytest.raises(InvalidState):
        service.edit_texts(s, STAFF, built.meeting_id, built.items["a"], service.MinutesItemIn(decided="改"))


def test_archive_amend_and_tamper(app, factory, texts):
    mid, folder = texts.meeting_id, _folder(app)
    with app.app_context(), unit_of_work() as s:
        service.approve(s, STAFF, mid)
    with app.app_context():
        docs = service.archive(STAFF, mid, folder)
    assert sorted(d.kind for d in docs) == ["public", "record", "summary"]
    for d in docs:
        path = folder / d.stored_name
        assert not (path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)), "read-only"
        assert service.verify(d, folder)
    first = {d.kind: (d.stored_name, (folder / d.stored_name).read_bytes()) for d in docs}

    with app.app_context():
        service.amend(
            STAFF,
            mid,
            service.AmendmentIn(
                item_id=texts.items["a"], field="lead_unit", value="区城市更新中心", reason="牵头单位记错"
            ),
            folder,
        )
    with app.app_context(), read_only() as s:
        docs = service.documents(s, mid)
        m = service.structured(s, mid)
    assert sorted((d.kind, d.version) for d in docs) == [
        (k, v) for k in ("public", "record", "summary") for v in (1, 2)
    ]
    for name, data in first.values():  # the old versions are untouched
        assert (folder / name).read_bytes() == data
    assert m.amendments[0]["reason"] == "牵头单位记错" and m.amendments[0]["old"] == "区住房和城乡建设局"
    assert "区城市更新中心牵头" in m.items[0].decision_text

    victim = next(d for d in docs if d.kind == "summary" and d.version == 1)
    path = folder / victim.stored_name
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes() + b"x")
    assert not service.verify(victim, folder)
    assert all(service.verify(d, folder) for d in docs if d.id != victim.id)


def test_access_and_downloads(app, factory, staff_http, http, texts):
    mid = texts.meeting_id
    resp = staff_http.get(f"/minutes/meetings/{mid}")
    assert resp.status_code == 200 and "城南片区老旧小区改造方案" in resp.get_data(as_text=True)
    resp = staff_http.post(f"/minutes/meetings/{mid}/approve", data={"csrf_token": staff_http.csrf})
    assert resp.status_code in (302, 303)
    resp = staff_http.post(f"/api/v1/meetings/{mid}/minutes/archive", headers={"X-CSRF-Token": staff_http.csrf})
    assert resp.status_code == 200, resp.data
    docs = {d["kind"]: d for d in resp.get_json()["documents"]}
    # the public sees the public version only
    assert http.get(docs["public"]["url"]).status_code == 200
    assert http.get(docs["record"]["url"]).status_code == 403
    tokens = factory.tokens(mid)
    assert http.get(docs["record"]["url"] + f"?token={tokens[texts.ids[3]]}").status_code == 200  # a member
    assert http.get(f"/minutes/meetings/{mid}?token={tokens[texts.ids[3]]}").status_code == 200
    listing = staff_http.get(f"/api/v1/meetings/{mid}/minutes/documents").get_json()["documents"]
    assert all(d["intact"] for d in listing) and len(listing) == 3
    archive = http.get("/minutes/archive?q=城南").get_data(as_text=True)
    assert "第12次常务会议" in archive and "公开版" in archive
    data = staff_http.get(f"/api/v1/meetings/{mid}/minutes").get_json()["minutes"]
    assert data["status"] == "archived" and data["items"][0]["texts"]["deadline"] == "2024-06-30"


def test_api_texts_and_chair_approval_from_the_tablet(app, factory, staff_http, http, built):
    mid = built.meeting_id
    resp = staff_http.put(
        f"/api/v1/meetings/{mid}/minutes/items/{built.items['c']}",
        json={"considered": "项目前期工作需进一步完善"},
        headers={"X-CSRF-Token": staff_http.csrf},
    )
    assert resp.status_code == 200, resp.data
    token = factory.tokens(mid)[built.ids[0]]
    assert (
        http.post(f"/minutes/meetings/{mid}/approve", data={"token": factory.tokens(mid)[built.ids[1]]}).status_code
        == 403
    )
    assert http.post(f"/minutes/meetings/{mid}/approve", data={"token": token}).status_code in (302, 303)
    resp = staff_http.put(
        f"/api/v1/meetings/{mid}/minutes/items/{built.items['c']}",
        json={"considered": "再改"},
        headers={"X-CSRF-Token": staff_http.csrf},
    )
    assert resp.status_code == 409
