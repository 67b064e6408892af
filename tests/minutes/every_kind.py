"""A meeting with every kind of item, built through the real services (setup, the room's actions, the minutes'
services), on a clock that moves as a meeting does — for the tests of what the 会议纪要 and 会议记录 say.

``build_every_kind(factory)`` → :class:`EveryKind`. The 洮北区人民政府 第12次常务会议 of 2023年12月9日, nine members
(N = 9, majority mode: an item passes with 5 yes):

- 区长张建国 is away (在省里参加会议) and delegates the chair to 常务副区长李明 (``delegated``);
- 杨秀英 is on leave (在外学习) and gives written opinions (书面意见, not counted);
- 吴国平 arrives late (09:07); 刘海军 leaves at 10:05 (接待上级检查组) and returns at 10:40;
- the meeting opens at 09:02 and closes at 11:30.

Items, in agenda order (``items`` maps the key to the item id):

1. ``passed``     关于城南片区老旧小区改造方案的议题 (major decision): 6 agree, 陈晓东 disagrees (dissent); the
   secretary's texts name the lead unit in the text *and* in the lead-unit field (the sentence must not double).
2. ``personnel``  关于王磊同志任职的议题 (personnel): 王志强 is 王磊's father (LINEAL, 父子) and recuses; passes.
3. ``not_passed`` 关于区体育中心改扩建项目的议题 (major project): 刘海军 is out; 2 agree, 4 disagree.
4. ``deferred``   关于制定《城区停车管理办法》的议题 (major decision): two 缓议, the chair defers it (理由: 尚需进一步
   征求意见).
5. ``confidential`` 关于某安置小区征收补偿方案的议题 (confidential): passes, 刘海军 back.
6. ``funds``      关于2024年区级财政预算调整的议题 (large funds): passes (six items: the opening counts them).

No 议定 text is typed for items 2–6 (the default sentences apply); tests type the texts they need through
``minutes.service.edit_texts``. The minutes stay a draft.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

import meeting.clock as clock_module
from meeting import setup
from meeting.db import unit_of_work
from meeting.schemas import ItemIn, ObserverIn, PersonIn, StepIn
from minutes import service
from tests.factories import STAFF

MEMBERS = [
    ("张建国", "区长"),
    ("李明", "常务副区长"),
    ("王志强", "副区长"),
    ("赵丽华", "副区长"),
    ("刘海军", "副区长"),
    ("陈晓东", "副区长"),
    ("杨秀英", "副区长"),
    ("周文斌", "区政府党组成员"),
    ("吴国平", "区政府办公室主任"),
]
BODY = "洮北区人民政府"
PASSED_TEXT = "原则同意城南片区老旧小区改造方案，由区住房和城乡建设局牵头，2024年6月30日前完成"


@dataclass
class EveryKind:
    meeting_id: int
    people: dict[str, int]  # name → person id
    items: dict[str, int]  # passed | personnel | not_passed | deferred | confidential | funds → item id
    subject: int  # 王磊
    times: dict[str, datetime] = field(default_factory=dict)  # local wall-clock times of the steps (see above)


class _Clock:
    """``meeting.clock.utcnow`` reads ``datetime.now`` of its module at each call: this replaces it with a clock
    set by the builder (a local wall-clock time of 2023年12月9日, Asia/Shanghai), so every stored moment — events,
    arrivals, rounds — is the meeting's own time."""

    def __init__(self) -> None:
        self.now = datetime(2023, 12, 9, 0, 50, tzinfo=UTC)  # 08:50 local
        real = datetime
        outer = self

        class _Frozen(real):
            @classmethod
            def now(cls, tz=None):
                return outer.now if tz is not None else outer.now.replace(tzinfo=None)

        self.cls = _Frozen

    def at(self, hh: int, mm: int) -> datetime:
        """Move to hh:mm local (UTC+8) on the meeting's day; returns the local time as a naive datetime."""
        self.now = datetime(2023, 12, 9, hh - 8, mm, tzinfo=UTC)
        return datetime(2023, 12, 9, hh, mm)


@contextlib.contextmanager
def meeting_clock():
    clk = _Clock()
    saved = clock_module.datetime
    clock_module.datetime = clk.cls
    try:
        yield clk
    finally:
        clock_module.datetime = saved


def _item(factory, meeting_id: int, data: ItemIn) -> int:
    with factory.app.app_context(), unit_of_work() as s:
        item = setup.add_item(s, STAFF, meeting_id, data)
        for step in ("legality_review", "risk_assessment", "expert_review", "public_participation"):
            setup.set_step(s, STAFF, item.id, StepIn(step=step, state="done"))
        return item.id


def build_every_kind(factory) -> EveryKind:
    """The meeting described in the module's docstring, through the real services; the minutes a draft."""
    with meeting_clock() as clk:
        times: dict[str, datetime] = {}
        with factory.app.app_context(), unit_of_work() as s:
            from meeting.schemas import BodyIn, MembersIn

            body = setup.create_body(s, STAFF, BodyIn(name=BODY, kind="government", decision_mode="majority"))
            ids = [setup.create_person(s, STAFF, PersonIn(name=n, title=t, unit=BODY)).id for n, t in MEMBERS]
            setup.set_members(s, STAFF, body.id, MembersIn(person_ids=ids))
            subject = setup.create_person(s, STAFF, PersonIn(name="王磊", title="区发展和改革局副局长")).id
        people = {n: pid for (n, _t), pid in zip(MEMBERS, ids, strict=True)}
        factory.relation(people["王志强"], subject, "LINEAL", "父子")
        m = factory.meeting(body.id, session_number=12, chair=people["李明"]).id
        with factory.app.app_context(), unit_of_work() as s:
            setup.add_observer(s, STAFF, m, ObserverIn(name="孙立新", unit="区人大常委会", role="人大代表"))
        items = {
            "passed": _item(
                factory,
                m,
                ItemIn(
                    title="关于城南片区老旧小区改造方案的议题",
                    category="major_decision",
                    presenter="刘海军",
                    submitting_unit="区住房和城乡建设局",
                ),
            ),
            "personnel": _item(
                factory,
                m,
                ItemIn(
                    title="关于王磊同志任职的议题",
                    category="personnel",
                    presenter="区委组织部",
                    submitting_unit="区委组织部",
                    subjects=[{"person_id": subject, "action": "拟任区发展和改革局局长"}],
                ),
            ),
            "not_passed": _item(
                factory,
                m,
                ItemIn(title="关于区体育中心改扩建项目的议题", category="major_project", submitting_unit="区体育局"),
            ),
            "deferred": _item(
                factory,
                m,
                ItemIn(
                    title="关于制定《城区停车管理办法》的议题", category="major_decision", submitting_unit="区城管局"
                ),
            ),
            "confidential": _item(
                factory,
                m,
                ItemIn(
                    title="关于某安置小区征收补偿方案的议题",
                    category="other",
                    confidential=True,
                    submitting_unit="区征收办",
                ),
            ),
            "funds": _item(
                factory,
                m,
                ItemIn(
                    title="关于2024年区级财政预算调整的议题",
                    category="large_funds",
                    submitting_unit="区财政局",
                    amount_yuan=12_000_000,
                ),
            ),
        }
        chair = people["李明"]
        present = [people[n] for n in ("李明", "王志强", "赵丽华", "刘海军", "陈晓东", "周文斌")]
        clk.at(8, 55)
        factory.present(m, present)
        factory.act("roll_call", m, {"person_id": people["张建国"], "attendance": "absent", "reason": "在省里参加会议"})
        factory.act("roll_call", m, {"person_id": people["杨秀英"], "attendance": "absent", "reason": "在外学习"})
        times["opened"] = clk.at(9, 2)
        factory.act("open_meeting", m)
        times["arrived"] = clk.at(9, 7)
        factory.act("roll_call", m, {"person_id": people["吴国平"], "attendance": "present"})  # → late
        present.append(people["吴国平"])

        def speak(item: str, stances: dict[str, str], reasons: dict[str, str] | None = None) -> None:
            reasons = reasons or {}
            for name, stance in stances.items():
                pid = people[name]
                if pid != chair:
                    factory.say(m, items[item], pid, stance, reasons.get(name, ""))
            factory.say(m, items[item], chair, stances["李明"], reasons.get("李明", ""), chair=chair)

        def everyone(stance: str, dissent: dict[str, str] | None = None, absent=()) -> dict[str, str]:
            out = {n: stance for n, _ in MEMBERS if people[n] in present and n not in absent}
            return out | (dissent or {})

        # 1. passed, with a dissent
        times["passed_start"] = clk.at(9, 10)
        factory.act("open_item", m, {"item_id": items["passed"]})
        factory.act(
            "written_opinion",
            m,
            {"item_id": items["passed"], "person_id": people["杨秀英"], "stance": "agree", "reason": "书面同意"},
        )
        factory.act("call_opinions", m, {"item_id": items["passed"]})
        speak("passed", everyone("agree", {"陈晓东": "disagree"}), {"陈晓东": "资金来源尚不明确"})
        times["passed_end"] = clk.at(9, 35)
        factory.act("close_item", m, {"item_id": items["passed"]})

        # 2. personnel: 王志强 recuses (父子)
        times["personnel_start"] = clk.at(9, 40)
        factory.act("open_item", m, {"item_id": items["personnel"]})
        factory.act("call_opinions", m, {"item_id": items["personnel"]})
        speak("personnel", everyone("agree", absent=("王志强",)))
        times["personnel_end"] = clk.at(9, 55)
        factory.act("close_item", m, {"item_id": items["personnel"]})

        # 刘海军 leaves
        times["left"] = clk.at(10, 5)
        factory.act("roll_call", m, {"person_id": people["刘海军"], "attendance": "left", "reason": "接待上级检查组"})
        present.remove(people["刘海军"])

        # 3. not passed: 2 agree, 4 disagree
        times["not_passed_start"] = clk.at(10, 8)
        factory.act("open_item", m, {"item_id": items["not_passed"]})
        factory.act(
            "written_opinion",
            m,
            {"item_id": items["not_passed"], "person_id": people["杨秀英"], "stance": "disagree", "reason": "投资过大"},
        )
        factory.act("call_opinions", m, {"item_id": items["not_passed"]})
        against = {"赵丽华": "disagree", "陈晓东": "disagree", "周文斌": "disagree", "李明": "disagree"}
        speak(
            "not_passed",
            everyone("agree", against),
            {"赵丽华": "财力难以承受", "陈晓东": "选址有争议", "周文斌": "论证不充分", "李明": "建议缩小规模后再议"},
        )
        times["not_passed_end"] = clk.at(10, 25)
        factory.act("close_item", m, {"item_id": items["not_passed"]})

        # 4. deferred by the chair after two 缓议
        times["deferred_start"] = clk.at(10, 28)
        factory.act("open_item", m, {"item_id": items["deferred"]})
        factory.act("call_opinions", m, {"item_id": items["deferred"]})
        factory.say(m, items["deferred"], people["赵丽华"], "defer", "尚需听取商户意见")
        factory.say(m, items["deferred"], people["陈晓东"], "defer", "听证程序尚未完成")
        factory.say(m, items["deferred"], people["周文斌"], "agree", "")
        times["deferred_end"] = clk.at(10, 36)
        factory.act("defer_item", m, {"item_id": items["deferred"], "reason": "尚需进一步征求意见"})

        # 刘海军 returns
        times["returned"] = clk.at(10, 40)
        factory.act("roll_call", m, {"person_id": people["刘海军"], "attendance": "present"})
        present.append(people["刘海军"])

        # 5. confidential, 6. large funds: both pass
        for key, (start, end) in {"confidential": ((10, 42), (10, 58)), "funds": ((11, 0), (11, 25))}.items():
            times[f"{key}_start"] = clk.at(*start)
            factory.act("open_item", m, {"item_id": items[key]})
            factory.act("call_opinions", m, {"item_id": items[key]})
            speak(key, everyone("agree"))
            times[f"{key}_end"] = clk.at(*end)
            factory.act("close_item", m, {"item_id": items[key]})

        times["closed"] = clk.at(11, 30)
        factory.act("close_meeting", m)
        with factory.app.app_context(), unit_of_work() as s:
            service.edit_texts(
                s,
                STAFF,
                m,
                items["passed"],
                service.MinutesItemIn(
                    discussion="与会人员进行了讨论。",
                    considered="老旧小区改造是重要民生工程",
                    decided=PASSED_TEXT,
                    lead_unit="区住房和城乡建设局",
                    supporting_units="区财政局",
                    deadline="2024-06-30",
                ),
            )
    return EveryKind(m, people, items, subject, times)


__all__ = ["PASSED_TEXT", "EveryKind", "build_every_kind", "meeting_clock"]
