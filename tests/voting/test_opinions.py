"""Who may speak, the tally and the result — seed 003 §四(二)2–3, 713号 第30条, domain.md."""

import dataclasses

import pytest

from voting import opinions
from voting.fractions import Fraction
from voting.opinions import (
    Tally,
    can_still_pass,
    decision_base,
    head_against_majority,
    head_decision_result,
    majority_result,
    may_reconsider,
    reason_required,
    tally,
    tally_of_counts,
    waiting_count,
)
from voting.profiles import load_profile
from voting.vocabulary import ItemResult, Stance

PROFILE = load_profile()
COUNTING_PROFILE = dataclasses.replace(PROFILE, count_written_opinions=True)

# domain.md worked numbers: N -> yes votes to pass (2·yes > N)
YES_TO_PASS = {7: 4, 8: 5, 9: 5, 11: 6, 15: 8}

A, D, F = Stance.AGREE, Stance.DISAGREE, Stance.DEFER


def room(agree=0, disagree=0, defer=0):
    return [A] * agree + [D] * disagree + [F] * defer


# --- reason_required ---


@pytest.mark.parametrize(
    ("stance", "expected"),
    [
        pytest.param(Stance.AGREE, False, id="agree-optional"),
        pytest.param(Stance.DISAGREE, True, id="disagree-required"),
        pytest.param(Stance.DEFER, True, id="defer-required"),
        pytest.param("agree", False, id="agree-string-optional"),
        pytest.param("disagree", True, id="disagree-string-required"),
        pytest.param("defer", True, id="defer-string-required"),
    ],
)
def test_reason_required(stance, expected):
    assert reason_required(stance) is expected


def test_reason_required_unknown_stance_raises():
    with pytest.raises(ValueError):
        reason_required("abstain")


CHAIR = 1
ELIGIBLE = {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("eligible", "spoken"),
    [
        pytest.param(ELIGIBLE, set(), id="nobody-spoken"),
        pytest.param(ELIGIBLE, {3}, id="one-spoken"),
        pytest.param(ELIGIBLE, {2, 3, 4}, id="all-but-chair-spoken"),
        pytest.param(ELIGIBLE, {1, 2, 3, 4}, id="all-spoken"),
        pytest.param({1, 2, 3}, {2}, id="recused-not-waited-for"),
        pytest.param({2, 3, 4}, {2}, id="chair-not-eligible"),
        pytest.param({2, 3, 4}, set(), id="chair-not-eligible-nobody-spoken"),
        pytest.param({1}, set(), id="chair-alone"),
        pytest.param({1}, {1}, id="chair-alone-spoken"),
        pytest.param(set(), set(), id="nobody-eligible"),
    ],
)
def test_waiting_count_is_the_size_of_the_set_waited_for(eligible, spoken):
    """The counts a database aggregate gives (eligible, spoken among them, the chair's two flags) name the same
    number as the sets: the eligible members but the chair who have not spoken."""
    spoken_eligible = spoken & eligible
    assert waiting_count(
        eligible=len(eligible),
        spoken=len(spoken_eligible),
        chair_eligible=CHAIR in eligible,
        chair_spoken=CHAIR in spoken_eligible,
    ) == len(eligible - spoken - {CHAIR})


@pytest.mark.parametrize(
    ("eligible", "spoken", "chair_eligible", "chair_spoken"),
    [
        pytest.param(3, 4, True, False, id="more-spoken-than-eligible"),
        pytest.param(3, -1, True, False, id="negative"),
        pytest.param(3, 1, False, True, id="chair-spoke-not-eligible"),
        pytest.param(0, 0, True, False, id="chair-eligible-room-empty"),
    ],
)
def test_waiting_count_refuses_inconsistent_counts(eligible, spoken, chair_eligible, chair_spoken):
    with pytest.raises(ValueError):
        waiting_count(eligible=eligible, spoken=spoken, chair_eligible=chair_eligible, chair_spoken=chair_spoken)


# --- decision_base ---


@pytest.mark.parametrize(
    ("n", "recused", "recused_in_n", "expected"),
    [
        pytest.param(9, 1, True, 9, id="N9-recused1-stays-in-N"),
        pytest.param(9, 1, False, 8, id="N9-recused1-out-of-N"),
        pytest.param(8, 0, True, 8, id="N8-recused0-in-N"),
        pytest.param(8, 0, False, 8, id="N8-recused0-out-of-N"),
        pytest.param(8, 2, False, 6, id="N8-recused2-out-of-N"),
        pytest.param(8, 8, False, 0, id="N8-all-recused-out-of-N"),
    ],
)
def test_decision_base(n, recused, recused_in_n, expected):
    assert decision_base(n, recused, recused_in_n=recused_in_n) == expected


def test_decision_base_default_profile_keeps_recused_in_n():
    assert decision_base(9, 2, recused_in_n=PROFILE.recused_in_n) == 9


@pytest.mark.parametrize(
    ("n", "recused"),
    [pytest.param(8, -1, id="negative-recused"), pytest.param(8, 9, id="recused-above-N")],
)
def test_decision_base_out_of_range_raises(n, recused):
    with pytest.raises(ValueError):
        decision_base(n, recused, recused_in_n=True)


# --- tally / passes ---


def _pass_cases():
    for n, needed in YES_TO_PASS.items():
        yield pytest.param(n, needed - 1, False, id=f"N{n}-yes{needed - 1}-fails")
        yield pytest.param(n, needed, True, id=f"N{n}-yes{needed}-passes")
        yield pytest.param(n, n, True, id=f"N{n}-yes{n}-unanimous-passes")


@pytest.mark.parametrize(("n", "yes", "passes"), list(_pass_cases()))
def test_tally_passes_worked_table(n, yes, passes):
    t = tally(room(agree=yes, disagree=n - yes), [], n=n, profile=PROFILE)
    assert t.yes == yes
    assert t.passes is passes


@pytest.mark.parametrize(("n", "needed"), list(YES_TO_PASS.items()), ids=[f"N{n}" for n in YES_TO_PASS])
def test_tally_needed_matches_worked_table(n, needed):
    assert tally([], [], n=n, profile=PROFILE).needed == needed


@pytest.mark.parametrize(
    ("n", "yes"),
    [
        pytest.param(8, 4, id="N8-yes4-exactly-half-fails"),
        pytest.param(10, 5, id="N10-yes5-exactly-half-fails"),
    ],
)
def test_exactly_half_fails(n, yes):
    t = tally(room(agree=yes, disagree=n - yes), [], n=n, profile=PROFILE)
    assert t.passes is False


def test_n10_yes6_passes():
    assert tally(room(agree=6, disagree=4), [], n=10, profile=PROFILE).passes is True


def test_pass_base_is_n_not_present():
    # N=9, 5 present, 4 agree: a majority of those present, not of N
    t = tally(room(agree=4, disagree=1), [], n=9, profile=PROFILE)
    assert t.passes is False


@pytest.mark.parametrize(
    ("stances", "yes", "passes"),
    [
        pytest.param(room(agree=4, defer=4), 4, False, id="N8-agree4-defer4-fails"),
        pytest.param(room(agree=5, defer=3), 5, True, id="N8-agree5-defer3-passes"),
        pytest.param(room(defer=8), 0, False, id="N8-all-defer-fails"),
        pytest.param(room(agree=4, disagree=1, defer=3), 4, False, id="N8-agree4-disagree1-defer3-fails"),
    ],
)
def test_defer_counts_as_not_yes(stances, yes, passes):
    t = tally(stances, [], n=8, profile=PROFILE)
    assert t.yes == yes
    assert t.passes is passes


def test_tally_counts_each_stance():
    t = tally(
        ["agree", "agree", "disagree", "defer", "defer"], ["agree", "disagree", "defer", "defer"], n=9, profile=PROFILE
    )
    assert (t.agree, t.disagree, t.defer) == (2, 1, 2)
    assert (t.written_agree, t.written_disagree, t.written_defer) == (1, 1, 2)


@pytest.mark.parametrize("profile", [PROFILE, COUNTING_PROFILE], ids=["written-recorded", "written-counted"])
@pytest.mark.parametrize(
    ("given", "written", "n"),
    [
        pytest.param(room(agree=4), [], 8, id="N8-yes4-exactly-half-fails"),
        pytest.param(room(agree=5), [], 8, id="N8-yes5-passes"),
        pytest.param(room(agree=4, disagree=2, defer=1), [A], 8, id="N8-yes4-written-agree"),
        pytest.param(room(agree=2, defer=3), [D, F, A], 9, id="N9-mixed"),
        pytest.param([], [], 0, id="N0"),
    ],
)
def test_tally_of_counts_is_tally(given, written, n, profile):
    """Counts per stance, as a GROUP BY returns them (strings, zero rows left out), tally as the opinions do."""
    from collections import Counter

    counted = {str(k): v for k, v in Counter(given).items()}
    assert tally_of_counts(counted, Counter(written), n=n, profile=profile) == tally(
        given, written, n=n, profile=profile
    )


def test_tally_of_counts_refuses_unknown_stance_and_negative_counts():
    with pytest.raises(ValueError):
        tally_of_counts({"maybe": 1}, {}, n=9, profile=PROFILE)
    with pytest.raises(ValueError):
        tally_of_counts({"agree": -1}, {}, n=9, profile=PROFILE)


def test_written_opinions_not_counted_by_default():
    # N=8: 4 agree in the room, 1 written agree from an absentee — recorded, not counted
    t = tally(room(agree=4), [A], n=8, profile=PROFILE)
    assert t.written_counted is False
    assert t.written_agree == 1
    assert t.yes == 4
    assert t.passes is False


def test_written_opinions_counted_when_profile_says_so():
    t = tally(room(agree=4), [A], n=8, profile=COUNTING_PROFILE)
    assert t.written_counted is True
    assert t.yes == 5
    assert t.passes is True


def test_written_disagree_never_adds_yes():
    t = tally(room(agree=4), [D, F], n=8, profile=COUNTING_PROFILE)
    assert t.yes == 4
    assert t.passes is False


def test_n_zero_never_passes():
    assert tally([], [], n=0, profile=PROFILE).passes is False


def test_n9_one_recused_yes4_fails_either_way():
    # N=9, one recused. Stays in N (default): base 9 needs 5; out of N: base 8 also needs 5. 4 yes fails both.
    in_n = tally(room(agree=4, disagree=4), [], n=decision_base(9, 1, recused_in_n=True), profile=PROFILE)
    out_n = tally(room(agree=4, disagree=4), [], n=decision_base(9, 1, recused_in_n=False), profile=PROFILE)
    assert (in_n.n, in_n.passes) == (9, False)
    assert (out_n.n, out_n.passes) == (8, False)


def test_recused_out_of_n_can_change_the_result():
    # N=10, 1 recused, 5 yes: in N → 2·5 > 10 false; out of N → 2·5 > 9 true
    assert (
        tally(room(agree=5, disagree=4), [], n=decision_base(10, 1, recused_in_n=True), profile=PROFILE).passes is False
    )
    assert (
        tally(room(agree=5, disagree=4), [], n=decision_base(10, 1, recused_in_n=False), profile=PROFILE).passes is True
    )


# --- can_still_pass ---


@pytest.mark.parametrize(
    ("n", "agree", "disagree", "outstanding", "expected"),
    [
        pytest.param(8, 0, 0, 4, False, id="N8-present4-quorate-yet-cannot-pass"),
        pytest.param(7, 0, 0, 4, True, id="N7-present4-can-pass"),
        pytest.param(8, 0, 0, 5, True, id="N8-present5-can-pass"),
        pytest.param(8, 2, 1, 2, False, id="N8-yes2-outstanding2-cannot-pass"),
        pytest.param(8, 3, 1, 2, True, id="N8-yes3-outstanding2-can-pass"),
        pytest.param(9, 5, 0, 0, True, id="N9-already-passed"),
        pytest.param(0, 0, 0, 0, False, id="N0-never"),
    ],
)
def test_can_still_pass(n, agree, disagree, outstanding, expected):
    t = tally(room(agree=agree, disagree=disagree), [], n=n, profile=PROFILE)
    assert can_still_pass(t, outstanding) is expected


# --- results ---


@pytest.mark.parametrize(
    ("n", "yes", "expected"),
    [
        pytest.param(8, 5, ItemResult.PASSED, id="N8-yes5-passed"),
        pytest.param(8, 4, ItemResult.NOT_PASSED, id="N8-yes4-not-passed"),
        pytest.param(15, 8, ItemResult.PASSED, id="N15-yes8-passed"),
        pytest.param(15, 7, ItemResult.NOT_PASSED, id="N15-yes7-not-passed"),
    ],
)
def test_majority_result(n, yes, expected):
    assert majority_result(tally(room(agree=yes, disagree=n - yes), [], n=n, profile=PROFILE)) is expected


@pytest.mark.parametrize(
    ("adopt", "expected"),
    [
        pytest.param(True, ItemResult.HEAD_ADOPTED, id="adopt"),
        pytest.param(False, ItemResult.HEAD_REJECTED, id="reject"),
    ],
)
def test_head_decision_result(adopt, expected):
    assert head_decision_result(adopt) is expected


@pytest.mark.parametrize(
    ("adopt", "yes", "expected"),
    [
        pytest.param(True, 4, True, id="N8-adopt-when-tally-fails-against-majority"),
        pytest.param(False, 5, True, id="N8-reject-when-tally-passes-against-majority"),
        pytest.param(True, 5, False, id="N8-adopt-when-tally-passes-with-majority"),
        pytest.param(False, 4, False, id="N8-reject-when-tally-fails-with-majority"),
    ],
)
def test_head_against_majority(adopt, yes, expected):
    t = tally(room(agree=yes, disagree=8 - yes), [], n=8, profile=PROFILE)
    assert head_against_majority(adopt, t) is expected


@pytest.mark.parametrize(
    ("agreeing", "n", "expected"),
    [
        pytest.param(4, 8, False, id="N8-agree4-exactly-half-refused"),
        pytest.param(5, 8, True, id="N8-agree5-reopen"),
        pytest.param(5, 9, True, id="N9-agree5-reopen"),
        pytest.param(4, 9, False, id="N9-agree4-refused"),
        pytest.param(4, 7, True, id="N7-agree4-reopen"),
        pytest.param(0, 0, False, id="N0-never"),
    ],
)
def test_may_reconsider(agreeing, n, expected):
    assert may_reconsider(agreeing, n, PROFILE) is expected


# --- as_dict ---


def test_tally_as_dict():
    t = tally(room(agree=5, disagree=2, defer=1), [A], n=9, profile=PROFILE)
    assert isinstance(t, Tally)
    assert t.as_dict() == {
        "agree": 5,
        "disagree": 2,
        "defer": 1,
        "written_agree": 1,
        "written_disagree": 0,
        "written_defer": 0,
        "written_counted": False,
        "yes": 5,
        "n": 9,
        "needed": 5,
        "passes": True,
        "rule": "超过应到会成员半数",
        "source": PROFILE.passing.source,
    }


def test_tally_fraction_is_profile_passing_rule():
    t = tally([], [], n=8, profile=PROFILE)
    assert t.fraction == PROFILE.passing
    assert t.fraction == Fraction(1, 2, False, PROFILE.passing.source, "超过应到会成员半数")


# ---------------------------------------------------------------- awaited / tallied_written


@pytest.mark.parametrize(
    ("eligible", "spoken", "joined_after_chair", "expected"),
    [
        ({1, 2, 3}, [2], (), {1, 3}),  # the chair (1) is awaited too, last
        ({1, 2, 3}, [2, 3, 1], (), set()),
        ({1, 2, 3, 4}, [2, 3, 1], {4}, set()),  # 4 arrived after the chair spoke: not awaited
        ({1, 2, 3, 4}, [2, 1], {4}, {3}),
    ],
    ids=["chair-and-one-waiting", "all-spoken", "late-after-chair-not-awaited", "others-still-awaited"],
)
def test_awaited(eligible, spoken, joined_after_chair, expected):
    assert opinions.awaited(
        chair_id=1, eligible=eligible, spoken=spoken, joined_after_chair=joined_after_chair
    ) == frozenset(expected)


@pytest.mark.parametrize(
    ("spoke_in_room", "recused", "expected"),
    [
        ((), (), [Stance.AGREE, Stance.DISAGREE]),
        ((7,), (), [Stance.DISAGREE]),  # 7 came and spoke in the room: one member, one voice
        ((), (8,), [Stance.AGREE]),  # 8 recused since: not tallied
        ((7,), (8,), []),
    ],
    ids=["both-tallied", "author-spoke-in-room", "author-recused", "neither"],
)
def test_tallied_written(spoke_in_room, recused, expected):
    written = [(7, "agree"), (8, "disagree")]
    assert opinions.tallied_written(written, spoke_in_room=spoke_in_room, recused=recused) == expected
