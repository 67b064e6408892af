"""May this member speak now, and how far is the round — 白洮政发〔2023〕14号 四（二）2、5, 公务员法 第七十六条,
国务院令第713号 第三十条 (voting/speaking.py). Every refusal, every boundary, and which refusal wins."""

import dataclasses

import pytest

from voting.opinions import round_tally, tally
from voting.profiles import load_profile
from voting.speaking import (
    OpinionFacts,
    OpinionRefusal,
    RoundCounts,
    WrittenFacts,
    opinion_refusal,
    round_counts,
    round_counts_of,
    speaker_refusal,
    written_refusal,
)
from voting.vocabulary import Attendance, Stance

R = OpinionRefusal
OK = OpinionFacts()  # a present member, not recused, agreeing on an item taking opinions


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({}, None),
        ({"observer": True}, R.OBSERVER),
        ({"member": False}, R.NOT_A_MEMBER),
        ({"item_found": False}, R.NO_SUCH_ITEM),
        ({"meeting_status": "closed"}, R.MEETING_CLOSED),
        ({"meeting_status": "scheduled"}, R.MEETING_NOT_IN_SESSION),
        ({"item_status": "closed"}, R.ITEM_CONCLUDED),
        ({"item_status": "deferred"}, R.ITEM_CONCLUDED),
        ({"item_status": "open"}, R.ITEM_NOT_OPEN),
        ({"item_status": "pending"}, R.ITEM_NOT_OPEN),
        ({"current_round": False}, R.ITEM_NOT_OPEN),
        ({"attendance": None}, R.NO_SEAT),
        ({"recused": True}, R.RECUSED),
        ({"attendance": Attendance.ABSENT}, R.ABSENT),
        ({"attendance": Attendance.EXPECTED}, R.ABSENT),
        ({"attendance": Attendance.LEFT}, R.ABSENT),
        ({"attendance": Attendance.LATE}, None),
        ({"stance": Stance.DISAGREE}, R.REASON_REQUIRED),
        ({"stance": Stance.DEFER}, R.REASON_REQUIRED),
        ({"stance": Stance.DISAGREE, "reason": "理由"}, None),
        ({"stance": Stance.DEFER, "reason": "理由"}, None),
        ({"presiding_has_spoken": True}, R.PRESIDING_HAS_SPOKEN),
        ({"presides": True, "waiting": 1}, R.PRESIDING_NOT_LAST),
        ({"presides": True, "waiting": 0}, None),
        ({"presides": True, "waiting": 0, "presiding_has_spoken": True}, None),  # he may correct his own
        ({"presides": False, "waiting": 5}, None),  # the others do not wait for anyone
    ],
)
def test_each_refusal_and_its_boundary(change, refusal):
    assert opinion_refusal(dataclasses.replace(OK, **change)) == refusal


# every fact that refuses, in the order the checks are made
REFUSING = [
    ("observer", True, R.OBSERVER),
    ("member", False, R.NOT_A_MEMBER),
    ("item_found", False, R.NO_SUCH_ITEM),
    ("meeting_status", "closed", R.MEETING_CLOSED),
    ("item_status", "closed", R.ITEM_CONCLUDED),
    ("current_round", False, R.ITEM_NOT_OPEN),
    ("attendance", None, R.NO_SEAT),
    ("recused", True, R.RECUSED),
    ("stance", Stance.DISAGREE, R.REASON_REQUIRED),
    ("presiding_has_spoken", True, R.PRESIDING_HAS_SPOKEN),
]


@pytest.mark.parametrize("first", range(len(REFUSING)))
def test_the_first_refusal_in_order_wins(first):
    """With this fact and every later one refusing, the answer is this fact's refusal."""
    facts = dataclasses.replace(OK, **{name: value for name, value, _ in REFUSING[first:]})
    assert opinion_refusal(facts) == REFUSING[first][2]


def test_a_meeting_not_in_session_wins_over_the_item():
    assert (
        opinion_refusal(dataclasses.replace(OK, meeting_status="scheduled", item_status="closed"))
        == R.MEETING_NOT_IN_SESSION
    )
    assert opinion_refusal(dataclasses.replace(OK, item_status="open", current_round=False)) == R.ITEM_NOT_OPEN


def test_absent_wins_over_the_reason_and_recused_over_absent():
    absent = dataclasses.replace(OK, attendance=Attendance.ABSENT, stance=Stance.DEFER)
    assert opinion_refusal(absent) == R.ABSENT
    assert opinion_refusal(dataclasses.replace(absent, recused=True)) == R.RECUSED


def test_the_presiding_member_waiting_is_refused_after_the_reason():
    facts = dataclasses.replace(OK, presides=True, waiting=3, stance=Stance.DISAGREE)
    assert opinion_refusal(facts) == R.REASON_REQUIRED
    assert opinion_refusal(dataclasses.replace(facts, reason="理由")) == R.PRESIDING_NOT_LAST


def test_the_speaker_checks_alone_ignore_the_item():
    """The batch checks the item once, then the speakers: the same answers from step 3 on."""
    closed = dataclasses.replace(OK, item_status="closed", recused=True)
    assert opinion_refusal(closed) == R.ITEM_CONCLUDED
    assert speaker_refusal(closed) == R.RECUSED
    assert speaker_refusal(OK) is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # eligible, spoken, presiding eligible, presiding spoken → eligible, spoken, waiting, may speak
        ((5, 0, True, False), RoundCounts(5, 0, 4, False)),
        ((5, 3, True, False), RoundCounts(5, 3, 1, False)),
        ((5, 4, True, False), RoundCounts(5, 4, 0, True)),  # everyone but him: his turn
        ((5, 5, True, True), RoundCounts(5, 5, 0, True)),
        ((5, 4, True, True), RoundCounts(5, 4, 1, False)),  # he spoke (an earlier state), one still to speak
        ((5, 5, False, False), RoundCounts(5, 5, 0, False)),  # nobody eligible presides
        ((5, 2, False, False), RoundCounts(5, 2, 3, False)),
        ((1, 0, True, False), RoundCounts(1, 0, 0, True)),  # he alone
        ((0, 0, False, False), RoundCounts(0, 0, 0, False)),
    ],
)
def test_round_counts(counts, expected):
    eligible, spoken, presiding_eligible, presiding_spoken = counts
    got = round_counts(
        eligible=eligible, spoken=spoken, presiding_eligible=presiding_eligible, presiding_spoken=presiding_spoken
    )
    assert got == expected
    assert got.outstanding == eligible - spoken


@pytest.mark.parametrize(
    "counts", [(3, 4, True, False), (3, -1, True, False), (3, 1, False, True), (0, 0, True, False)]
)
def test_inconsistent_counts_are_refused(counts):
    eligible, spoken, presiding_eligible, presiding_spoken = counts
    with pytest.raises(ValueError):
        round_counts(
            eligible=eligible, spoken=spoken, presiding_eligible=presiding_eligible, presiding_spoken=presiding_spoken
        )


def test_round_counts_of_sets_count_only_the_eligible():
    """An opinion of a member recused since does not count as spoken; the presiding member waits for the rest."""
    got = round_counts_of(presiding=1, eligible={1, 2, 3, 4}, spoken=[2, 9])
    assert got == RoundCounts(eligible=4, spoken=1, waiting=2, presiding_may_speak=False)
    assert round_counts_of(presiding=1, eligible={1, 2}, spoken=[2]).presiding_may_speak
    assert round_counts_of(presiding=None, eligible={1, 2}, spoken=[1, 2]) == RoundCounts(2, 2, 0, False)
    assert round_counts_of(presiding=7, eligible={1, 2}, spoken=[]) == RoundCounts(2, 0, 2, False)  # recused


def test_a_written_opinion_of_an_absent_member_does_not_unblock_the_chair():
    """5 sent a written opinion but is not in the room (not eligible); 4 has not spoken: the chair still waits."""
    got = round_counts_of(presiding=1, eligible={1, 2, 3, 4}, spoken=[2, 3, 5])
    assert got == RoundCounts(eligible=4, spoken=2, waiting=1, presiding_may_speak=False)
    assert round_counts_of(presiding=1, eligible={1, 2, 3}, spoken=[2, 3]).presiding_may_speak  # 4 recused


PROFILE = load_profile()


@pytest.mark.parametrize("recused_in_n", [True, False])
@pytest.mark.parametrize("count_written", [True, False])
def test_round_tally_is_the_tally_of_the_loaded_round(recused_in_n, count_written):
    """Written opinions of members who then spoke or were recused are not counted; N follows the profile."""
    profile = dataclasses.replace(PROFILE, recused_in_n=recused_in_n, count_written_opinions=count_written)
    given = [Stance.AGREE] * 3 + [Stance.DISAGREE]
    written = [(7, Stance.AGREE), (8, Stance.AGREE), (9, Stance.DISAGREE)]
    got = round_tally(
        members=9,
        recused={8},
        given={Stance.AGREE: 3, "disagree": 1},
        written=written,
        spoke_in_room=[1, 2, 3, 9],
        profile=profile,
    )
    assert got == tally(given, [Stance.AGREE], n=9 if recused_in_n else 8, profile=profile)
    assert (got.written_agree, got.written_disagree) == (1, 0)
    assert got.yes == (4 if count_written else 3)


W = WrittenFacts()  # an absent member's written agreement on an item not concluded


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({}, None),
        ({"item_status": "pending"}, None),  # sent before the item is opened
        ({"item_status": "open"}, None),
        ({"item_status": "closed"}, R.ITEM_CONCLUDED),
        ({"item_status": "deferred"}, R.ITEM_CONCLUDED),
        ({"attendance": None}, R.NO_SEAT),
        ({"attendance": Attendance.PRESENT}, R.IN_THE_ROOM),
        ({"attendance": Attendance.LATE}, R.IN_THE_ROOM),
        ({"attendance": Attendance.EXPECTED}, None),
        ({"attendance": Attendance.LEFT}, None),
        ({"recused": True}, R.RECUSED),
        ({"stance": Stance.DISAGREE}, R.REASON_REQUIRED),
        ({"stance": Stance.DEFER, "reason": "理由"}, None),
    ],
)
def test_each_written_refusal_and_its_boundary(change, refusal):
    assert written_refusal(dataclasses.replace(W, **change)) == refusal


WRITTEN_REFUSING = [
    ("item_status", "closed", R.ITEM_CONCLUDED),
    ("attendance", None, R.NO_SEAT),
    ("recused", True, R.RECUSED),
    ("stance", Stance.DISAGREE, R.REASON_REQUIRED),
]


@pytest.mark.parametrize("first", range(len(WRITTEN_REFUSING)))
def test_the_first_written_refusal_in_order_wins(first):
    facts = dataclasses.replace(W, **{name: value for name, value, _ in WRITTEN_REFUSING[first:]})
    assert written_refusal(facts) == WRITTEN_REFUSING[first][2]


def test_in_the_room_wins_over_recused():
    assert written_refusal(dataclasses.replace(W, attendance=Attendance.PRESENT, recused=True)) == R.IN_THE_ROOM
