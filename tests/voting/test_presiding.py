"""Who presides over an item the chair is recused from (voting/presiding.py; profile section ``[presiding]``)."""

import pytest

from voting.presiding import PresidingRule, presiding_person
from voting.profiles import load_profile

NEXT, SENIOR = PresidingRule.NEXT_IN_SENIORITY, PresidingRule.MOST_SENIOR
ORDER = [1, 2, 3, 4, 5]  # seat seniority, most senior first


@pytest.mark.parametrize(
    ("chair", "order", "present", "recused", "rule", "expected"),
    [
        pytest.param(1, ORDER, ORDER, [], NEXT, 1, id="chair-not-recused-presides"),
        pytest.param(1, ORDER, ORDER, [3], NEXT, 1, id="another-recused-chair-presides"),
        pytest.param(1, ORDER, [2, 3, 4, 5], [], NEXT, 1, id="chair-absent-but-not-recused-still-chair"),
        pytest.param(1, ORDER, ORDER, [1], NEXT, 2, id="deputy-first-in-seniority"),
        pytest.param(1, ORDER, [1, 3, 4, 5], [1], NEXT, 3, id="deputy-absent-next-present"),
        pytest.param(1, ORDER, ORDER, [1, 2], NEXT, 3, id="deputy-also-recused-next"),
        pytest.param(1, ORDER, [1, 5], [1], NEXT, 5, id="last-in-seniority-only-one-left"),
        pytest.param(1, ORDER, [1], [1], NEXT, None, id="nobody-present-but-chair"),
        pytest.param(1, ORDER, ORDER, ORDER, NEXT, None, id="everyone-recused"),
        pytest.param(3, ORDER, ORDER, [3], NEXT, 4, id="delegated-chair-next-after-him"),
        pytest.param(3, ORDER, [1, 2, 3], [3], NEXT, 1, id="delegated-chair-none-after-wraps-to-most-senior"),
        pytest.param(5, ORDER, ORDER, [5], NEXT, 1, id="chair-last-seat-wraps"),
        pytest.param(3, ORDER, ORDER, [3], SENIOR, 1, id="most-senior-rule"),
        pytest.param(3, ORDER, [2, 3, 4], [3, 2], SENIOR, 4, id="most-senior-rule-skips-absent-and-recused"),
        pytest.param(9, ORDER, ORDER, [9], NEXT, 1, id="chair-without-seat-most-senior"),
        pytest.param(1, [1, 2, 2, 3], [1, 2, 3], [1], NEXT, 2, id="duplicate-in-order-ignored"),
        pytest.param(1, ORDER, ORDER, [1], "next_in_seniority", 2, id="rule-as-profile-string"),
    ],
)
def test_presiding_person(chair, order, present, recused, rule, expected):
    assert (
        presiding_person(chair_id=chair, seniority_order=order, present=present, recused=recused, rule=rule) == expected
    )


def test_unknown_rule_raises():
    with pytest.raises(ValueError):
        presiding_person(chair_id=1, seniority_order=ORDER, present=ORDER, recused=[1], rule="by_lot")


def test_default_profile_deputy_first_with_source():
    p = load_profile()
    assert p.presiding_rule == NEXT
    assert "第七十六条" in p.presiding_source and "seed" not in p.presiding_source
    assert p.recused_reads_item is False
    assert "四（二）5" in p.recused_reads_source and "seed" not in p.recused_reads_source
