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
    assert r1.reconsider_reason == "补充了资金测算" and r1.reconsider_agreeing == ["成员01", "成员02", "成员03", "成员04"]
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
    assert m.items[0].decision_text == ("原则同意城南片区老旧小区改造方案。由区住房和城乡建设局牵头、"
                                        "区财政局、城南街道办事处配合，2024年6月30日前完成。")


def test_cn_numbers():
    assert [record.cn_number(n) for n in (1, 9, 10, 11, 20, 40)] == ["一", "九", "十", "十一", "二十", "四十"]
