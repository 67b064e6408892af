"""A meeting built through the real room: a late member, an absentee's written opinion, a recusal, a head's
decision against the majority with reasons, a reconsidered item and a deferred one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from meeting.db import unit_of_work
from minutes import service

OUTPUT = Path(__file__).resolve().parent / "output"


@dataclass
class Built:
    meeting_id: int
    ids: list[int]
    items: dict[str, int]
    subject: int


def _all_speak(factory, m, item, speakers, chair, round_=1, dissent=()):
    for pid in speakers:
        if pid == chair:
            continue
        if pid in dissent:
            factory.say(m, item, pid, "disagree", f"成员{pid}认为资金来源尚不明确", round_=round_)
        else:
            factory.say(m, item, pid, "agree", "", round_=round_)
    factory.say(m, item, chair, "agree", "同意，按程序推进", chair=chair, round_=round_)


@pytest.fixture
def built(factory) -> Built:
    body, ids = factory.body(7, decision_mode="head_decides")
    chair = ids[0]
    subject = factory.person("张三", title="拟任局长")
    factory.relation(ids[2], subject.id, "SPOUSE")
    m = factory.meeting(body.id, session_number=12).id
    factory.present(m, ids[:5])  # ids[5] arrives late, ids[6] is on leave
    factory.act("roll_call", m, {"person_id": ids[6], "attendance": "absent", "reason": "在省里参加培训"})
    with factory.app.app_context(), unit_of_work() as s:  # observers through the setup service
        from meeting import setup
        from meeting.schemas import ObserverIn
        from tests.factories import STAFF

        setup.add_observer(s, STAFF, m, ObserverIn(name="李律师", unit="区司法局", role="法律顾问"))
    a = factory.item(
        m,
        title="关于城南片区老旧小区改造方案的议题",
        category="major_decision",
        presenter="王局长",
        submitting_unit="区住房和城乡建设局",
    ).id
    b = factory.item(
        m, title="关于张三同志任职的议题", category="personnel", subjects=[subject.id], submitting_unit="区委组织部"
    ).id
    c = factory.item(
        m, title="关于区体育中心改扩建项目的议题", category="major_project", submitting_unit="区发展和改革局"
    ).id
    factory.act("open_meeting", m)
    factory.act("roll_call", m, {"person_id": ids[5], "attendance": "present"})  # → late
    present = ids[:6]

    # item A: head adopts with the majority; then reconsidered and adopted again in round 2
    factory.act("open_item", m, {"item_id": a})
    factory.act("written_opinion", m, {"item_id": a, "person_id": ids[6], "stance": "agree", "reason": "书面同意"})
    factory.act("call_opinions", m, {"item_id": a})
    _all_speak(factory, m, a, present, chair, dissent=(ids[1],))
    factory.act("head_decide", m, {"item_id": a, "adopt": True})
    factory.act("reconsider", m, {"item_id": a, "agreeing_person_ids": ids[:4], "reason": "补充了资金测算"})
    factory.act("call_opinions", m, {"item_id": a})
    _all_speak(factory, m, a, present, chair, round_=2)
    factory.act("head_decide", m, {"item_id": a, "adopt": True})

    # item B (personnel): ids[2] recused; most disagree, the head adopts against the majority, with reasons
    factory.act("open_item", m, {"item_id": b})
    factory.act("call_opinions", m, {"item_id": b})
    eligible = [p for p in present if p != ids[2]]
    for pid in eligible[1:]:
        factory.say(m, b, pid, "disagree", "任职经历尚需补充")
    factory.say(m, b, chair, "agree", "该同志符合任职条件", chair=chair)
    factory.act("head_decide", m, {"item_id": b, "adopt": True, "reason": "经考察该同志符合任职资格条件，工作急需"})

    # item C: deferred before it is opened
    factory.act("defer_item", m, {"item_id": c, "reason": "用地手续尚未完备"})
    factory.act("close_meeting", m)
    return Built(m, ids, {"a": a, "b": b, "c": c}, subject.id)


@pytest.fixture
def texts(factory, built):
    """The secretary's texts for item A, through the service."""
    from tests.factories import STAFF

    with factory.app.app_context(), unit_of_work() as s:
        service.edit_texts(
            s,
            STAFF,
            built.meeting_id,
            built.items["a"],
            service.MinutesItemIn(
                discussion="与会人员进行了讨论。",
                considered="老旧小区改造是重要民生工程",
                decided="原则同意城南片区老旧小区改造方案",
                lead_unit="区住房和城乡建设局",
                supporting_units="区财政局、城南街道办事处",
                deadline="2024-06-30",
            ),
        )
    return built
