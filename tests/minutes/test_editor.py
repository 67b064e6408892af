"""The minutes editor's service rules: a save carries the version it was based on (a stale one is refused, nothing
overwritten, the stored texts handed back); the items decided with a result and still without 会议议定 are named,
and the chair is not asked (nor allowed) to approve until they are written; the JSON save answers with the preview
the 纪要 is composed of (minutes/summary.py) and what is still missing."""

from __future__ import annotations

import pytest

from meeting.db import read_only, unit_of_work
from minutes import service
from minutes.errors import MinutesItemChangedMeanwhile
from tests.factories import STAFF, csrf_of

MISSING_A = "第1项《关于城南片区老旧小区改造方案的议题》尚无会议议定"
MISSING_B = "第2项《关于张三同志任职的议题》尚无会议议定"


def _save(app, mid, item, **texts):
    with app.app_context(), unit_of_work() as s:
        t = service.edit_texts(s, STAFF, mid, item, service.MinutesItemIn(**texts))
        return service.version_of(t)


def _stored(app, mid, item):
    with app.app_context(), read_only() as s:
        return service.item_texts(s, mid, item)


# ---------------------------------------------------------------- the version check


@pytest.mark.parametrize(
    ("base", "accepted"),
    [
        (None, True),  # no version sent (an API caller who does not check): saved as before
        ("current", True),  # based on what is stored now
        ("", False),  # "nothing stored yet" while something is: another tab saved first
        ("older", False),  # based on a version saved over since
        ("2020-01-01T00:00:00.000000+00:00", False),  # a version that never was
    ],
)
def test_a_save_based_on_a_version_saved_over_since_is_refused(app, built, base, accepted):
    mid, a = built.meeting_id, built.items["a"]
    older = _save(app, mid, a, decided="第一稿", base_version="")
    current = _save(app, mid, a, decided="第二稿", base_version=older)
    assert current != older
    sent = {"current": current, "older": older}.get(base, base)
    if accepted:
        after = _save(app, mid, a, decided="第三稿", considered="我的看法", base_version=sent)
        assert after not in (older, current)
        assert _stored(app, mid, a).decided == "第三稿"
        return
    with pytest.raises(MinutesItemChangedMeanwhile) as err:
        _save(app, mid, a, decided="第三稿", considered="我的看法", base_version=sent)
    stored = _stored(app, mid, a)
    assert (stored.decided, stored.considered) == ("第二稿", "")  # nothing overwritten, nothing half-saved
    body = err.value.to_dict()["error"]
    assert body["code"] == "minutes_item_stale" and body["message"].startswith("已被他人修改")
    assert body["current"]["decided"] == "第二稿" and body["version"] == current  # both texts can be shown


def test_the_first_save_of_an_item_is_based_on_nothing(app, built):
    mid, b = built.meeting_id, built.items["b"]
    assert _stored(app, mid, b) is None
    first = _save(app, mid, b, decided="同意任职", base_version="")
    with pytest.raises(MinutesItemChangedMeanwhile):  # the second tab, also based on nothing
        _save(app, mid, b, decided="另一份", base_version="")
    assert _stored(app, mid, b).decided == "同意任职" and service.version_of(_stored(app, mid, b)) == first


def test_versions_never_repeat_even_on_a_frozen_clock(app, built, monkeypatch):
    from datetime import UTC, datetime

    frozen = datetime(2023, 12, 9, 2, 0, tzinfo=UTC)
    monkeypatch.setattr(service, "utcnow", lambda: frozen)
    mid, a = built.meeting_id, built.items["a"]
    v1 = _save(app, mid, a, decided="一", base_version="")
    v2 = _save(app, mid, a, decided="二", base_version=v1)
    assert v1 != v2
    with pytest.raises(MinutesItemChangedMeanwhile):
        _save(app, mid, a, decided="三", base_version=v1)


# ---------------------------------------------------------------- the 会议议定 still missing


def test_the_items_decided_without_a_decision_text_are_named_in_agenda_order(app, built):
    mid = built.meeting_id
    with app.app_context(), read_only() as s:
        assert [service.missing_text(e) for e in service.missing_decisions(s, mid)] == [MISSING_A, MISSING_B]
    _save(app, mid, built.items["b"], decided="   ")  # blanks are no decision
    _save(app, mid, built.items["a"], considered="只写了会议认为")
    with app.app_context(), read_only() as s:
        assert [e.item_id for e in service.missing_decisions(s, mid)] == [built.items["a"], built.items["b"]]
    _save(app, mid, built.items["a"], decided="原则同意")
    with app.app_context(), read_only() as s:
        missing = service.missing_decisions(s, mid)
    # item C was deferred: its decision is the rule's own sentence (该事项暂缓决策), no text is asked for
    assert [service.missing_text(e) for e in missing] == [MISSING_B]


def test_the_chair_is_not_asked_to_approve_until_every_decision_is_written(app, factory, built):
    mid = built.meeting_id
    chair = factory.seat_actor(mid, built.ids[0], chair_id=built.ids[0])
    with app.app_context(), read_only() as s:
        view = service.overview(s, chair, mid)
    assert view["may_approve"] is True and view["may_approve_now"] is False
    assert view["missing_decisions"] == [MISSING_A, MISSING_B]

    _save(app, mid, built.items["a"], decided="原则同意")
    _save(app, mid, built.items["b"], decided="同意张三同志任职")
    with app.app_context(), read_only() as s:
        view = service.overview(s, chair, mid)
    assert view["missing_decisions"] == [] and view["may_approve_now"] is True
    with app.app_context(), unit_of_work() as s:
        assert service.approve(s, chair, mid).status == "approved"


def test_the_warnings_hook_is_empty_today(app, built):
    with app.app_context(), read_only() as s:
        assert service.item_warnings(s, built.meeting_id) == {}


# ---------------------------------------------------------------- the JSON save the editor uses


def _put(client, mid, item, body):
    return client.put(
        f"/api/v1/meetings/{mid}/minutes/items/{item}",
        json=body,
        headers={"X-CSRF-Token": csrf_of(client), "Accept": "application/json"},
    )


def test_the_json_save_answers_with_the_version_the_preview_and_what_is_missing(staff_http, built):
    mid, a = built.meeting_id, built.items["a"]
    resp = _put(staff_http, mid, a, {"decided": "原则同意改造方案", "considered": "改造是民生工程", "base_version": ""})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["item"]["decided"] == "原则同意改造方案" and body["item"]["version"]
    assert body["item"]["saved_at"].count(":") == 1  # 10:42
    texts = [p["text"] for p in body["editor"]["preview"]]
    assert (
        "会议议定：原则同意改造方案。" in texts and "会议认为，改造是民生工程。" in texts
    )  # as minutes/summary.py composes
    assert body["editor"]["missing"] == [MISSING_B]
    assert body["editor"]["saved"][str(a)]["version"] == body["item"]["version"]

    stale = _put(staff_http, mid, a, {"decided": "另一个标签页的文字", "base_version": ""})
    assert stale.status_code == 409
    err = stale.get_json()["error"]
    assert err["code"] == "minutes_item_stale" and err["current"]["decided"] == "原则同意改造方案"

    too_long = _put(staff_http, mid, a, {"lead_unit": "区" * 101, "base_version": body["item"]["version"]})
    assert too_long.status_code == 400
    assert "牵头单位" in too_long.get_json()["error"]["message"]
    with staff_http.application.app_context(), read_only() as s:
        t = service.item_texts(s, mid, a)
        assert (t.decided, t.lead_unit) == ("原则同意改造方案", "")


def test_the_page_shows_results_preview_and_what_is_missing(staff_http, built):
    page = staff_http.get(f"/minutes/meetings/{built.meeting_id}").get_data(as_text=True)
    assert 'data-testid="preview"' in page and "会议议定：该议题暂缓审议，列入以后的会议。" in page
    assert MISSING_A in page and 'data-testid="approve"' in page
    assert 'data-testid="item-result-3"' in page and "暂缓" in page
    assert 'src="/static/js/minutes-editor.js"' in page and "<script>" not in page  # CSP: no inline script


def test_the_warnings_the_hook_returns_are_shown_beside_the_item_and_under_the_preview(staff_http, built, monkeypatch):
    """Once the check of the 会议议定 against the result returns warnings from service.item_warnings, the page and
    every save show them: nothing else is to be wired."""
    a = built.items["a"]
    monkeypatch.setattr(service, "item_warnings", lambda s, mid: {a: ["会议议定与表决结果不一致"]})
    page = staff_http.get(f"/minutes/meetings/{built.meeting_id}").get_data(as_text=True)
    beside = page.split('data-testid="item-warnings-1">', 1)[1].split("</ul>", 1)[0]
    under = page.split('data-testid="preview-warnings">', 1)[1].split("</ul>", 1)[0]
    assert "会议议定与表决结果不一致" in beside and "第1项：会议议定与表决结果不一致" in under
    assert "会议议定与表决结果不一致" not in page.split('data-testid="item-warnings-2">', 1)[1].split("</ul>", 1)[0]
    resp = _put(staff_http, built.meeting_id, a, {"decided": "不予通过", "base_version": ""})
    assert resp.get_json()["editor"]["warnings"] == {str(a): ["会议议定与表决结果不一致"]}
