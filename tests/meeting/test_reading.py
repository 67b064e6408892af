"""会前阅读 over HTTP, for each role: members and the chair read the agenda and every item's materials from their
link before the meeting opens (《延寿县人民政府关于进一步提升政府执行力的意见》三), an absent member too (he writes a
written opinion); a recused member gets neither the item's materials on the page nor the file itself (refused by
the server, not hidden); observers and the projector get no reading page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meeting import setup
from meeting.db import unit_of_work
from meeting.schemas import ObserverIn
from tests.factories import STAFF, event_log

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ahead(app, factory):
    """A meeting not yet opened: two items with materials; member 3 recused from the second, member 4 on leave."""
    body, ids = factory.body(5)
    m = factory.meeting(body.id, chair=ids[0])
    first = factory.item(m.id, title="关于城区道路改造的议题", summary="改造三条道路", presenter="住建局局长")
    second = factory.item(m.id, title="关于某公司补助资金的议题")
    with app.app_context(), unit_of_work() as s:
        storage = Path(app.config["MATERIALS_DIR"])
        mats = [
            setup.store_material(s, STAFF, first.id, "道路改造方案.pdf", "application/pdf", PDF, storage).id,
            setup.store_material(s, STAFF, first.id, "情况说明.txt", "text/plain", "说明".encode(), storage).id,
            setup.store_material(s, STAFF, second.id, "补助资金请示.pdf", "application/pdf", PDF, storage).id,
        ]
        obs = setup.add_observer(s, STAFF, m.id, ObserverIn(name="人大代表甲", role="人大代表"))
    factory.act("add_recusal", m.id, {"item_id": second.id, "person_id": ids[2], "reason": "近亲属任该公司股东"})
    factory.act("roll_call", m.id, {"person_id": ids[3], "attendance": "absent", "reason": "出差"})
    return {"m": m, "ids": ids, "items": (first, second), "mats": mats, "obs": obs}


def _page(http, token):
    resp = http.get(f"/t/{token}/reading")
    return resp.status_code, resp.get_data(as_text=True)


def _material_links(page):
    return sorted(int(x) for x in re.findall(r'data-testid="reading-material-(\d+)"', page))


def test_a_member_and_the_chair_read_every_item_and_its_materials_before_the_meeting(app, http, factory, ahead):
    tokens = factory.tokens(ahead["m"].id)
    for person in (ahead["ids"][0], ahead["ids"][1]):  # the chair, a member
        status, page = _page(http, tokens[person])
        assert status == 200
        assert "关于城区道路改造的议题" in page and "关于某公司补助资金的议题" in page and "改造三条道路" in page
        assert _material_links(page) == sorted(ahead["mats"])
        assert "《延寿县人民政府关于进一步提升政府执行力的意见》三" in page and "seed" not in page.lower()
        for mat in ahead["mats"]:
            got = http.get(f"/materials/{mat}?token={tokens[person]}")
            got.close()
            assert got.status_code == 200 and got.headers["Cache-Control"] == "private, no-store"
    assert 'data-testid="reading-absent"' not in page
    tablet = http.get(f"/t/{tokens[ahead['ids'][1]]}").get_data(as_text=True)
    assert f'href="/t/{tokens[ahead["ids"][1]]}/reading"' in tablet  # the tablet leads there


def test_an_absent_member_gets_the_materials_to_write_his_opinion(app, http, factory, ahead):
    status, page = _page(http, factory.tokens(ahead["m"].id)[ahead["ids"][3]])
    assert status == 200 and 'data-testid="reading-absent"' in page and "书面意见" in page
    assert _material_links(page) == sorted(ahead["mats"])


def test_a_recused_member_never_gets_that_items_materials(app, http, factory, ahead):
    token = factory.tokens(ahead["m"].id)[ahead["ids"][2]]
    first, second = ahead["items"]
    status, page = _page(http, token)
    assert status == 200
    assert (
        f'data-testid="reading-recused-{second.id}"' in page and f'data-testid="reading-recused-{first.id}"' not in page
    )
    assert _material_links(page) == sorted(ahead["mats"][:2])  # the first item's, not the second's
    assert "补助资金请示.pdf" not in page
    refused = http.get(f"/materials/{ahead['mats'][2]}?token={token}")
    assert refused.status_code == 403 and b"%PDF" not in refused.data  # asked directly: refused by the server
    assert "回避" in refused.get_data(as_text=True)
    allowed = http.get(f"/materials/{ahead['mats'][0]}?token={token}")
    allowed.close()
    assert allowed.status_code == 200


def test_observers_the_projector_and_a_wrong_link_get_no_reading_page(app, http, factory, ahead):
    m = ahead["m"]
    for token in (factory.observer_token(m.id, ahead["obs"].id), factory.projector_token(m.id)):
        status, page = _page(http, token)
        assert status == 403 and "reading-material" not in page and "道路改造方案" not in page
    status, page = _page(http, "not-a-link-" + "x" * 30)
    assert status == 401 and "道路改造方案" not in page


# ---------------------------------------------------------------- 跟随翻页 (the turn_page action)


def _events(client, name):
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def test_the_presenters_page_turn_reaches_the_tablets_that_read_materials(app, socketio, staff_http, factory, ahead):
    m, ids = ahead["m"], ahead["ids"]
    tokens = factory.tokens(m.id)
    member = socketio.test_client(app, auth={"token": tokens[ids[1]]})
    chair = socketio.test_client(app, auth={"token": tokens[ids[0]]})
    observer = socketio.test_client(app, auth={"token": factory.observer_token(m.id, ahead["obs"].id)})
    projector = socketio.test_client(app, auth={"token": factory.projector_token(m.id)})
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    for c in (member, chair, observer, projector, console):
        assert c.is_connected()
        c.get_received()
    ack = console.emit("turn_page", {"material_id": ahead["mats"][0], "page": 3}, callback=True)
    turn = {"material_id": ahead["mats"][0], "item_id": ahead["items"][0].id, "page": 3}
    assert ack == {"ok": True, **turn}
    for c in (member, chair, console):
        assert _events(c, "page_turned") == [turn]
    for c in (observer, projector):  # no materials for them: no page turns either
        assert _events(c, "page_turned") == []

    # a tablet that joins afterwards is told the presenter's page at once; an observer's screen is not
    late = socketio.test_client(app, auth={"token": tokens[ids[2]]})
    assert _events(late, "page_turned") == [turn]
    again = socketio.test_client(app, auth={"token": factory.observer_token(m.id, ahead["obs"].id)})
    assert _events(again, "page_turned") == []


@pytest.mark.parametrize(
    "payload",
    [{"material_id": 999999, "page": 1}, {"page": 2}, {"material_id": 1, "page": 0}, {"material_id": 1, "page": "x"}],
)
def test_a_page_turn_with_bad_input_is_refused_and_told_to_nobody(app, socketio, staff_http, factory, ahead, payload):
    m = ahead["m"]
    member = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ahead["ids"][1]]})
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    member.get_received()
    ack = console.emit("turn_page", payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] in ("invalid_payload", "not_found"), ack
    assert "Traceback" not in str(ack) and _events(member, "page_turned") == []


def test_the_member_named_presenter_turns_the_rooms_pages_until_the_console_takes_it_back(
    app, socketio, staff_http, factory, ahead
):
    m, ids = ahead["m"], ahead["ids"]
    tokens = factory.tokens(m.id)
    presenter = socketio.test_client(app, auth={"token": tokens[ids[1]]})
    other = socketio.test_client(app, auth={"token": tokens[ids[4]]})
    console = socketio.test_client(app, flask_test_client=staff_http, auth={"meeting_id": m.id})
    turn = {"material_id": ahead["mats"][0], "page": 2}
    assert presenter.emit("set_presenter", {"person_id": ids[1]}, callback=True)["error"]["code"] == "permission_denied"
    for c in (presenter, other, console):
        c.get_received()
    assert console.emit("set_presenter", {"person_id": ids[1]}, callback=True) == {
        "ok": True,
        "presenter_person_id": ids[1],
    }
    states = [e["args"][0] for e in other.get_received() if e["name"] == "state"]
    assert states and states[-1]["meeting"]["presenter_person_id"] == ids[1]  # his tablet knows it leads
    ack = presenter.emit("turn_page", turn, callback=True)
    assert ack["ok"] is True and ack["page"] == 2
    assert [t["page"] for t in _events(other, "page_turned")] == [2]
    # another member is still refused; the console takes it back, and he is refused too
    assert other.emit("turn_page", turn, callback=True)["error"]["code"] == "permission_denied"
    assert console.emit("set_presenter", {"person_id": None}, callback=True)["ok"] is True
    assert presenter.emit("turn_page", turn, callback=True)["error"]["code"] == "permission_denied"
    assert console.emit("set_presenter", {"person_id": 999999}, callback=True)["error"]["code"] == "not_found"
    kinds = [e.kind for e in event_log(app, m.id) if e.kind == "meeting.presenter_set"]
    assert len(kinds) == 2  # named, taken back: both recorded; the refusals changed nothing


def test_a_member_may_not_turn_the_rooms_pages(app, socketio, factory, ahead):
    m = ahead["m"]
    member = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ahead["ids"][1]]})
    other = socketio.test_client(app, auth={"token": factory.tokens(m.id)[ahead["ids"][4]]})
    other.get_received()
    ack = member.emit("turn_page", {"material_id": ahead["mats"][0], "page": 2}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "permission_denied"
    assert _events(other, "page_turned") == []
