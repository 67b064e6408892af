"""Pure wording of the minutes (minutes/record.py): the recusal sentence, the 议定 tail, the opening, the marks."""

from datetime import date, datetime

import pytest

from minutes import record
from minutes.record import RecusalRow, Texts, decision_text, movements_text, recusal_sentence, studied_text
from voting.profiles import relation_types

TYPES = relation_types()


def _recusal(relation_type: str, reason: str, subject: str = "王磊") -> RecusalRow:
    t = TYPES.get(relation_type)
    return RecusalRow(
        1,
        "王志强",
        relation_type,
        t.label if t else "",
        subject,
        reason,
        t.source if t else "",
        "auto",
        t.kinship if t else (),
    )


LAW = "依照《中华人民共和国公务员法》第七十六条回避。"


@pytest.mark.parametrize(
    ("relation_type", "reason", "sentence"),
    [
        ("LINEAL", "父子", f"王志强同志因与王磊系父子关系（直系血亲），{LAW}"),
        ("LINEAL", "父子关系", f"王志强同志因与王磊系父子关系（直系血亲），{LAW}"),
        ("LINEAL", "直系血亲关系", f"王志强同志因与王磊系直系血亲关系，{LAW}"),  # no kinship word: the category
        ("LINEAL", "", f"王志强同志因与王磊系直系血亲关系，{LAW}"),
        ("SPOUSE", "夫妻关系", f"王志强同志因与王磊系夫妻关系，{LAW}"),  # never 夫妻关系（夫妻）
        ("SPOUSE", "夫妻", f"王志强同志因与王磊系夫妻关系，{LAW}"),
        ("COLLATERAL_3", "兄弟", f"王志强同志因与王磊系兄弟关系（三代以内旁系血亲），{LAW}"),
        ("COLLATERAL_3", "三代以内旁系血亲关系", f"王志强同志因与王磊系三代以内旁系血亲关系，{LAW}"),
        ("IN_LAW", "翁婿", f"王志强同志因与王磊系翁婿关系（近姻亲），{LAW}"),
        ("IN_LAW", "近姻亲关系", f"王志强同志因与王磊系近姻亲关系，{LAW}"),
        ("LINEAL", "夫妻", f"王志强同志因与王磊系直系血亲关系，{LAW}"),  # a word of another type is not taken
        ("SELF", "本人为该议题的任免对象", f"王志强同志系本议题的任免对象，{LAW}"),
        ("SELF", "本人持有该企业股份", f"王志强同志因本人持有该企业股份，{LAW}"),
        ("OTHER", "曾与任免对象共事。", f"王志强同志因曾与任免对象共事，{LAW}"),
        ("MANUAL", "", f"王志强同志因存在其他可能影响公正的情形，{LAW}"),
    ],
)
def test_recusal_sentence(relation_type, reason, sentence):
    text = recusal_sentence(_recusal(relation_type, reason))
    assert text == sentence
    assert "关系关系" not in text and "第七十四条" not in text


DL = date(2024, 6, 30)


@pytest.mark.parametrize(
    ("texts", "kw", "expected"),
    [
        (
            Texts(decided="原则同意方案", lead_unit="区住建局", deadline=DL),
            {},
            "原则同意方案。由区住建局牵头，2024年6月30日前完成。",
        ),
        (
            Texts(decided="原则同意方案，由区住建局牵头，2024年6月30日前完成", lead_unit="区住建局", deadline=DL),
            {},
            "原则同意方案，由区住建局牵头，2024年6月30日前完成。",
        ),  # typed already: nothing appended
        (
            Texts(
                decided="原则同意方案，由区住建局牵头", lead_unit="区住建局", supporting_units="区财政局", deadline=DL
            ),
            {},
            "原则同意方案，由区住建局牵头。2024年6月30日前完成。",
        ),  # the lead unit typed, the deadline not: only the deadline
        (
            Texts(decided="原则同意方案，6月底前完成", lead_unit="区住建局", deadline=DL),
            {},
            "原则同意方案，6月底前完成。由区住建局牵头。",
        ),
        (
            Texts(decided="同意王磊同志任职", lead_unit="区委组织部", deadline=DL),
            {"personnel": True},
            "同意王磊同志任职。",
        ),
        (Texts(decided="该事项暂缓决策", lead_unit="区城管局"), {"outcome": "deferred"}, "该事项暂缓决策。"),
        (Texts(decided="会议未通过该事项", lead_unit="区体育局"), {"outcome": "not_passed"}, "会议未通过该事项。"),
        (Texts(lead_unit="区住建局"), {}, "由区住建局牵头。"),
        (Texts(lead_unit="区住建局"), {"personnel": True}, ""),
        (Texts(), {}, ""),
    ],
)
def test_decision_text_appends_only_what_is_missing(texts, kw, expected):
    text = decision_text(texts, **kw)
    assert text == expected
    assert text.count("牵头") <= 1 and text.count("前完成") <= 1


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "有关事项"),
        (1, "关于A1等事项"),
        (5, "关于A1、关于A2、关于A3、关于A4、关于A5等事项"),
        (6, "关于A1等6项议题"),
        (12, "关于A1等12项议题"),
    ],
)
def test_studied_text_lists_up_to_five_then_counts(n, expected):
    assert studied_text([f"关于A{i + 1}" for i in range(n)]) == expected


def test_movements_a_member_who_left_and_returned():
    at = lambda hh, mm: datetime(2023, 12, 9, hh, mm)  # noqa: E731
    moves = [
        record.MovementRow(1, at(9, 20), "arrived"),
        record.MovementRow(1, at(10, 5), "left", "接待上级检查组"),
        record.MovementRow(1, at(10, 40), "returned"),
        record.MovementRow(1, at(11, 0), "left"),
    ]
    assert movements_text(moves) == "09:20到会；10:05因接待上级检查组离席，10:40返回；11:00离席"
