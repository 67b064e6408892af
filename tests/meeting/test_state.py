"""What each screen is sent: ``full`` (secretary, chair), ``member`` (tablets), ``public`` (projector, observers),
and a member's personal block ``me``. Confidentiality: who said what goes only to the full view."""

from __future__ import annotations

import json

import pytest

from meeting.db import read_only
from meeting.errors import Recused
from meeting.state import build, chair_view, full_progress, me, participant_item_detail, progress
from voting.profiles import relation_types

REASONS = {1: "秘密理由甲-论证不充分", 2: "秘密理由乙-资金来源不明", 3: "秘密理由丙-同意但需跟踪"}


def say(factory, m, item, pid, stance, reason="", *, chair, round_=1):
    return factory.say(m, item, pid, stance, reason, chair=chair, round_=round_).ack


def view(app, meeting_id, name):
    with app.app_context(), read_only() as s:
        return build(s, meeting_id, name)


def mine(app, meeting_id, person_id):
    with app.app_context(), read_only() as s:
        return me(s, meeting_id, person_id)


def dumped(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@pytest.fixture
def spoken_room(factory):
    """N = 9, 8 present; three members have spoken (in the order 3, 1, 2) with distinctive reasons; the absent
    member's written opinion is in."""
    body, ids, m, item = factory.running(9, 8)
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "absent", "reason": "赴省里开会"})
    say(factory, m, item, ids[3], "agree", REASONS[3], chair=ids[0])
    say(factory, m, item, ids[1], "disagree", REASONS[1], chair=ids[0])
    say(factory, m, item, ids[2], "defer", REASONS[2], chair=ids[0])
    factory.act(
        "written_opinion",
        m.id,
        {"item_id": item.id, "person_id": ids[8], "stance": "disagree", "reason": "书面秘密理由-不同意"},
    )
    return {"ids": ids, "m": m, "item": item, "body": body}


# ---------------------------------------------------------------- confidentiality


@pytest.mark.parametrize("name", ["member", "public"])
def test_member_and_public_views_never_show_opinions_while_open(app, spoken_room, name):
    st = view(app, spoken_room["m"].id, name)
    text = dumped(st)
    for reason in [*REASONS.values(), "书面秘密理由-不同意"]:
        assert reason not in text
    cur = st["current"]
    assert "opinions" not in cur and "tally" not in cur and "written" not in cur and "not_spoken" not in cur
    assert cur["progress"]["spoken"] == 3 and cur["progress"]["eligible"] == 8
    assert cur["written_count"] == 1


def test_progress_counts_are_safe_for_every_view(app, spoken_room):
    with app.app_context(), read_only() as s:
        small = progress(s, spoken_room["m"].id)
    assert set(small) == {
        "item_id",
        "round",
        "spoken",
        "eligible",
        "waiting",
        "chair_may_speak",
        "chair_has_spoken",
    }  # can_still_pass foretells the result: the full view's detail only
    assert (small["spoken"], small["waiting"], small["chair_may_speak"]) == (3, 4, False)
    assert all(r not in dumped(small) for r in REASONS.values())


@pytest.mark.parametrize("name", ["member", "public"])
def test_closed_item_shows_tally_and_result_but_not_who_said_what(app, factory, spoken_room, name):
    ids, m, item = spoken_room["ids"], spoken_room["m"], spoken_room["item"]
    for pid in ids[4:8]:
        say(factory, m, item, pid, "agree", chair=ids[0])
    say(factory, m, item, ids[0], "agree", "主持人秘密理由", chair=ids[0])
    factory.act("close_item", m.id, {"item_id": item.id})
    st = view(app, m.id, name)
    assert st["current"] is None
    last = st["last_closed"]
    assert last["result"] == "passed" and last["result_label"] == "通过"
    assert (last["tally"]["agree"], last["tally"]["disagree"], last["tally"]["defer"]) == (6, 1, 1)
    assert "opinions" not in last
    text = dumped(st)
    for reason in [*REASONS.values(), "主持人秘密理由", "书面秘密理由-不同意"]:
        assert reason not in text


def test_full_view_of_closed_item_keeps_every_opinion(app, factory, spoken_room):
    ids, m, item = spoken_room["ids"], spoken_room["m"], spoken_room["item"]
    for pid in ids[4:8]:
        say(factory, m, item, pid, "agree", chair=ids[0])
    say(factory, m, item, ids[0], "agree", "主持人意见", chair=ids[0])
    factory.act("close_item", m.id, {"item_id": item.id})
    last = view(app, m.id, "full")["last_closed"]
    assert [o["person_id"] for o in last["opinions"]] == [ids[3], ids[1], ids[2], *ids[4:8], ids[0]]
    assert last["opinions"][-1]["is_chair"] is True and last["opinions"][-1]["reason"] == "主持人意见"


def test_public_view_hides_confidential_titles(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    secret = factory.item(
        m.id, title="关于某某同志拟任职务的议题", category="personnel", confidential=True, summary="拟任人选情况说明"
    )
    plain = factory.item(m.id, title="关于城区道路改造的议题")
    factory.act("open_item", m.id, {"item_id": secret.id})

    public = view(app, m.id, "public")
    assert "关于某某同志拟任职务的议题" not in dumped(public)
    assert "拟任人选情况说明" not in dumped(public)
    assert [a["title"] for a in public["agenda"]] == ["（保密议题）", "关于城区道路改造的议题"]
    assert public["current"]["title"] == "（保密议题）"

    member = view(app, m.id, "member")
    assert member["current"]["title"] == "关于某某同志拟任职务的议题"
    assert "拟任人选情况说明" not in dumped(member)  # asked for by each tablet, recusal checked
    with app.app_context(), read_only() as s:
        detail = participant_item_detail(s, factory.seat_actor(m.id, ids[1], ids[0]), secret.id)
    assert detail["summary"] == "拟任人选情况说明"

    factory.act("defer_item", m.id, {"item_id": secret.id, "reason": "人选需再考察"})
    public = view(app, m.id, "public")
    assert public["last_closed"]["title"] == "（保密议题）"
    assert public["last_closed"]["defer_reason"] == ""
    assert "人选需再考察" not in dumped(public)
    assert view(app, m.id, "member")["last_closed"]["defer_reason"] == "人选需再考察"
    assert plain.title in dumped(public)


def test_public_view_leaves_out_materials_summary_and_attendance_details(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:4])
    factory.act("roll_call", m.id, {"person_id": ids[4], "attendance": "absent", "reason": "病假住院"})
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, summary="内部情况摘要")
    factory.act("open_item", m.id, {"item_id": item.id})
    public = view(app, m.id, "public")
    assert "summary" not in public["current"] and "materials" not in public["current"]
    assert all(
        set(r) == {"person_id", "name", "title", "attendance", "attendance_label", "is_chair"} for r in public["roster"]
    )
    assert "病假住院" not in dumped(public) and "observers" not in public
    full = view(app, m.id, "full")
    assert {r["person_id"]: r["absence_reason"] for r in full["roster"]}[ids[4]] == "病假住院"
    assert "病假住院" not in dumped(view(app, m.id, "member"))


def test_head_reason_is_not_shown_on_the_projector(app, factory):
    _, ids, m, item = factory.running(5, 5, decision_mode="head_decides")
    for pid in ids[1:]:
        say(factory, m, item, pid, "disagree", "不同意", chair=ids[0])
    say(factory, m, item, ids[0], "agree", chair=ids[0])
    factory.act("head_decide", m.id, {"item_id": item.id, "adopt": True, "reason": "首长理由：全局考虑"})
    public = view(app, m.id, "public")["last_closed"]
    assert public["result"] == "head_adopted" and public["head_reason"] == ""
    assert public["majority_passes"] is False
    full = view(app, m.id, "full")["last_closed"]
    assert full["head_reason"] == "首长理由：全局考虑"


# ---------------------------------------------------------------- the full view


def test_full_view_has_opinions_in_order_given(app, spoken_room):
    ids = spoken_room["ids"]
    cur = view(app, spoken_room["m"].id, "full")["current"]
    assert [(o["person_id"], o["stance"], o["reason"]) for o in cur["opinions"]] == [
        (ids[3], "agree", REASONS[3]),
        (ids[1], "disagree", REASONS[1]),
        (ids[2], "defer", REASONS[2]),
    ]
    assert [o["stance_label"] for o in cur["opinions"]] == ["同意", "不同意", "缓议"]
    assert all(o["version"] == 1 and o["at"] for o in cur["opinions"])


def test_full_view_lists_who_has_not_spoken_in_seniority_order(app, spoken_room):
    ids = spoken_room["ids"]
    cur = view(app, spoken_room["m"].id, "full")["current"]
    assert [(x["person_id"], x["is_chair"]) for x in cur["not_spoken"]] == [
        (ids[0], True),
        (ids[4], False),
        (ids[5], False),
        (ids[6], False),
        (ids[7], False),
    ]
    assert ids[8] not in [x["person_id"] for x in cur["not_spoken"]]  # absent: not waited for


def test_full_view_has_tally_and_written_opinions(app, spoken_room):
    cur = view(app, spoken_room["m"].id, "full")["current"]
    t = cur["tally"]
    assert (t["agree"], t["disagree"], t["defer"], t["yes"], t["n"], t["needed"]) == (1, 1, 1, 1, 9, 5)
    assert (t["written_disagree"], t["written_counted"]) == (1, False)
    assert [(w["person_id"], w["stance"], w["submitted_by"]) for w in cur["written"]] == [
        (spoken_room["ids"][8], "disagree", "secretary")
    ]
    with app.app_context(), read_only() as s:
        detailed = full_progress(s, spoken_room["m"].id)
    assert [o["person_id"] for o in detailed["opinions"]] == [o["person_id"] for o in cur["opinions"]]
    assert detailed["tally"] == t


def test_progress_read_from_columns_says_what_the_room_facts_say(app, spoken_room):
    """progress() reads plain columns for speed; it must give exactly the facts of item_facts / the full view."""
    m = spoken_room["m"]
    cur = view(app, m.id, "full")["current"]
    with app.app_context(), read_only() as s:
        small, detailed = progress(s, m.id), full_progress(s, m.id)
    assert small == {k: v for k, v in cur["progress"].items() if k != "can_still_pass"}
    assert {k: detailed[k] for k in cur["progress"]} == cur["progress"]  # can_still_pass: with the detail only
    assert detailed["opinions"] == cur["opinions"] and detailed["not_spoken"] == cur["not_spoken"]
    assert detailed["tally"] == cur["tally"]


def _room_shape(factory, shape):
    """Rooms where counting by sets and counting by the database's aggregates could disagree."""
    body, ids, m, item = factory.running(9, 7)
    chair = ids[0]
    if shape in ("recused", "chair-recused"):
        factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[4], "reason": "与议题有利害关系"})
    if shape == "chair-recused":
        factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": chair, "reason": "与议题有利害关系"})
    if shape == "left-after-speaking":  # spoke, then left: counted in the tally, no longer among the eligible
        say(factory, m, item, ids[2], "agree", chair=chair)
        factory.act("roll_call", m.id, {"person_id": ids[2], "attendance": "left"})
    if shape == "written-then-came":  # an absentee's written opinion, then they arrive and speak in the room
        factory.act(
            "written_opinion",
            m.id,
            {"item_id": item.id, "person_id": ids[7], "stance": "disagree", "reason": "书面意见"},
        )
        factory.act("roll_call", m.id, {"person_id": ids[7], "attendance": "late"})
        say(factory, m, item, ids[7], "agree", chair=chair)
    if shape in ("all-but-chair", "chair-spoke"):
        for pid in ids[1:7]:
            say(factory, m, item, pid, "defer", "再研究", chair=chair)
    if shape == "chair-spoke":
        say(factory, m, item, chair, "agree", chair=chair)
    if shape == "recused":
        say(factory, m, item, ids[1], "disagree", "不同意", chair=chair)
    return m


@pytest.mark.parametrize(
    ("shape", "spoken", "eligible", "waiting", "chair_may_speak"),
    [
        ("nobody-spoken", 0, 7, 6, False),
        ("recused", 1, 6, 4, False),
        ("chair-recused", 0, 5, 4, False),  # the acting chair (ids[1]) speaks last in the chair's place
        ("left-after-speaking", 0, 6, 5, False),
        ("written-then-came", 1, 8, 6, False),
        ("all-but-chair", 6, 7, 0, True),
        ("chair-spoke", 7, 7, 0, True),
    ],
)
def test_progress_counts_agree_with_the_room_facts_in_every_shape(
    app, factory, shape, spoken, eligible, waiting, chair_may_speak
):
    m = _room_shape(factory, shape)
    cur = view(app, m.id, "full")["current"]
    assert (
        cur["progress"]["spoken"],
        cur["progress"]["eligible"],
        cur["progress"]["waiting"],
        cur["progress"]["chair_may_speak"],
    ) == (spoken, eligible, waiting, chair_may_speak)
    with app.app_context(), read_only() as s:
        small, detailed = progress(s, m.id), full_progress(s, m.id)
        asked = []
        decided = progress(s, m.id, detail=lambda eligible: asked.append(eligible) or False)
    counts = {k: v for k, v in cur["progress"].items() if k != "can_still_pass"}
    assert small == counts == decided and "opinions" not in decided and "can_still_pass" not in decided
    assert asked == [cur["progress"]["eligible"]]
    assert detailed["can_still_pass"] == cur["progress"]["can_still_pass"]
    assert detailed["opinions"] == cur["opinions"] and detailed["not_spoken"] == cur["not_spoken"]
    assert detailed["tally"] == cur["tally"]


def test_full_view_has_recusals_with_relation_and_basis(app, factory):
    body, ids = factory.body(9)
    subj = factory.person("任免对象丙")
    factory.relation(subj.id, ids[2], "IN_LAW")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj.id])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[5], "reason": "曾与其共事且有矛盾"})
    cur = view(app, m.id, "full")["current"]
    assert cur["recusals"] == [
        {
            "person_id": ids[2],
            "name": "成员03",
            "relation_type": "IN_LAW",
            "subject": "任免对象丙",
            "reason": relation_types()["IN_LAW"].label,
            "source": "auto",
            "basis": "《中华人民共和国公务员法》第七十六条（二）、第七十四条第一款",
        },
        {
            "person_id": ids[5],
            "name": "成员06",
            "relation_type": "OTHER",
            "subject": "",
            "reason": "曾与其共事且有矛盾",
            "source": "manual",
            "basis": "《中华人民共和国公务员法》第七十六条（三）",
        },
    ]
    assert cur["subjects"] == [{"person_id": subj.id, "name": "任免对象丙", "action": ""}]
    assert cur["recused_person_ids"] == sorted([ids[2], ids[5]])
    member = view(app, m.id, "member")["current"]
    assert "recusals" not in member and member["recused_person_ids"] == sorted([ids[2], ids[5]])


def test_meeting_header_in_chinese_and_local_time(app, factory):
    _, ids, m, item = factory.running(9, 9)
    meeting = view(app, m.id, "public")["meeting"]
    assert meeting["title"] == "某某区人民政府第1次常务会议"
    assert meeting["date"] == "2023年12月9日"
    assert meeting["starts_at"] == "2023年12月9日 09:00"  # stored in UTC, shown in Asia/Shanghai
    assert meeting["chair"] == {"person_id": ids[0], "name": "成员01", "delegated": False}


def test_attendance_block(app, factory):
    body, ids = factory.body(8)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:5])
    factory.act("roll_call", m.id, {"person_id": ids[5], "attendance": "absent", "reason": "出差"})
    att = view(app, m.id, "public")["attendance"]
    assert (att["n"], att["present"], att["pass_needed"], att["cannot_pass"]) == (8, 5, 5, False)
    assert att["counts"]["present"] == 5 and att["counts"]["absent"] == 1 and att["counts"]["expected"] == 2
    assert att["quorum"] == {
        "ok": True,
        "present": 5,
        "n": 8,
        "needed": 4,
        "fraction": "半数以上",
        "source": "《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）四（二）1；《中华人民共和国民法典》第一千二百五十九条",
    }


# ---------------------------------------------------------------- me


def test_me_has_my_opinion_only(app, spoken_room):
    ids, item = spoken_room["ids"], spoken_room["item"]
    block = mine(app, spoken_room["m"].id, ids[1])
    assert block["person_id"] == ids[1] and block["present"] is True and block["is_chair"] is False
    assert block["opinions"] == {
        str(item.id): {
            "round": 1,
            "stance": "disagree",
            "stance_label": "不同意",
            "reason": REASONS[1],
            "version": 1,
            "at": block["opinions"][str(item.id)]["at"],
            "proxy_by": "",  # given on his own tablet, not 代录
            "proxy_at": "",
        }
    }
    assert REASONS[2] not in dumped(block) and REASONS[3] not in dumped(block)
    assert block["recused_item_ids"] == []


def test_me_of_absent_member_shows_written_opinion(app, spoken_room):
    block = mine(app, spoken_room["m"].id, spoken_room["ids"][8])
    assert block["present"] is False and block["attendance_label"] == "请假"
    assert block["written"][str(spoken_room["item"].id)]["reason"] == "书面秘密理由-不同意"
    assert block["opinions"] == {}


def test_me_lists_recused_items(app, factory):
    body, ids = factory.body(9)
    subj = factory.person("任免对象丁")
    factory.relation(ids[4], subj.id, "COLLATERAL_3")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj.id])
    factory.act("open_item", m.id, {"item_id": item.id})
    assert mine(app, m.id, ids[4])["recused_item_ids"] == [item.id]
    assert mine(app, m.id, ids[3])["recused_item_ids"] == []


def test_me_shows_the_current_round_only(app, factory):
    _, ids, m, item = factory.running(5, 5)
    for pid in ids[1:]:
        say(factory, m, item, pid, "agree", chair=ids[0])
    say(factory, m, item, ids[0], "agree", chair=ids[0])
    factory.act("close_item", m.id, {"item_id": item.id})
    assert str(item.id) in mine(app, m.id, ids[1])["opinions"]
    factory.act("reconsider", m.id, {"item_id": item.id, "agreeing_person_ids": ids[:3], "reason": "新情况"})
    assert mine(app, m.id, ids[1])["opinions"] == {}
    factory.act("call_opinions", m.id, {"item_id": item.id})
    say(factory, m, item, ids[1], "defer", "第二轮缓议", chair=ids[0], round_=2)
    assert mine(app, m.id, ids[1])["opinions"][str(item.id)]["round"] == 2
    cur = view(app, m.id, "full")["current"]
    assert cur["round"] == 2 and [o["reason"] for o in cur["opinions"]] == ["第二轮缓议"]


def test_closed_item_times_follow_the_configured_zone(app, factory):
    """Times are shown in the configured zone (YISHI_TIMEZONE), in the live list and after the item closes."""
    from sqlmodel import select

    from meeting.clock import cn_time
    from meeting.models import Opinion

    _, ids, m, item = factory.running(3, 3)
    for pid in (ids[1], ids[2], ids[0]):
        say(factory, m, item, pid, "agree", chair=ids[0])
    with app.app_context(), read_only() as s:
        live = build(s, m.id, "full", "UTC")["current"]["opinions"]
    factory.act("close_item", m.id, {"item_id": item.id})
    with app.app_context(), read_only() as s:
        first = s.exec(select(Opinion).where(Opinion.item_id == item.id).order_by(Opinion.id)).first()
        closed = build(s, m.id, "full", "UTC")["last_closed"]["opinions"]
    assert live[0]["at"] == closed[0]["at"] == cn_time(first.updated_at, "UTC", seconds=True)


def _personnel_room(factory, related_to_chair: bool):
    body, ids = factory.body(9)
    subject = factory.person("拟任人选")
    factory.relation(ids[0] if related_to_chair else ids[2], subject.id, "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(
        m.id, title="关于拟任人选的议题", category="personnel", subjects=[subject.id], summary="考察情况"
    )
    factory.act("open_item", m.id, {"item_id": item.id})
    return ids, m, item


def test_recused_member_cannot_get_the_item_detail(app, factory):
    ids, m, item = _personnel_room(factory, related_to_chair=False)
    with app.app_context(), read_only() as s:
        with pytest.raises(Recused):
            participant_item_detail(s, factory.seat_actor(m.id, ids[2], ids[0]), item.id)
        assert participant_item_detail(s, factory.seat_actor(m.id, ids[3], ids[0]), item.id)["summary"] == "考察情况"


def test_recused_chair_gets_the_member_view_not_the_full_one(app, factory):
    ids, m, item = _personnel_room(factory, related_to_chair=True)
    with app.app_context(), read_only() as s:
        assert chair_view(s, m.id) == "member"
    factory.act("defer_item", m.id, {"item_id": item.id, "reason": "另行研究"})
    with app.app_context(), read_only() as s:
        assert chair_view(s, m.id) == "full"
