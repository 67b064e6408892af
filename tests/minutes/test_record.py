"""The structured minutes, built from the record of the room."""

from meeting.db import read_only
from minutes import record, service


def _m(factory, meeting_id):
    with factory.app.app_context(), read_only() as s:
        return service.structured(s, meeting_id)


def test_attendance_late_absent_and_observers(factory, built):
    m = _m(factory, built.meeting_id)
    assert m.title == "某某区人民政府第12次常务会议" and m.date == "2023年12月9日" and m.issue_number == 12
    assert [a.name for a in m.present] == ["成员01", "成员02", "成员03", "成员04", "成员05", "成员06"]
    assert [(a.name, a.note) for a in m.absent] == [("成员07", "在省里参加培训")]
    assert [a.name for a in m.late] == ["成员06"] and m.late[0].note.endswith("到会")
    assert m.observers == [{"name": "李律师", "unit": "区司法局", "role": "法律顾问"}]
    assert m.opening.startswith("2023年12月9日，区长成员01主持召开某某区政府第12次常务会议，研究了")
    assert m.opening.endswith("。现纪要如下：") and m.open_items == []


def test_opinions_in_order_chair_last_written_and_reconsideration(factory, built):
    m = _m(factory, built.meeting_id)
    a = m.items[0]
    assert a.heading == "一、关于城南片区老旧小区改造方案" and len(a.rounds) == 2
    r1, r2 = a.rounds
    assert [o.name for o in r1.opinions] == ["成员02", "成员03", "成员04", "成员05", "成员06", "成员01"]
    assert r1.opinions[-1].is_chair and r1.opinions[0].dissent and r1.opinions[0].stance_label == "不同意"
    assert [(w.name, w.stance_label) for w in r1.written] == [("成员07", "同意")]
    assert r1.threshold and r1.threshold_source  # the rule applied and its source, from the tally
    assert r1.reconsider_reason == "补充了资金测算" and r1.reconsider_agreeing == [
        "成员01",
        "成员02",
        "成员03",
        "成员04",
    ]
    assert r2.result == "head_adopted" and a.result_label == "主持人决定：通过"


def test_recusal_and_head_decision_against_the_majority(factory, built):
    b = _m(factory, built.meeting_id).items[1]
    assert b.personnel and [r["name"] for r in b.recusals] == ["成员03"]
    assert "张三" in b.recusals[0]["text"] and "回避" in b.recusals[0]["text"]
    rnd = b.rounds[0]
    assert rnd.against_majority and "经考察该同志符合任职资格条件" in rnd.head_decision
    assert "成员03" not in [o.name for o in rnd.opinions]


def test_deferred_item_and_decision_text(factory, texts):
    m = _m(factory, texts.meeting_id)
    c = m.items[2]
    assert c.result == "deferred" and c.rounds[0].defer_reason == "用地手续尚未完备" and c.decided
    assert m.items[0].decision_text == (
        "原则同意城南片区老旧小区改造方案。由区住房和城乡建设局牵头、"
        "区财政局、城南街道办事处配合，2024年6月30日前完成。"
    )


def test_cn_numbers():
    assert [record.cn_number(n) for n in (1, 9, 10, 11, 20, 40)] == ["一", "九", "十", "十一", "二十", "四十"]


def _chair_recused_meeting(factory, *, decide="close"):
    """The chair (成员01) is the subject's spouse: 成员02, the deputy first in seniority, presides over the item."""
    import uuid

    body, ids = factory.body(5)
    subj = factory.person("李四", title="拟任局长")
    factory.relation(ids[0], subj.id, "SPOUSE")
    m = factory.meeting(body.id, session_number=7).id
    factory.present(m, ids)
    factory.act("open_meeting", m)
    item = factory.item(m, title="关于李四同志任职的议题", category="personnel", subjects=[subj.id]).id
    factory.act("open_item", m, {"item_id": item})
    factory.act("call_opinions", m, {"item_id": item})
    for pid in ids[2:] + [ids[1]]:
        factory.act(
            "give_opinion",
            m,
            {"client_id": uuid.uuid4().hex, "item_id": item, "round": 1, "stance": "agree", "reason": ""},
            actor=factory.seat_actor(m, pid, ids[0]),
        )
    factory.act("close_item", m, {"item_id": item})
    factory.act("close_meeting", m)
    return m, ids


def test_the_minutes_say_who_presided_over_an_item_the_chair_left(factory):
    mid, ids = _chair_recused_meeting(factory)
    m = _m(factory, mid)
    it = m.items[0]
    assert it.presiding == "成员01同志回避，本议题由成员02同志主持"
    assert it.rounds[0].presiding == it.presiding
    assert it.rounds[0].opinions[-1].name == "成员02" and it.rounds[0].opinions[-1].is_chair
    import io

    import docx

    from minutes import docx as render
    from minutes import summary

    record_text = "\n".join(p.text for p in docx.Document(io.BytesIO(render.render(m, "record"))).paragraphs)
    assert "成员01同志回避，本议题由成员02同志主持。" in record_text
    paras = [p.text for p in summary.paragraphs(m)]
    assert "成员01同志回避，本议题由成员02同志主持。" in paras
    assert all("成员01同志回避" not in p.text for p in summary.paragraphs(m, public=True))


def test_an_item_the_chair_presided_over_says_nothing_more(factory, built):
    m = _m(factory, built.meeting_id)
    assert [it.presiding for it in m.items] == ["", "", ""]


def test_presiding_text_reads_the_record():
    names = {1: "王志强", 2: "李明"}
    assert record.presiding_text({"chair_recused": True, "chair_person_id": 1, "presided_by": 2}, names) == (
        "王志强同志回避，本议题由李明同志主持"
    )
    assert record.presiding_text({"chair_recused": False, "chair_person_id": 1, "presided_by": 1}, names) == ""
    assert record.presiding_text({}, names) == ""  # a round closed before the rule: nothing to say
    assert record.presiding_text({"chair_recused": True, "chair_person_id": 1, "presided_by": None}, names) == (
        "王志强同志回避，本议题无其他成员可以主持"
    )


def test_withhold_leaves_the_result_and_drops_who_said_what(factory, built):
    m = _m(factory, built.meeting_id)
    b = built.items["b"]
    w = record.withhold(m, {b})
    item = next(it for it in w.items if it.id == b)
    assert item.withheld and item.result_label == "主持人决定：通过" and item.recusals
    assert all(
        not r.opinions and not r.written and not r.tally and not r.tally_text and not r.head_decision
        for r in item.rounds
    )
    assert next(it for it in m.items if it.id == b).rounds[0].opinions  # the original is untouched
    assert [it.withheld for it in w.items] == [False, True, False]
    assert record.withhold(m, set()) is m
