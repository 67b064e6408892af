"""The live-room service, through the same action registry the sockets and the API use (factory.act → perform).

Each test is one scenario. A refusal is asserted by its typed error and code, and — where it matters — by
comparing every row of the room's record before and after: a refusal changes nothing.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlmodel import select

from meeting import setup
from meeting.auth import token_actor
from meeting.db import read_only, unit_of_work
from meeting.errors import (
    AbsentCannotVote,
    AnotherItemOpen,
    ChairHasSpoken,
    ChairNotLast,
    Conflict,
    HeadReasonRequired,
    InvalidPayload,
    InvalidState,
    InvalidToken,
    ItemClosed,
    ItemNotDecidable,
    ItemNotOpen,
    ItemsNotConcluded,
    MeetingClosed,
    MeetingNotInSession,
    NotFound,
    NotPresentForWritten,
    NotQuorate,
    ObserverCannotVote,
    PermissionDenied,
    PreparationIncomplete,
    ReasonRequired,
    ReconsiderRefused,
    Recused,
    YishiError,
)
from meeting.models import (
    AgendaItem,
    Event,
    Meeting,
    Opinion,
    OpinionRevision,
    Recusal,
    Round,
    Seat,
    WrittenOpinion,
)
from meeting.schemas import ObserverIn
from meeting.state import build
from tests.factories import STAFF, rows
from tests.factories import client_id as cid
from voting.profiles import load_profile, relation_types

# ---------------------------------------------------------------- helpers


def opinion(factory, m, item, pid, stance="agree", reason="", *, chair, client_id=None, round_=1):
    """One member's opinion through the action registry; returns the acknowledgement."""
    return factory.say(m, item, pid, stance, reason, chair=chair, round_=round_, client_id_=client_id).ack


def everyone(factory, m, item, voters, chair, stances, round_=1):
    """``stances`` maps person → stance; the chair (if in it) speaks last, the others in the order given."""
    order = [p for p in voters if p != chair] + ([chair] if chair in voters else [])
    for pid in order:
        st = stances[pid]
        opinion(factory, m, item, pid, st, "" if st == "agree" else f"理由{pid}", chair=chair, round_=round_)


def refused(err_cls, fn, *args, **kwargs) -> YishiError:
    with pytest.raises(err_cls) as info:
        fn(*args, **kwargs)
    assert info.value.to_dict()["ok"] is False
    assert info.value.to_dict()["error"]["code"] == err_cls.code
    assert info.value.message  # a Chinese sentence, never empty
    return info.value


def one(app, model, ident):
    with app.app_context(), read_only() as s:
        return s.get(model, ident)


def state(app, meeting_id, view="full"):
    with app.app_context(), read_only() as s:
        return build(s, meeting_id, view)


def event_kinds(app, meeting_id, after=0):
    return [e.kind for e in rows(app, Event, meeting_id=meeting_id) if e.id > after]


def last_event_id(app):
    ev = rows(app, Event)
    return ev[-1].id if ev else 0


RECORD = (Meeting, Seat, AgendaItem, Round, Opinion, OpinionRevision, WrittenOpinion, Recusal, Event)


def world(app) -> dict:
    """Every row of every table the room writes, to prove a refusal changed nothing."""
    with app.app_context(), read_only() as s:
        return {m.__name__: [r.model_dump() for r in s.exec(select(m).order_by(m.id))] for m in RECORD}


def observer(factory, meeting_id, name="人大代表甲"):
    with factory.app.app_context(), unit_of_work() as s:
        return setup.add_observer(s, STAFF, meeting_id, ObserverIn(name=name, unit="区人大", role="人大代表"))


def subject_related_to(factory, member_id, type_="LINEAL", reason=""):
    subj = factory.person("任免对象甲")
    factory.relation(member_id, subj.id, type_, reason)
    return subj.id


# ---------------------------------------------------------------- quorum: may the meeting open


@pytest.mark.parametrize(
    ("kind", "n", "present", "ok"),
    [
        ("executive", 8, 3, False),
        ("executive", 8, 4, True),  # exactly half: 半数以上 includes the number
        ("executive", 7, 3, False),
        ("executive", 7, 4, True),
        ("party_group", 9, 4, False),
        ("party_group", 9, 5, True),
        ("plenary", 9, 5, False),
        ("plenary", 9, 6, True),  # exactly two-thirds
        ("plenary", 8, 5, False),
        ("plenary", 8, 6, True),
        ("plenary", 15, 9, False),
        ("plenary", 15, 10, True),
        ("executive", 11, 5, False),
        ("executive", 11, 6, True),
    ],
)
def test_open_meeting_needs_quorum(app, factory, kind, n, present, ok):
    body, ids = factory.body(n)
    m = factory.meeting(body.id, kind=kind)
    factory.present(m.id, ids[:present])
    if ok:
        assert factory.act("open_meeting", m.id).ack == {"ok": True}
        assert one(app, Meeting, m.id).status == "in_session"
        return
    before = world(app)
    err = refused(NotQuorate, factory.act, "open_meeting", m.id)
    assert f"应到会{n}人" in err.message and f"实到{present}人" in err.message
    assert err.source.startswith("《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）")
    assert one(app, Meeting, m.id).status == "scheduled"
    assert world(app) == before


def test_absent_members_stay_in_n(app, factory):
    """N counts members on leave: 8 members, 4 on leave, 4 present → exactly half, may open; N shows 8."""
    body, ids = factory.body(8)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:4])
    for pid in ids[4:]:
        factory.act("roll_call", m.id, {"person_id": pid, "attendance": "absent", "reason": "出差"})
    factory.act("open_meeting", m.id)
    att = state(app, m.id)["attendance"]
    assert (att["n"], att["present"], att["quorum"]["ok"]) == (8, 4, True)


def test_roll_call_absence_needs_reason(app, factory):
    body, ids = factory.body(7)
    m = factory.meeting(body.id)
    before = world(app)
    refused(InvalidPayload, factory.act, "roll_call", m.id, {"person_id": ids[1], "attendance": "absent"})
    assert world(app) == before


# ---------------------------------------------------------------- may this item be decided


@pytest.mark.parametrize(("present", "ok"), [(5, False), (6, True)])
def test_personnel_item_needs_two_thirds_in_executive_meeting(app, factory, present, ok):
    body, ids = factory.body(9)
    m = factory.meeting(body.id, kind="executive")
    factory.present(m.id, ids[:present])
    factory.act("open_meeting", m.id)  # 5 of 9 is enough for the meeting itself
    item = factory.item(m.id, category="personnel", title="关于某某同志任职的议题")
    if ok:
        factory.act("open_item", m.id, {"item_id": item.id})
        assert one(app, AgendaItem, item.id).status == "open"
        return
    err = refused(ItemNotDecidable, factory.act, "open_item", m.id, {"item_id": item.id})
    assert "三分之二" in err.message and "至少6人" in err.message
    assert one(app, AgendaItem, item.id).status == "pending"


@pytest.mark.parametrize(
    ("category", "present", "ok"), [("other", 5, True), ("major_project", 5, True), ("personnel", 5, False)]
)
def test_only_personnel_items_need_two_thirds(app, factory, category, present, ok):
    body, ids = factory.body(9)
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:present])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category=category)
    if ok:
        assert factory.act("open_item", m.id, {"item_id": item.id}).ack["ok"] is True
    else:
        refused(ItemNotDecidable, factory.act, "open_item", m.id, {"item_id": item.id})


def test_quorate_but_cannot_pass_is_said(app, factory):
    """N = 8 with 4 present: the meeting may open, yet 4 yes can never be more than half of 8."""
    _, ids, m, item = factory.running(8, 4)
    st = state(app, m.id)
    assert st["attendance"]["quorum"]["ok"] is True
    assert st["attendance"]["cannot_pass"] is True
    assert st["attendance"]["pass_needed"] == 5
    assert st["current"]["progress"]["can_still_pass"] is False


def test_quorate_and_can_pass_is_not_flagged(app, factory):
    _, ids, m, item = factory.running(8, 5)
    st = state(app, m.id)
    assert st["attendance"]["cannot_pass"] is False
    assert st["current"]["progress"]["can_still_pass"] is True


def test_can_still_pass_turns_false_when_too_many_disagree(app, factory):
    """N = 9, 6 present: after 2 disagree only 4 can still agree, short of the 5 needed."""
    _, ids, m, item = factory.running(9, 6)
    opinion(factory, m, item, ids[1], "disagree", "不同意甲", chair=ids[0])
    assert state(app, m.id)["current"]["progress"]["can_still_pass"] is True
    opinion(factory, m, item, ids[2], "defer", "缓议乙", chair=ids[0])
    assert state(app, m.id)["current"]["progress"]["can_still_pass"] is False


# ---------------------------------------------------------------- one item at a time, preparation


def test_second_item_refused_while_one_is_open(app, factory):
    _, ids, m, item = factory.running(9, 9)
    second = factory.item(m.id, title="关于第二个事项的议题")
    before = world(app)
    err = refused(AnotherItemOpen, factory.act, "open_item", m.id, {"item_id": second.id})
    assert "一事一议" in err.message
    assert world(app) == before
    assert one(app, AgendaItem, second.id).status == "pending"


def test_second_item_allowed_after_first_closes(app, factory):
    _, ids, m, item = factory.running(5, 5)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    factory.act("close_item", m.id, {"item_id": item.id})
    second = factory.item(m.id, title="关于第二个事项的议题")
    assert factory.act("open_item", m.id, {"item_id": second.id}).ack["ok"] is True


@pytest.mark.parametrize("category", ["major_decision", "large_funds", "major_project"])
def test_unprepared_item_cannot_be_opened(app, factory, category):
    body, ids = factory.body(7)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category=category, prepared=False)
    before = world(app)
    err = refused(PreparationIncomplete, factory.act, "open_item", m.id, {"item_id": item.id})
    assert "合法性审查" in err.message
    assert "713号" in err.source
    assert one(app, AgendaItem, item.id).status == "pending"
    assert world(app) == before


def test_failed_legality_review_cannot_be_waived(app, factory):
    from meeting.schemas import StepIn

    body, ids = factory.body(7)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="major_decision", prepared=False)
    with app.app_context(), unit_of_work() as s:
        setup.set_step(s, STAFF, item.id, StepIn(step="legality_review", state="not_applicable"))
    refused(PreparationIncomplete, factory.act, "open_item", m.id, {"item_id": item.id})


def test_items_need_an_open_meeting(app, factory):
    body, ids = factory.body(7)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    item = factory.item(m.id)
    refused(MeetingNotInSession, factory.act, "open_item", m.id, {"item_id": item.id})


# ---------------------------------------------------------------- opinions


def test_chair_before_others_is_refused_with_waiting_count(app, factory):
    _, ids, m, item = factory.running(9, 9)
    opinion(factory, m, item, ids[1], chair=ids[0])
    before = world(app)
    err = refused(ChairNotLast, opinion, factory, m, item, ids[0], chair=ids[0])
    assert "尚有7名成员未发表意见" in err.message
    assert "713号" in err.source
    assert world(app) == before


def test_chair_after_everyone_is_accepted(app, factory):
    _, ids, m, item = factory.running(9, 9)
    for pid in ids[1:]:
        opinion(factory, m, item, pid, chair=ids[0])
    ack = opinion(factory, m, item, ids[0], "agree", "同意，按程序办理", chair=ids[0])
    assert ack["ok"] is True and ack["opinion"]["is_chair"] is True
    rnd = rows(app, Round, item_id=item.id)[0]
    assert rnd.chair_spoke_at is not None


def test_chair_waits_only_for_present_non_recused(app, factory):
    """Absent and recused members are not waited for: 9 members, 7 present, 1 of them recused → 5 others."""
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[3])
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:7])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    others = [p for p in ids[1:7] if p != ids[3]]
    for pid in others[:-1]:
        opinion(factory, m, item, pid, chair=ids[0])
    refused(ChairNotLast, opinion, factory, m, item, ids[0], chair=ids[0])
    opinion(factory, m, item, others[-1], chair=ids[0])
    assert opinion(factory, m, item, ids[0], chair=ids[0])["ok"] is True


def test_delegated_chair_speaks_last(app, factory):
    """A deputy chairing for this meeting is the one who speaks last; the head speaks as a member."""
    body, ids = factory.body(5)
    m = factory.meeting(body.id, chair=ids[1])
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id)
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    refused(ChairNotLast, opinion, factory, m, item, ids[1], chair=ids[1])
    for pid in (ids[0], ids[2], ids[3], ids[4]):
        opinion(factory, m, item, pid, chair=ids[1])
    assert opinion(factory, m, item, ids[1], chair=ids[1])["opinion"]["is_chair"] is True


def test_member_cannot_change_after_chair_spoke(app, factory):
    _, ids, m, item = factory.running(5, 5)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    before = world(app)
    err = refused(ChairHasSpoken, opinion, factory, m, item, ids[2], "disagree", "改变主意", chair=ids[0])
    assert err.source.startswith("《洮北区人民政府“三重一大”事项决策实施办法（试行）》（白洮政发〔2023〕14号）")
    assert world(app) == before


def test_chair_may_correct_own_opinion_until_result(app, factory):
    _, ids, m, item = factory.running(5, 5)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    ack = opinion(factory, m, item, ids[0], "defer", "需进一步论证", chair=ids[0])
    assert ack["opinion"]["version"] == 2 and ack["opinion"]["stance"] == "defer"


def test_member_arriving_after_chair_spoke_takes_no_part_and_does_not_block_the_result(app, factory):
    _, ids, m, item = factory.running(9, 8)
    everyone(factory, m, item, ids[:8], ids[0], {p: "agree" for p in ids[:8]})
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "present"})
    refused(ChairHasSpoken, opinion, factory, m, item, ids[8], chair=ids[0])
    ack = factory.act("close_item", m.id, {"item_id": item.id}).ack
    assert ack["result"] == "passed" and ack["tally"]["agree"] == 8


@pytest.mark.parametrize("stance", ["disagree", "defer"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_disagree_and_defer_need_a_reason(app, factory, stance, reason):
    _, ids, m, item = factory.running(5, 5)
    before = world(app)
    err = refused(ReasonRequired, opinion, factory, m, item, ids[1], stance, reason, chair=ids[0])
    assert ("不同意" if stance == "disagree" else "缓议") in err.message
    assert world(app) == before


def test_agree_needs_no_reason(app, factory):
    _, ids, m, item = factory.running(5, 5)
    assert opinion(factory, m, item, ids[1], "agree", "", chair=ids[0])["ok"] is True


@pytest.mark.parametrize(
    ("attendance", "reason", "label"), [(None, "", "未签到"), ("absent", "出差", "请假"), ("left", "另有公务", "离席")]
)
def test_member_not_in_the_room_cannot_give_opinion(app, factory, attendance, reason, label):
    _, ids, m, item = factory.running(9, 8)
    pid = ids[7] if attendance == "left" else ids[8]
    if attendance:
        factory.act("roll_call", m.id, {"person_id": pid, "attendance": attendance, "reason": reason})
    before = world(app)
    err = refused(AbsentCannotVote, opinion, factory, m, item, pid, chair=ids[0])
    assert label in err.message and "书面意见" in err.message
    assert world(app) == before


def test_late_member_is_counted_from_arrival(app, factory):
    _, ids, m, item = factory.running(9, 8)
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "present"})
    assert rows(app, Seat, meeting_id=m.id)[8].attendance == "late"  # arrived after the meeting opened
    assert opinion(factory, m, item, ids[8], chair=ids[0])["ok"] is True


def test_observer_cannot_give_opinion(app, factory):
    _, ids, m, item = factory.running(5, 5)
    obs = observer(factory, m.id)
    with app.app_context(), read_only() as s:
        actor = token_actor(s, factory.observer_token(m.id, obs.id))
    assert actor.kind == "observer"
    payload = {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"}
    before = world(app)
    refused(ObserverCannotVote, factory.act, "give_opinion", m.id, payload, actor=actor)
    written = {"item_id": item.id, "person_id": ids[1], "stance": "agree"}
    refused(ObserverCannotVote, factory.act, "written_opinion", m.id, written, actor=actor)
    assert world(app) == before


def test_projector_cannot_give_opinion(app, factory):
    _, ids, m, item = factory.running(5, 5)
    with app.app_context(), read_only() as s:
        actor = token_actor(s, factory.projector_token(m.id))
    payload = {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"}
    refused(PermissionDenied, factory.act, "give_opinion", m.id, payload, actor=actor)


def test_secretary_cannot_give_an_opinion_for_a_member(app, factory):
    _, ids, m, item = factory.running(5, 5)
    payload = {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"}
    refused(PermissionDenied, factory.act, "give_opinion", m.id, payload)


def test_member_token_is_bound_to_its_meeting(app, factory):
    _, ids_a, ma, item_a = factory.running(5, 5)
    _, ids_b, mb, item_b = factory.running(5, 5)
    actor = factory.seat_actor(ma.id, ids_a[1], ids_a[0])
    payload = {"client_id": cid(), "item_id": item_b.id, "round": 1, "stance": "agree"}
    refused(PermissionDenied, factory.act, "give_opinion", mb.id, payload, actor=actor)
    # nor can it reach another meeting's item through its own meeting
    payload = {"client_id": cid(), "item_id": item_b.id, "round": 1, "stance": "agree"}
    refused(NotFound, factory.act, "give_opinion", ma.id, payload, actor=actor)
    assert rows(app, Opinion) == []


def test_opinion_on_item_not_called_is_refused(app, factory):
    _, ids, m, item = factory.running(5, 5, call=False)
    pending = factory.item(m.id, title="尚未审议的议题")
    before = world(app)
    refused(ItemNotOpen, opinion, factory, m, item, ids[1], chair=ids[0])
    refused(ItemNotOpen, opinion, factory, m, pending, ids[1], chair=ids[0])
    assert rows(app, Opinion) == [] and rows(app, OpinionRevision) == []
    assert world(app) == before


def test_opinion_for_wrong_round_is_refused(app, factory):
    _, ids, m, item = factory.running(5, 5)
    refused(ItemNotOpen, opinion, factory, m, item, ids[1], chair=ids[0], round_=2)


def test_opinion_after_close_is_refused(app, factory):
    _, ids, m, item = factory.running(5, 5)
    factory.act("roll_call", m.id, {"person_id": ids[4], "attendance": "left", "reason": "另有公务"})
    everyone(factory, m, item, ids[:4], ids[0], {p: "agree" for p in ids})
    factory.act("close_item", m.id, {"item_id": item.id})
    factory.act("roll_call", m.id, {"person_id": ids[4], "attendance": "present"})
    before = world(app)
    err = refused(ItemClosed, opinion, factory, m, item, ids[4], chair=ids[0])
    assert "通过" in err.message
    assert world(app) == before


def test_resend_with_same_client_id_counts_once(app, factory):
    _, ids, m, item = factory.running(5, 5)
    client_id = cid()
    first = opinion(factory, m, item, ids[1], "agree", "同意", chair=ids[0], client_id=client_id)
    events_before = event_kinds(app, m.id)
    again = opinion(factory, m, item, ids[1], "agree", "同意", chair=ids[0], client_id=client_id)
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["opinion"] == first["opinion"]
    assert len(rows(app, Opinion, item_id=item.id)) == 1
    assert len(rows(app, OpinionRevision)) == 1
    assert event_kinds(app, m.id) == events_before
    tally = state(app, m.id)["current"]["tally"]
    assert (tally["agree"], tally["yes"]) == (1, 1)


def test_resend_with_different_body_is_still_the_first_statement(app, factory):
    """The client id names one statement: a resend cannot smuggle in a different stance."""
    _, ids, m, item = factory.running(5, 5)
    client_id = cid()
    opinion(factory, m, item, ids[1], "agree", "", chair=ids[0], client_id=client_id)
    again = opinion(factory, m, item, ids[1], "disagree", "其实不同意", chair=ids[0], client_id=client_id)
    assert again["duplicate"] is True and again["opinion"]["stance"] == "agree"
    assert state(app, m.id)["current"]["tally"]["disagree"] == 0


def test_client_id_of_another_member_is_refused(app, factory):
    _, ids, m, item = factory.running(5, 5)
    client_id = cid()
    opinion(factory, m, item, ids[1], chair=ids[0], client_id=client_id)
    refused(InvalidPayload, opinion, factory, m, item, ids[2], chair=ids[0], client_id=client_id)
    assert len(rows(app, Opinion, item_id=item.id)) == 1


def test_correction_keeps_every_version_and_the_order_given(app, factory):
    _, ids, m, item = factory.running(5, 5)
    opinion(factory, m, item, ids[3], "agree", "第一位", chair=ids[0])
    opinion(factory, m, item, ids[1], "agree", "第二位", chair=ids[0])
    ack = opinion(factory, m, item, ids[3], "disagree", "更正：风险未评估", chair=ids[0])
    assert ack["duplicate"] is False and ack["opinion"]["version"] == 2
    ops = rows(app, Opinion, item_id=item.id)
    assert len(ops) == 1 + 1
    revs = rows(app, OpinionRevision, opinion_id=ops[0].id)
    assert [(r.version, r.stance, r.reason) for r in revs] == [
        (1, "agree", "第一位"),
        (2, "disagree", "更正：风险未评估"),
    ]
    full = state(app, m.id)["current"]
    assert [o["person_id"] for o in full["opinions"]] == [ids[3], ids[1]]
    assert full["tally"]["agree"] == 1 and full["tally"]["disagree"] == 1
    assert event_kinds(app, m.id)[-3:] == ["opinion.given", "opinion.given", "opinion.corrected"]


# ---------------------------------------------------------------- recusal


@pytest.mark.parametrize("type_", ["SPOUSE", "LINEAL", "COLLATERAL_3", "IN_LAW", "OTHER", "SELF"])
def test_related_member_recuses_automatically(app, factory, type_):
    body, ids = factory.body(9)
    reason = "曾为其直接上级，存在利害关系" if type_ in ("OTHER", "SELF") else ""
    subj = subject_related_to(factory, ids[4], type_, reason)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    recs = rows(app, Recusal, item_id=item.id)
    assert [(r.person_id, r.relation_type, r.subject_person_id, r.source) for r in recs] == [
        (ids[4], type_, subj, "auto")
    ]
    assert recs[0].basis == relation_types()[type_].source
    assert recs[0].reason == (reason or relation_types()[type_].label)
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "recusal.added"]
    assert json.loads(ev[0].payload)["relation_type"] == type_


def test_subject_who_is_a_member_recuses_as_self(app, factory):
    body, ids = factory.body(9)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[ids[6]])
    factory.act("open_item", m.id, {"item_id": item.id})
    recs = rows(app, Recusal, item_id=item.id)
    assert [(r.person_id, r.relation_type) for r in recs] == [(ids[6], "SELF")]


def test_relations_do_not_recuse_on_other_categories(app, factory):
    body, ids = factory.body(9)
    factory.relation(ids[2], ids[3], "SPOUSE")
    _, _, m, item = factory.running(9, 9, category="major_project")
    assert rows(app, Recusal, item_id=item.id) == []


def test_recused_member_cannot_give_opinion(app, factory):
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[2], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    before = world(app)
    err = refused(Recused, opinion, factory, m, item, ids[2], chair=ids[0])
    assert "公务员法" in err.source
    assert world(app) == before


@pytest.mark.parametrize(("present", "ok"), [(6, False), (7, True)])
def test_recused_member_counts_as_not_present_and_stays_in_n(app, factory, present, ok):
    """N = 9; personnel needs 6 in the room for the item: 6 present of whom 1 recused is 5 — not enough."""
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[1], "LINEAL")
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:present])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    if not ok:
        err = refused(ItemNotDecidable, factory.act, "open_item", m.id, {"item_id": item.id})
        assert "应到会9人" in err.message and "参与本议题5人" in err.message
        assert rows(app, Recusal, item_id=item.id) == []  # the whole refusal rolled back
        return
    factory.act("open_item", m.id, {"item_id": item.id})
    cur = state(app, m.id)["current"]
    assert cur["n"] == 9 and cur["pass_needed"] == 5
    assert cur["quorum"]["present"] == 6 and cur["recused_person_ids"] == [ids[1]]


@pytest.mark.parametrize(("recused_in_n", "result"), [(True, "not_passed"), (False, "passed")])
def test_recused_in_or_out_of_n_per_profile(app, factory, monkeypatch, recused_in_n, result):
    """N = 8, 1 recused, 4 agree: in N (default) 2·4 > 8 fails; out of N (setting) 2·4 > 7 passes."""
    profile = dataclasses.replace(load_profile(), recused_in_n=recused_in_n)
    monkeypatch.setattr("meeting.room.facts.load_profile", lambda name="taobei-2023": profile)
    body, ids = factory.body(8)
    subj = subject_related_to(factory, ids[7], "IN_LAW")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    voters = ids[:7]
    stances = {p: "agree" for p in voters[:4]} | {p: "disagree" for p in voters[4:]}
    everyone(factory, m, item, voters, ids[0], stances)
    ack = factory.act("close_item", m.id, {"item_id": item.id}).ack
    assert ack["result"] == result
    assert ack["tally"]["n"] == (8 if recused_in_n else 7)


def test_manual_recusal_needs_a_reason(app, factory):
    _, ids, m, item = factory.running(9, 9)
    before = world(app)
    for payload in (
        {"item_id": item.id, "person_id": ids[3]},
        {"item_id": item.id, "person_id": ids[3], "reason": ""},
        {"item_id": item.id, "person_id": ids[3], "reason": "   "},
    ):
        refused(InvalidPayload, factory.act, "add_recusal", m.id, payload)
    assert world(app) == before


def test_manual_recusal_is_recorded_and_refuses_the_opinion(app, factory):
    _, ids, m, item = factory.running(9, 9)
    ack = factory.act(
        "add_recusal", m.id, {"item_id": item.id, "person_id": ids[3], "reason": "与申报单位存在业务往来"}
    )
    assert ack.ack == {"ok": True} and ack.notify_people == [ids[3]]
    rec = rows(app, Recusal, item_id=item.id)[0]
    assert (rec.person_id, rec.relation_type, rec.source, rec.reason) == (
        ids[3],
        "OTHER",
        "manual",
        "与申报单位存在业务往来",
    )
    refused(Recused, opinion, factory, m, item, ids[3], chair=ids[0])


def test_manual_recusal_refused_after_the_person_spoke(app, factory):
    _, ids, m, item = factory.running(9, 9)
    opinion(factory, m, item, ids[3], chair=ids[0])
    before = world(app)
    err = refused(
        InvalidState,
        factory.act,
        "add_recusal",
        m.id,
        {"item_id": item.id, "person_id": ids[3], "reason": "迟报的利害关系"},
    )
    assert "复议" in err.message
    assert world(app) == before


def test_manual_recusal_can_be_removed(app, factory):
    _, ids, m, item = factory.running(9, 9)
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[3], "reason": "误报"})
    ack = factory.act("remove_recusal", m.id, {"item_id": item.id, "person_id": ids[3]})
    assert ack.ack == {"ok": True}
    assert rows(app, Recusal, item_id=item.id) == []
    assert opinion(factory, m, item, ids[3], chair=ids[0])["ok"] is True
    assert event_kinds(app, m.id)[-3:] == ["recusal.added", "recusal.removed", "opinion.given"]


def test_automatic_recusal_cannot_be_removed(app, factory):
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[2], "COLLATERAL_3")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    before = world(app)
    err = refused(InvalidState, factory.act, "remove_recusal", m.id, {"item_id": item.id, "person_id": ids[2]})
    assert "《中华人民共和国公务员法》第七十六条" in err.message  # recusal in official business, by title
    assert world(app) == before


def test_manual_recusal_that_breaks_item_quorum_blocks_the_result(app, factory):
    """N = 9, 6 present on a personnel item; a recusal added by hand leaves 5 — the item cannot be decided."""
    _, ids, m, item = factory.running(9, 6, category="personnel")
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[5], "reason": "利害关系"})
    everyone(factory, m, item, ids[:5], ids[0], {p: "agree" for p in ids[:5]})
    refused(ItemNotDecidable, factory.act, "close_item", m.id, {"item_id": item.id})
    assert one(app, AgendaItem, item.id).status == "voting"


# ---------------------------------------------------------------- written opinions


def test_secretary_enters_written_opinion_for_absent_member(app, factory):
    _, ids, m, item = factory.running(9, 7)
    factory.act("roll_call", m.id, {"person_id": ids[8], "attendance": "absent", "reason": "外出学习"})
    out = factory.act(
        "written_opinion", m.id, {"item_id": item.id, "person_id": ids[8], "stance": "agree", "reason": "同意该方案"}
    )
    assert out.ack["ok"] is True and out.ack["duplicate"] is False
    assert out.notify_people == [ids[8]]
    w = rows(app, WrittenOpinion, item_id=item.id)
    assert [(x.person_id, x.stance, x.reason, x.submitted_by) for x in w] == [
        (ids[8], "agree", "同意该方案", "secretary")
    ]
    cur = state(app, m.id)["current"]
    assert cur["written"][0]["person_id"] == ids[8] and cur["written_count"] == 1
    assert event_kinds(app, m.id)[-1] == "written_opinion.recorded"


def test_written_opinion_refused_for_present_member(app, factory):
    _, ids, m, item = factory.running(9, 7)
    before = world(app)
    err = refused(
        NotPresentForWritten,
        factory.act,
        "written_opinion",
        m.id,
        {"item_id": item.id, "person_id": ids[2], "stance": "agree"},
    )
    assert err.to_dict()["error"]["code"] == "present_member_written"
    assert world(app) == before


def test_written_opinion_by_secretary_needs_the_member(app, factory):
    _, ids, m, item = factory.running(9, 7)
    refused(InvalidPayload, factory.act, "written_opinion", m.id, {"item_id": item.id, "stance": "agree"})


def test_written_disagreement_needs_a_reason(app, factory):
    _, ids, m, item = factory.running(9, 7)
    refused(
        ReasonRequired,
        factory.act,
        "written_opinion",
        m.id,
        {"item_id": item.id, "person_id": ids[8], "stance": "disagree"},
    )


def test_written_opinion_through_members_own_link(app, factory):
    _, ids, m, item = factory.running(9, 7)
    actor = factory.seat_actor(m.id, ids[8], ids[0])
    out = factory.act(
        "written_opinion",
        m.id,
        {"item_id": item.id, "stance": "defer", "reason": "材料不全", "client_id": cid()},
        actor=actor,
    )
    assert out.ack["ok"] is True
    w = rows(app, WrittenOpinion, item_id=item.id)[0]
    assert (w.person_id, w.submitted_by) == (ids[8], "self")


def test_member_cannot_send_written_opinion_for_someone_else(app, factory):
    _, ids, m, item = factory.running(9, 7)
    actor = factory.seat_actor(m.id, ids[8], ids[0])
    refused(
        PermissionDenied,
        factory.act,
        "written_opinion",
        m.id,
        {"item_id": item.id, "person_id": ids[7], "stance": "agree"},
        actor=actor,
    )


def test_written_opinion_resend_is_idempotent(app, factory):
    _, ids, m, item = factory.running(9, 7)
    actor = factory.seat_actor(m.id, ids[8], ids[0])
    payload = {"item_id": item.id, "stance": "agree", "client_id": cid()}
    first = factory.act("written_opinion", m.id, payload, actor=actor).ack
    events = event_kinds(app, m.id)
    again = factory.act("written_opinion", m.id, payload, actor=actor).ack
    assert again == {"ok": True, "duplicate": True, "written_opinion_id": first["written_opinion_id"]}
    assert len(rows(app, WrittenOpinion, item_id=item.id)) == 1
    assert event_kinds(app, m.id) == events


def test_second_written_opinion_with_new_client_id_is_refused(app, factory):
    _, ids, m, item = factory.running(9, 7)
    actor = factory.seat_actor(m.id, ids[8], ids[0])
    factory.act("written_opinion", m.id, {"item_id": item.id, "stance": "agree", "client_id": cid()}, actor=actor)
    refused(
        Conflict,
        factory.act,
        "written_opinion",
        m.id,
        {"item_id": item.id, "stance": "disagree", "reason": "改变", "client_id": cid()},
        actor=actor,
    )
    assert len(rows(app, WrittenOpinion, item_id=item.id)) == 1


def test_written_opinion_after_close_is_refused(app, factory):
    _, ids, m, item = factory.running(9, 7)
    everyone(factory, m, item, ids[:7], ids[0], {p: "agree" for p in ids[:7]})
    factory.act("close_item", m.id, {"item_id": item.id})
    before = world(app)
    refused(
        ItemClosed, factory.act, "written_opinion", m.id, {"item_id": item.id, "person_id": ids[8], "stance": "agree"}
    )
    actor = factory.seat_actor(m.id, ids[8], ids[0])
    refused(ItemClosed, factory.act, "written_opinion", m.id, {"item_id": item.id, "stance": "agree"}, actor=actor)
    assert world(app) == before


def test_written_opinion_of_recused_member_is_refused(app, factory):
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[8], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:8])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    # before the item opens, the relations already say who must recuse
    refused(Recused, factory.act, "written_opinion", m.id, {"item_id": item.id, "person_id": ids[8], "stance": "agree"})


@pytest.mark.parametrize(("counted", "yes", "result"), [(False, 4, "not_passed"), (True, 5, "passed")])
def test_written_opinions_counted_only_when_profile_says(app, factory, monkeypatch, counted, yes, result):
    """N = 9, 5 present: 4 agree in the room + 1 written agree. Not counted (default) → 4, fails; counted → 5."""
    if counted:
        profile = dataclasses.replace(load_profile(), count_written_opinions=True)
        monkeypatch.setattr("meeting.room.facts.load_profile", lambda name="taobei-2023": profile)
    _, ids, m, item = factory.running(9, 5)
    factory.act("written_opinion", m.id, {"item_id": item.id, "person_id": ids[5], "stance": "agree"})
    stances = {p: "agree" for p in ids[:4]} | {ids[4]: "disagree"}
    everyone(factory, m, item, ids[:5], ids[0], stances)
    tally = state(app, m.id)["current"]["tally"]
    assert (tally["written_agree"], tally["written_counted"], tally["yes"]) == (1, counted, yes)
    ack = factory.act("close_item", m.id, {"item_id": item.id}).ack
    assert ack["result"] == result


def test_written_opinion_of_member_who_then_speaks_is_not_counted_twice(app, factory, monkeypatch):
    """A member sends a written opinion, then arrives and speaks: one person, one voice — even when the profile
    counts written opinions. The written one stays in the record."""
    profile = dataclasses.replace(load_profile(), count_written_opinions=True)
    monkeypatch.setattr("meeting.room.facts.load_profile", lambda name="taobei-2023": profile)
    _, ids, m, item = factory.running(9, 5)
    factory.act("written_opinion", m.id, {"item_id": item.id, "person_id": ids[5], "stance": "agree"})
    assert state(app, m.id)["current"]["tally"]["yes"] == 1
    factory.act("roll_call", m.id, {"person_id": ids[5], "attendance": "present"})
    opinion(factory, m, item, ids[5], "agree", chair=ids[0])
    cur = state(app, m.id)["current"]
    assert (cur["tally"]["agree"], cur["tally"]["written_agree"], cur["tally"]["yes"]) == (1, 0, 1)
    assert [w["person_id"] for w in cur["written"]] == [ids[5]]  # still recorded


def test_written_opinion_of_member_recused_later_is_not_counted(app, factory, monkeypatch):
    profile = dataclasses.replace(load_profile(), count_written_opinions=True)
    monkeypatch.setattr("meeting.room.facts.load_profile", lambda name="taobei-2023": profile)
    _, ids, m, item = factory.running(9, 8)
    factory.act("written_opinion", m.id, {"item_id": item.id, "person_id": ids[8], "stance": "agree"})
    factory.act("add_recusal", m.id, {"item_id": item.id, "person_id": ids[8], "reason": "事后发现利害关系"})
    assert state(app, m.id)["current"]["tally"]["yes"] == 0


# ---------------------------------------------------------------- the result


def _vote_and_close(factory, n, yes, other="disagree"):
    _, ids, m, item = factory.running(n, n)
    order = ids[1:] + [ids[0]]
    stances = {p: ("agree" if i < yes else other) for i, p in enumerate(order)}
    everyone(factory, m, item, ids, ids[0], stances)
    return ids, m, item, factory.act("close_item", m.id, {"item_id": item.id}).ack


@pytest.mark.parametrize(
    ("n", "yes", "passes"),
    [
        (7, 3, False),
        (7, 4, True),
        (8, 4, False),
        (8, 5, True),
        (9, 4, False),
        (9, 5, True),
        (11, 5, False),
        (11, 6, True),
        (15, 7, False),
        (15, 8, True),
    ],
)
def test_majority_passes_when_yes_is_more_than_half_of_n(app, factory, n, yes, passes):
    ids, m, item, ack = _vote_and_close(factory, n, yes)
    assert ack["result"] == ("passed" if passes else "not_passed")
    assert ack["tally"]["yes"] == yes and ack["tally"]["n"] == n
    rnd = rows(app, Round, item_id=item.id)[0]
    assert rnd.result == ack["result"] and rnd.closed_at is not None
    assert json.loads(rnd.tally_json)["yes"] == yes
    assert one(app, AgendaItem, item.id).status == "closed"


def test_pass_is_counted_against_n_not_those_present(app, factory):
    """N = 9, 6 present, 4 agree: 4 is a majority of those present but not more than half of 9."""
    _, ids, m, item = factory.running(9, 6)
    everyone(
        factory, m, item, ids[:6], ids[0], {p: "agree" for p in ids[:4]} | {ids[4]: "disagree", ids[5]: "disagree"}
    )
    assert factory.act("close_item", m.id, {"item_id": item.id}).ack["result"] == "not_passed"


@pytest.mark.parametrize("other", ["defer", "disagree"])
def test_defer_opinion_counts_as_not_yes(app, factory, other):
    ids, m, item, ack = _vote_and_close(factory, 8, 4, other)
    assert ack["result"] == "not_passed"
    assert ack["tally"][other] == 4 and ack["tally"]["yes"] == 4


def test_close_item_refused_before_everyone_spoke(app, factory):
    _, ids, m, item = factory.running(9, 9)
    for pid in ids[1:8]:
        opinion(factory, m, item, pid, chair=ids[0])
    before = world(app)
    err = refused(InvalidState, factory.act, "close_item", m.id, {"item_id": item.id})
    assert "1名成员未发表意见" in err.message
    opinion(factory, m, item, ids[8], chair=ids[0])
    err = refused(InvalidState, factory.act, "close_item", m.id, {"item_id": item.id})
    assert "主持人" in err.message
    assert len(world(app)["Event"]) == len(before["Event"]) + 1


def test_close_item_refused_before_opinions_called(app, factory):
    _, ids, m, item = factory.running(5, 5, call=False)
    refused(ItemNotOpen, factory.act, "close_item", m.id, {"item_id": item.id})


def test_close_item_refused_in_head_decides_mode(app, factory):
    _, ids, m, item = factory.running(5, 5, decision_mode="head_decides")
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    before = world(app)
    err = refused(InvalidState, factory.act, "close_item", m.id, {"item_id": item.id})
    assert "713号" in err.message
    assert world(app) == before


def test_head_decide_refused_in_majority_mode(app, factory):
    _, ids, m, item = factory.running(5, 5)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    refused(InvalidState, factory.act, "head_decide", m.id, {"item_id": item.id, "adopt": True})


def test_head_decide_waits_for_everyone(app, factory):
    _, ids, m, item = factory.running(5, 5, decision_mode="head_decides")
    opinion(factory, m, item, ids[1], chair=ids[0])
    refused(InvalidState, factory.act, "head_decide", m.id, {"item_id": item.id, "adopt": True})


@pytest.mark.parametrize(
    ("agree", "adopt", "against"),
    [(5, True, False), (5, False, True), (1, True, True), (1, False, False)],
)
def test_head_decides_against_majority_needs_reason(app, factory, agree, adopt, against):
    """N = 7: 5 agree is a majority (passes), 1 is not. Deciding the other way needs reasons (713号 第30条)."""
    _, ids, m, item = factory.running(7, 7, decision_mode="head_decides")
    order = ids[1:] + [ids[0]]
    everyone(factory, m, item, ids, ids[0], {p: ("agree" if i < agree else "disagree") for i, p in enumerate(order)})
    chair = factory.seat_actor(m.id, ids[0], ids[0])
    if against:
        before = world(app)
        err = refused(
            HeadReasonRequired, factory.act, "head_decide", m.id, {"item_id": item.id, "adopt": adopt}, actor=chair
        )
        assert "713号" in err.source
        assert world(app) == before
    reason = "综合考虑全局，说明理由如下" if against else ""
    ack = factory.act("head_decide", m.id, {"item_id": item.id, "adopt": adopt, "reason": reason}, actor=chair).ack
    assert ack["result"] == ("head_adopted" if adopt else "head_rejected")
    assert ack["against_majority"] is against
    rnd = rows(app, Round, item_id=item.id)[0]
    assert (rnd.head_adopt, rnd.head_reason, rnd.result) == (adopt, reason, ack["result"])
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "item.head_decided"][0]
    payload = json.loads(ev.payload)
    assert payload["against_majority"] is against and payload["reason"] == reason
    assert ev.actor_kind == "chair"


def test_member_cannot_head_decide(app, factory):
    _, ids, m, item = factory.running(5, 5, decision_mode="head_decides")
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    member = factory.seat_actor(m.id, ids[1], ids[0])
    refused(PermissionDenied, factory.act, "head_decide", m.id, {"item_id": item.id, "adopt": True}, actor=member)


# ---------------------------------------------------------------- defer and carry over


@pytest.mark.parametrize("by", ["chair", "secretary"])
def test_defer_records_reason_and_result(app, factory, by):
    _, ids, m, item = factory.running(9, 9)
    opinion(factory, m, item, ids[1], "disagree", "分歧较大", chair=ids[0])
    actor = factory.seat_actor(m.id, ids[0], ids[0]) if by == "chair" else STAFF
    ack = factory.act("defer_item", m.id, {"item_id": item.id, "reason": "重大问题尚未查清"}, actor=actor).ack
    assert ack == {"ok": True, "result": "deferred"}
    rnd = rows(app, Round, item_id=item.id)[0]
    assert (rnd.result, rnd.defer_reason) == ("deferred", "重大问题尚未查清")
    assert one(app, AgendaItem, item.id).status == "deferred"
    assert event_kinds(app, m.id)[-1] == "item.deferred"
    refused(ItemClosed, opinion, factory, m, item, ids[2], chair=ids[0])


def test_defer_needs_a_reason_and_the_chair(app, factory):
    _, ids, m, item = factory.running(9, 9)
    refused(InvalidPayload, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": ""})
    member = factory.seat_actor(m.id, ids[1], ids[0])
    refused(PermissionDenied, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": "想缓一缓"}, actor=member)
    assert one(app, AgendaItem, item.id).status == "voting"


def test_defer_before_opinions_called(app, factory):
    _, ids, m, item = factory.running(9, 9, call=False)
    ack = factory.act("defer_item", m.id, {"item_id": item.id, "reason": "材料不全"}).ack
    assert ack["result"] == "deferred"


def test_deferred_item_returns_on_next_meeting_with_history(app, factory):
    body, ids, m, item = factory.running(7, 7)
    factory.act("defer_item", m.id, {"item_id": item.id, "reason": "需补充风险评估"})
    factory.act("close_meeting", m.id)
    with app.app_context(), read_only() as s:
        assert [x.id for x in setup.deferred_items(s, body.id)] == [item.id]
    nxt = factory.meeting(body.id, session_number=2)
    with app.app_context(), unit_of_work() as s:
        new = setup.carry_over(s, STAFF, nxt.id, item.id)
    assert new.carried_from_item_id == item.id and new.title == item.title
    with app.app_context(), read_only() as s:
        assert setup.deferred_items(s, body.id) == []
        history = setup.item_history(s, new)
    assert [(h["item_id"], h["defer_reason"], h["result"]) for h in history] == [
        (item.id, "需补充风险评估", "deferred")
    ]
    factory.present(nxt.id, ids)
    factory.act("open_meeting", nxt.id)
    factory.act("open_item", nxt.id, {"item_id": new.id})
    cur = state(app, nxt.id, "full")["current"]  # members ask for it: events.item_detail
    assert cur["history"][0]["defer_reason"] == "需补充风险评估"
    assert cur["history"][0]["date"] == "2023年12月9日"
    assert state(app, nxt.id)["agenda"][0]["carried_from_item_id"] == item.id


# ---------------------------------------------------------------- reconsideration (复议)


def _decided(factory, n=8):
    body, ids, m, item = factory.running(n, n)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    factory.act("close_item", m.id, {"item_id": item.id})
    return ids, m, item


def test_reconsider_refused_with_exactly_half_of_all_members(app, factory):
    ids, m, item = _decided(factory, 8)
    before = world(app)
    err = refused(
        ReconsiderRefused,
        factory.act,
        "reconsider",
        m.id,
        {"item_id": item.id, "agreeing_person_ids": ids[:4], "reason": "出现新情况"},
    )
    assert "全体成员8人" in err.message and "至少需要5人" in err.message
    assert world(app) == before


def test_reconsider_opens_round_two_and_keeps_round_one(app, factory):
    ids, m, item = _decided(factory, 8)
    ack = factory.act(
        "reconsider", m.id, {"item_id": item.id, "agreeing_person_ids": ids[:5], "reason": "出现新情况"}
    ).ack
    assert ack == {"ok": True, "round": 2}
    it = one(app, AgendaItem, item.id)
    assert (it.round, it.status) == (2, "open")
    r1, r2 = rows(app, Round, item_id=item.id)
    assert (r1.number, r1.result, r1.reconsider_reason) == (1, "passed", "出现新情况")
    assert json.loads(r1.reconsider_agreeing_json) == sorted(ids[:5])
    assert (r2.number, r2.result) == (2, None)
    assert event_kinds(app, m.id)[-1] == "item.reconsidered"


def test_reconsider_agreeing_must_be_members(app, factory):
    ids, m, item = _decided(factory, 8)
    stranger = factory.person("非成员")
    refused(
        InvalidPayload,
        factory.act,
        "reconsider",
        m.id,
        {"item_id": item.id, "agreeing_person_ids": ids[:4] + [stranger.id], "reason": "新情况"},
    )


def test_reconsider_only_decided_items(app, factory):
    _, ids, m, item = factory.running(8, 8)
    refused(
        InvalidState,
        factory.act,
        "reconsider",
        m.id,
        {"item_id": item.id, "agreeing_person_ids": ids[:6], "reason": "新情况"},
    )


def test_round_two_opinions_are_independent_of_round_one(app, factory):
    ids, m, item = _decided(factory, 8)
    factory.act("reconsider", m.id, {"item_id": item.id, "agreeing_person_ids": ids[:5], "reason": "新情况"})
    refused(ItemNotOpen, opinion, factory, m, item, ids[1], chair=ids[0], round_=2)  # not yet called
    factory.act("call_opinions", m.id, {"item_id": item.id})
    refused(ItemNotOpen, opinion, factory, m, item, ids[1], chair=ids[0], round_=1)
    cur = state(app, m.id)["current"]
    assert cur["round"] == 2 and cur["tally"]["agree"] == 0 and cur["progress"]["spoken"] == 0
    refused(ChairNotLast, opinion, factory, m, item, ids[0], chair=ids[0], round_=2)
    ack = opinion(factory, m, item, ids[1], "disagree", "新情况下不同意", chair=ids[0], round_=2)
    assert ack["opinion"]["version"] == 1 and ack["opinion"]["round"] == 2
    r1 = rows(app, Opinion, item_id=item.id, round_number=1)
    assert len(r1) == 8 and all(o.stance == "agree" for o in r1)
    stances = {p: "disagree" for p in ids[2:]} | {ids[0]: "disagree"}
    everyone(factory, m, item, [p for p in ids if p != ids[1]], ids[0], stances, round_=2)
    ack = factory.act("close_item", m.id, {"item_id": item.id}).ack
    assert ack["result"] == "not_passed" and ack["tally"]["disagree"] == 8
    assert [r.result for r in rows(app, Round, item_id=item.id)] == ["passed", "not_passed"]


# ---------------------------------------------------------------- the event log


def test_every_action_appends_its_event_in_order(app, factory):
    body, ids = factory.body(6)
    subj = subject_related_to(factory, ids[5], "SPOUSE")
    m = factory.meeting(body.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    item2 = factory.item(m.id, title="第二个议题")
    chair = factory.seat_actor(m.id, ids[0], ids[0])
    member = lambda p: factory.seat_actor(m.id, p, ids[0])  # noqa: E731

    def op(p, stance="agree", reason=""):
        return (
            "give_opinion",
            {"client_id": cid(), "item_id": item.id, "round": 1, "stance": stance, "reason": reason},
            member(p),
        )

    steps = [
        ("roll_call", {"person_id": ids[0], "attendance": "present"}, STAFF, ["attendance.set"]),
        ("roll_call", {"person_id": ids[1], "attendance": "present"}, STAFF, ["attendance.set"]),
        ("check_in", {}, member(ids[2]), ["attendance.check_in"]),
        ("roll_call", {"person_id": ids[3], "attendance": "absent", "reason": "出差"}, STAFF, ["attendance.set"]),
        ("check_in", {}, member(ids[4]), ["attendance.check_in"]),
        ("roll_call", {"person_id": ids[5], "attendance": "present"}, STAFF, ["attendance.set"]),
        ("open_meeting", {}, STAFF, ["meeting.opened"]),
        ("open_item", {"item_id": item.id}, STAFF, ["recusal.added", "item.opened"]),
        ("call_opinions", {"item_id": item.id}, STAFF, ["item.opinions_called"]),
        (
            "written_opinion",
            {"item_id": item.id, "person_id": ids[3], "stance": "agree"},
            STAFF,
            ["written_opinion.recorded"],
        ),
        op(ids[1]),
        op(ids[1], "defer", "再想想"),
        op(ids[2]),
        op(ids[4], "disagree", "不同意"),
        (
            "give_opinion",
            {"client_id": cid(), "item_id": item.id, "round": 1, "stance": "agree"},
            chair,
            ["opinion.given"],
        ),
        ("set_notes", {"item_id": item.id, "notes": "备注"}, STAFF, ["item.notes_set"]),
        ("close_item", {"item_id": item.id}, STAFF, ["item.closed"]),
        ("open_item", {"item_id": item2.id}, STAFF, ["item.opened"]),
        ("add_recusal", {"item_id": item2.id, "person_id": ids[2], "reason": "利害关系"}, STAFF, ["recusal.added"]),
        ("remove_recusal", {"item_id": item2.id, "person_id": ids[2]}, STAFF, ["recusal.removed"]),
        ("defer_item", {"item_id": item2.id, "reason": "待补充材料"}, chair, ["item.deferred"]),
        (
            "reconsider",
            {"item_id": item.id, "agreeing_person_ids": ids[:4], "reason": "新情况"},
            STAFF,
            ["item.reconsidered"],
        ),
        ("defer_item", {"item_id": item.id, "reason": "复议后暂缓"}, STAFF, ["item.deferred"]),
        ("close_meeting", {}, STAFF, ["meeting.closed"]),
    ]
    steps = [s if len(s) == 4 else (*s, None) for s in steps]
    for name, payload, actor, kinds in steps:
        if kinds is None:  # an opinion: given, or corrected when the member spoke already
            prior = rows(app, Event, meeting_id=m.id)
            spoke = any(
                e.kind.startswith("opinion.") and json.loads(e.payload)["person_id"] == actor.person_id for e in prior
            )
            kinds = ["opinion.corrected" if spoke else "opinion.given"]
        mark = last_event_id(app)
        factory.act(name, m.id, payload, actor=actor)
        assert event_kinds(app, m.id, after=mark) == kinds, name
    evs = rows(app, Event, meeting_id=m.id)
    assert [e.id for e in evs] == sorted(e.id for e in evs)
    assert all(e.at is not None for e in evs)
    given = [e for e in evs if e.kind == "opinion.given"][0]
    assert (given.actor_kind, given.actor_id, given.device) == ("member", ids[1], "pytest")
    assert json.loads(given.payload)["stance"] == "agree"
    opened = [e for e in evs if e.kind == "meeting.opened"][0]
    assert (opened.actor_kind, opened.actor_name) == ("user", STAFF.name)


@pytest.fixture
def busy_room(factory):
    """N = 9, 8 present (ids[8] not in), a personnel item in opinions with ids[5] recused, a second item pending,
    one opinion given, an observer."""
    body, ids = factory.body(9)
    subj = subject_related_to(factory, ids[5], "LINEAL")
    m = factory.meeting(body.id)
    factory.present(m.id, ids[:8])
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    pending = factory.item(m.id, title="第二个议题")
    said = cid()
    opinion(factory, m, item, ids[1], "agree", "", chair=ids[0], client_id=said)
    obs = observer(factory, m.id)
    with factory.app.app_context(), read_only() as s:
        obs_actor = token_actor(s, factory.observer_token(m.id, obs.id))
    return {"ids": ids, "m": m, "item": item, "pending": pending, "obs": obs_actor, "said": said}


def _op(r, pid, **over):
    payload = {"client_id": cid(), "item_id": r["item"].id, "round": 1, "stance": "agree", "reason": ""} | over
    return payload


REFUSALS = [
    (
        "chair early",
        lambda f, r: ("give_opinion", _op(r, 0), f.seat_actor(r["m"].id, r["ids"][0], r["ids"][0])),
        "chair_not_last",
    ),
    ("recused", lambda f, r: ("give_opinion", _op(r, 5), f.seat_actor(r["m"].id, r["ids"][5], r["ids"][0])), "recused"),
    (
        "absent",
        lambda f, r: ("give_opinion", _op(r, 8), f.seat_actor(r["m"].id, r["ids"][8], r["ids"][0])),
        "absent_cannot_vote",
    ),
    ("observer", lambda f, r: ("give_opinion", _op(r, 0), r["obs"]), "observer_cannot_vote"),
    (
        "no reason",
        lambda f, r: ("give_opinion", _op(r, 2, stance="disagree"), f.seat_actor(r["m"].id, r["ids"][2], r["ids"][0])),
        "reason_required",
    ),
    (
        "malformed",
        lambda f, r: ("give_opinion", {"item_id": "x"}, f.seat_actor(r["m"].id, r["ids"][2])),
        "invalid_payload",
    ),
    ("two items", lambda f, r: ("open_item", {"item_id": r["pending"].id}, STAFF), "another_item_open"),
    (
        "not called",
        lambda f, r: ("give_opinion", _op(r, 2, item_id=r["pending"].id), f.seat_actor(r["m"].id, r["ids"][2])),
        "item_not_open",
    ),
    (
        "member opens item",
        lambda f, r: ("open_item", {"item_id": r["pending"].id}, f.seat_actor(r["m"].id, r["ids"][2])),
        "permission_denied",
    ),
    ("early close", lambda f, r: ("close_item", {"item_id": r["item"].id}, STAFF), "invalid_state"),
    ("close meeting", lambda f, r: ("close_meeting", {}, STAFF), "another_item_open"),
    (
        "written present",
        lambda f, r: ("written_opinion", {"item_id": r["item"].id, "person_id": r["ids"][3], "stance": "agree"}, STAFF),
        "present_member_written",
    ),
    (
        "remove auto recusal",
        lambda f, r: ("remove_recusal", {"item_id": r["item"].id, "person_id": r["ids"][5]}, STAFF),
        "invalid_state",
    ),
    (
        "recuse after speaking",
        lambda f, r: ("add_recusal", {"item_id": r["item"].id, "person_id": r["ids"][1], "reason": "迟报"}, STAFF),
        "invalid_state",
    ),
    ("reopen meeting", lambda f, r: ("open_meeting", {}, STAFF), "invalid_state"),
    (
        "reused client id",
        lambda f, r: ("give_opinion", _op(r, 2, client_id=r["said"]), f.seat_actor(r["m"].id, r["ids"][2])),
        "invalid_payload",
    ),
    ("unknown action", lambda f, r: ("drop_tables", {}, STAFF), "not_found"),
    ("unknown item", lambda f, r: ("open_item", {"item_id": 99999}, STAFF), "not_found"),
]


@pytest.mark.parametrize(("make", "code"), [x[1:] for x in REFUSALS], ids=[x[0] for x in REFUSALS])
def test_refusal_changes_nothing(app, factory, busy_room, make, code):
    name, payload, actor = make(factory, busy_room)
    before = world(app)
    with pytest.raises(YishiError) as info:
        factory.act(name, busy_room["m"].id, payload, actor=actor)
    assert info.value.code == code
    assert world(app) == before


# ---------------------------------------------------------------- closing the meeting


def test_close_meeting_refused_while_an_item_is_open(app, factory):
    _, ids, m, item = factory.running(5, 5, call=False)
    err = refused(AnotherItemOpen, factory.act, "close_meeting", m.id)
    assert item.title in err.message
    assert one(app, Meeting, m.id).status == "in_session"


def test_tokens_stop_working_when_meeting_closes(app, factory):
    _, ids, m, item = factory.running(5, 5)
    everyone(factory, m, item, ids, ids[0], {p: "agree" for p in ids})
    factory.act("close_item", m.id, {"item_id": item.id})
    obs = observer(factory, m.id)
    tokens = list(factory.tokens(m.id).values()) + [factory.observer_token(m.id, obs.id), factory.projector_token(m.id)]
    with app.app_context(), read_only() as s:
        for tok in tokens:
            assert token_actor(s, tok).meeting_id == m.id
    assert factory.act("close_meeting", m.id).ack == {"ok": True}
    assert one(app, Meeting, m.id).status == "closed"
    assert one(app, Meeting, m.id).closed_at is not None
    with app.app_context(), read_only() as s:
        for tok in tokens:
            with pytest.raises(InvalidToken):
                token_actor(s, tok)


def test_nothing_happens_after_the_meeting_closes(app, factory):
    body, ids = factory.body(5)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id)
    refused(ItemsNotConcluded, factory.act, "close_meeting", m.id)  # every item ends decided or deferred
    factory.act("defer_item", m.id, {"item_id": item.id, "reason": "时间不够，下次会议审议"})
    factory.act("close_meeting", m.id)
    refused(MeetingClosed, factory.act, "close_meeting", m.id)
    refused(MeetingClosed, factory.act, "open_item", m.id, {"item_id": item.id})
    refused(MeetingClosed, factory.act, "roll_call", m.id, {"person_id": ids[1], "attendance": "present"})
    refused(MeetingClosed, factory.act, "open_meeting", m.id)


def test_a_pending_item_can_be_deferred_before_it_is_opened(app, factory):
    body, ids = factory.body(9)
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, title="尚待调研的议题")
    ack = factory.act("defer_item", m.id, {"item_id": item.id, "reason": "情况尚不清楚，待进一步调研"}).ack
    assert ack["result"] == "deferred"
    with app.app_context(), unit_of_work() as s:
        assert [d.id for d in setup.deferred_items(s, body.id)] == [item.id]
    refused(InvalidState, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": "再次"})


# ---------------------------------------------------------------- a recused chair; the acting chair (四（二）2、5)


def chair_recused_item(factory, n=5, *, decision_mode="majority", call=True):
    """A personnel item whose subject is the chair's spouse: the chair (ids[0]) is recused from it."""
    body, ids = factory.body(n, decision_mode=decision_mode)
    subj = subject_related_to(factory, ids[0], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    if call:
        factory.act("call_opinions", m.id, {"item_id": item.id})
    return ids, m, item


@pytest.mark.parametrize("decision_mode", ["majority", "head_decides"])
def test_recused_chair_may_not_defer_the_item(app, factory, decision_mode):
    ids, m, item = chair_recused_item(factory, decision_mode=decision_mode)
    chair = factory.seat_actor(m.id, ids[0], ids[0])
    before = world(app)
    err = refused(Recused, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": "再议"}, actor=chair)
    assert "公务员法" in err.source
    assert world(app) == before


def test_recused_chair_may_not_decide_nor_get_the_tally(app, factory):
    ids, m, item = chair_recused_item(factory, decision_mode="head_decides")
    acting = ids[1]
    everyone(factory, m, item, ids[1:], acting, {p: "agree" for p in ids[1:]})
    chair = factory.seat_actor(m.id, ids[0], ids[0])
    before = world(app)
    with pytest.raises(Recused) as info:
        factory.act("head_decide", m.id, {"item_id": item.id, "adopt": True}, actor=chair)
    assert "tally" not in json.dumps(info.value.to_dict())
    assert world(app) == before
    assert one(app, AgendaItem, item.id).status == "voting"


def test_recused_chair_may_not_defer_a_pending_item_he_will_be_recused_from(app, factory):
    body, ids = factory.body(5)
    subj = subject_related_to(factory, ids[0], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    chair = factory.seat_actor(m.id, ids[0], ids[0])
    refused(Recused, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": "再议"}, actor=chair)
    assert one(app, AgendaItem, item.id).status == "pending"


def test_acting_chair_is_the_deputy_first_in_seniority_and_speaks_last(app, factory):
    ids, m, item = chair_recused_item(factory)
    acting, others = ids[1], ids[2:]
    err = refused(ChairNotLast, opinion, factory, m, item, acting, chair=ids[0])
    assert err.to_dict()["error"]["message"].count("3") == 1  # three others outstanding
    prog = state(app, m.id)["current"]["progress"]
    assert prog["chair_may_speak"] is False and prog["waiting"] == 3
    for p in others:
        opinion(factory, m, item, p, chair=ids[0])
    assert state(app, m.id)["current"]["progress"]["chair_may_speak"] is True
    with app.app_context(), read_only() as s:
        from meeting.state import progress

        assert progress(s, m.id)["chair_may_speak"] is True and progress(s, m.id)["waiting"] == 0
    ack = opinion(factory, m, item, acting, chair=ids[0])
    assert ack["opinion"]["is_chair"] is True
    # his statement closes the others' opinions, as the chair's would
    refused(ChairHasSpoken, opinion, factory, m, item, others[0], "disagree", "改变看法", chair=ids[0])
    rnd = rows(app, Round, item_id=item.id)[0]
    assert rnd.chair_spoke_at is not None


def test_result_waits_for_the_acting_chair(app, factory):
    ids, m, item = chair_recused_item(factory)
    for p in ids[2:]:
        opinion(factory, m, item, p, chair=ids[0])
    err = refused(InvalidState, factory.act, "close_item", m.id, {"item_id": item.id})
    assert "主持人" in err.message
    opinion(factory, m, item, ids[1], chair=ids[0])
    ack = factory.act("close_item", m.id, {"item_id": item.id}).ack
    assert ack["result"] == "passed"
    tally = json.loads(rows(app, Round, item_id=item.id)[0].tally_json)
    assert tally["presided_by"] == ids[1] and tally["chair_recused"] is True
    assert tally["chair_person_id"] == ids[0]
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "item.closed"][-1]
    assert json.loads(ev.payload)["presided_by"] == ids[1]


def test_acting_chair_decides_and_defers_from_his_tablet(app, factory):
    ids, m, item = chair_recused_item(factory, decision_mode="head_decides")
    acting = factory.seat_actor(m.id, ids[1], ids[0])
    assert acting.kind == "member"
    another = factory.seat_actor(m.id, ids[2], ids[0])
    refused(PermissionDenied, factory.act, "defer_item", m.id, {"item_id": item.id, "reason": "再议"}, actor=another)
    everyone(factory, m, item, ids[1:], ids[1], {p: "agree" for p in ids[1:]})
    refused(PermissionDenied, factory.act, "head_decide", m.id, {"item_id": item.id, "adopt": True}, actor=another)
    ack = factory.act("head_decide", m.id, {"item_id": item.id, "adopt": True}, actor=acting).ack
    assert ack["result"] == "head_adopted"
    tally = json.loads(rows(app, Round, item_id=item.id)[0].tally_json)
    assert tally["presided_by"] == ids[1]
    ev = [e for e in rows(app, Event, meeting_id=m.id) if e.kind == "item.head_decided"][-1]
    assert ev.actor_id == ids[1] and json.loads(ev.payload)["presided_by"] == ids[1]


def test_acting_chair_defers_on_his_tablet(app, factory):
    ids, m, item = chair_recused_item(factory)
    acting = factory.seat_actor(m.id, ids[1], ids[0])
    ack = factory.act("defer_item", m.id, {"item_id": item.id, "reason": "重大问题尚未查清"}, actor=acting).ack
    assert ack == {"ok": True, "result": "deferred"}
    assert json.loads(rows(app, Round, item_id=item.id)[0].tally_json)["presided_by"] == ids[1]


def test_acting_chair_skips_an_absent_deputy(app, factory):
    body, ids = factory.body(6)
    subj = subject_related_to(factory, ids[0], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, [ids[0]] + ids[2:])  # the first deputy is away
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    factory.act("open_item", m.id, {"item_id": item.id})
    factory.act("call_opinions", m.id, {"item_id": item.id})
    refused(ChairNotLast, opinion, factory, m, item, ids[2], chair=ids[0])
    for p in ids[3:]:
        opinion(factory, m, item, p, chair=ids[0])
    assert opinion(factory, m, item, ids[2], chair=ids[0])["opinion"]["is_chair"] is True


def test_presiding_rule_is_the_profile_setting(app, factory, monkeypatch):
    """A profile naming ``most_senior`` gives the same answer for a head chair; a delegated chair (seat 3)
    hands the item to the most senior (seat 1) under it, to the next after him (seat 4) by default."""
    from voting import profiles

    for rule, expected in (("most_senior", 0), ("next_in_seniority", 3)):
        profile = dataclasses.replace(load_profile(), presiding_rule=rule)
        monkeypatch.setattr("meeting.room.facts.load_profile", lambda name, p=profile: p)
        body, ids = factory.body(6)
        subj = subject_related_to(factory, ids[2], "SPOUSE")
        m = factory.meeting(body.id, chair=ids[2])
        factory.present(m.id, ids)
        factory.act("open_meeting", m.id)
        item = factory.item(m.id, category="personnel", subjects=[subj])
        factory.act("open_item", m.id, {"item_id": item.id})
        factory.act("call_opinions", m.id, {"item_id": item.id})
        acting = ids[expected]
        others = [p for p in ids if p not in (ids[2], acting)]
        refused(ChairNotLast, opinion, factory, m, item, acting, chair=ids[2])
        for p in others:
            opinion(factory, m, item, p, chair=ids[2])
        assert opinion(factory, m, item, acting, chair=ids[2])["opinion"]["is_chair"] is True
    assert profiles.load_profile().presiding_rule == "next_in_seniority"


def test_opening_an_item_tells_the_recused_at_once(app, factory):
    body, ids = factory.body(5)
    subj = subject_related_to(factory, ids[3], "SPOUSE")
    m = factory.meeting(body.id)
    factory.present(m.id, ids)
    factory.act("open_meeting", m.id)
    item = factory.item(m.id, category="personnel", subjects=[subj])
    out = factory.act("open_item", m.id, {"item_id": item.id})
    assert out.notify_people == [ids[3]]
