"""The 议定 text against the vote (voting/decided_text.py): a table of boundary cases per result."""

import pytest

from voting.decided_text import MESSAGES, Contradiction, contradiction, first_clause, outcome

C = Contradiction


@pytest.mark.parametrize(
    ("result", "text", "expected"),
    [
        # passed (and adopted by the head): the text may not read as deferred or refused
        ("passed", "暂缓决策", C.PASSED_READS_DEFERRED),
        ("passed", "会议议定：该事项暂缓决策。", C.PASSED_READS_DEFERRED),
        ("passed", "不同意该方案", C.PASSED_READS_REJECTED),
        ("passed", "该方案未通过", C.PASSED_READS_REJECTED),
        ("passed", "会议决定不予通过", C.PASSED_READS_REJECTED),
        ("head_adopted", "缓议", C.PASSED_READS_DEFERRED),
        ("passed", "原则同意城南片区老旧小区改造方案，由区住建局牵头", None),
        ("passed", "原则同意方案，其中二期工程暂缓实施", None),  # a part deferred after the decision: fine
        ("passed", "同意。对会上的不同意见，由区发改局会同有关部门研究吸收", None),
        ("passed", "经研究，同意该方案", None),
        # deferred: must say so, and not read as agreement
        ("deferred", "原则同意城南片区老旧小区改造方案，由区住建局牵头", C.DEFERRED_READS_AGREED),
        ("deferred", "同意", C.DEFERRED_READS_AGREED),
        ("deferred", "请区城管局进一步征求意见", C.DEFERRED_NOT_STATED),
        ("deferred", "该事项暂缓决策，由区城管局补充听证材料后再提交会议研究", None),
        ("deferred", "会议同意暂缓决策", None),  # agreeing to defer is deferring
        ("deferred", "待进一步调查研究后再议", None),
        # not passed (and rejected by the head): must say so, and not read as agreement
        ("not_passed", "同意", C.NOT_PASSED_READS_AGREED),
        ("head_rejected", "原则同意区体育中心改扩建项目", C.NOT_PASSED_READS_AGREED),
        ("not_passed", "请区体育局优化方案", C.NOT_PASSED_NOT_STATED),
        ("not_passed", "会议未通过该事项", None),
        ("not_passed", "不同意该项目，请区体育局缩小规模后重新论证", None),
        ("not_passed", "该方案退回提请单位修改", None),
        # empty text or an undecided item: nothing to contradict
        ("passed", "", None),
        ("deferred", "   ", None),
        ("not_passed", "", None),
        (None, "暂缓", None),
    ],
)
def test_contradiction_table(result, text, expected):
    assert contradiction(result, text) == expected


def test_each_contradiction_has_a_plain_message():
    assert set(MESSAGES) == set(Contradiction)
    for msg in MESSAGES.values():
        assert msg.startswith("该议题") and "seed" not in msg


@pytest.mark.parametrize(
    ("result", "kind"),
    [
        ("passed", "passed"),
        ("head_adopted", "passed"),
        ("not_passed", "not_passed"),
        ("head_rejected", "not_passed"),
        ("deferred", "deferred"),
        (None, None),
        ("unknown", None),
    ],
)
def test_outcome(result, kind):
    assert outcome(result) == kind


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("会议议定：原则同意方案，由区住建局牵头", "原则同意方案"),
        ("经研究，同意该方案。", "同意该方案"),
        ("暂缓；待补充材料", "暂缓"),
        ("同意", "同意"),
    ],
)
def test_first_clause(text, clause):
    assert first_clause(text) == clause
