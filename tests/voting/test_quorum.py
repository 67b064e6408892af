"""May the meeting open / may the item be decided — seed 003 §四(二)1, domain.md worked table."""

import pytest

from voting.profiles import load_profile
from voting.quorum import QuorumCheck, item_quorum, meeting_quorum
from voting.vocabulary import ItemCategory, MeetingKind

PROFILE = load_profile()

# domain.md worked numbers: N -> (may open at half, may open at two-thirds)
WORKED = {7: (4, 5), 8: (4, 6), 9: (5, 6), 11: (6, 8), 15: (8, 10)}

HALF_KINDS = [MeetingKind.EXECUTIVE, MeetingKind.PARTY_GROUP]


def _meeting_cases():
    for n, (half, two_thirds) in WORKED.items():
        for kind in HALF_KINDS:
            yield pytest.param(kind, half - 1, n, False, id=f"N{n}-present{half - 1}-{kind}-refused")
            yield pytest.param(kind, half, n, True, id=f"N{n}-present{half}-{kind}-open")
            yield pytest.param(kind, n, n, True, id=f"N{n}-present{n}-{kind}-open")
        kind = MeetingKind.PLENARY
        yield pytest.param(kind, two_thirds - 1, n, False, id=f"N{n}-present{two_thirds - 1}-{kind}-refused")
        yield pytest.param(kind, two_thirds, n, True, id=f"N{n}-present{two_thirds}-{kind}-open")
        yield pytest.param(kind, n, n, True, id=f"N{n}-present{n}-{kind}-open")


@pytest.mark.parametrize(("kind", "present", "n", "ok"), list(_meeting_cases()))
def test_meeting_quorum_worked_table(kind, present, n, ok):
    assert meeting_quorum(kind, present, n, PROFILE).ok is ok


@pytest.mark.parametrize(
    ("n", "kind", "needed"),
    [pytest.param(n, k, half, id=f"N{n}-{k}-needs{half}") for n, (half, _) in WORKED.items() for k in HALF_KINDS]
    + [pytest.param(n, MeetingKind.PLENARY, tt, id=f"N{n}-plenary-needs{tt}") for n, (_, tt) in WORKED.items()],
)
def test_meeting_quorum_needed_matches_worked_table(n, kind, needed):
    assert meeting_quorum(kind, 0, n, PROFILE).needed == needed


@pytest.mark.parametrize(
    ("kind", "present", "n", "ok"),
    [
        pytest.param(MeetingKind.EXECUTIVE, 4, 8, True, id="N8-present4-executive-exactly-half-open"),
        pytest.param(MeetingKind.EXECUTIVE, 5, 10, True, id="N10-present5-executive-exactly-half-open"),
        pytest.param(MeetingKind.PARTY_GROUP, 3, 6, True, id="N6-present3-party_group-exactly-half-open"),
        pytest.param(MeetingKind.PLENARY, 6, 9, True, id="N9-present6-plenary-exactly-two-thirds-open"),
        pytest.param(MeetingKind.PLENARY, 10, 15, True, id="N15-present10-plenary-exactly-two-thirds-open"),
        pytest.param(MeetingKind.PLENARY, 5, 9, False, id="N9-present5-plenary-refused"),
        pytest.param(MeetingKind.PLENARY, 4, 8, False, id="N8-present4-plenary-half-is-not-enough"),
        pytest.param(MeetingKind.SPECIAL, 4, 8, True, id="N8-present4-special-as-executive-open"),
        pytest.param(MeetingKind.SPECIAL, 3, 8, False, id="N8-present3-special-refused"),
    ],
)
def test_meeting_quorum_exact_boundaries(kind, present, n, ok):
    assert meeting_quorum(kind, present, n, PROFILE).ok is ok


@pytest.mark.parametrize(
    ("kind", "present", "n"),
    [
        pytest.param("executive", 4, 8, id="executive-as-string"),
        pytest.param("plenary", 6, 9, id="plenary-as-string"),
    ],
)
def test_meeting_kind_accepts_string_codes(kind, present, n):
    assert meeting_quorum(kind, present, n, PROFILE).ok is True


@pytest.mark.parametrize(
    ("kind", "category", "present", "n", "ok"),
    [
        pytest.param(
            MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 5, 8, False, id="N8-present5-executive-personnel-refused"
        ),
        pytest.param(
            MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 6, 8, True, id="N8-present6-executive-personnel-ok"
        ),
        pytest.param(
            MeetingKind.EXECUTIVE,
            ItemCategory.PERSONNEL,
            4,
            8,
            False,
            id="N8-present4-executive-personnel-half-not-enough",
        ),
        pytest.param(
            MeetingKind.PARTY_GROUP, ItemCategory.PERSONNEL, 5, 9, False, id="N9-present5-party_group-personnel-refused"
        ),
        pytest.param(
            MeetingKind.PARTY_GROUP, ItemCategory.PERSONNEL, 6, 9, True, id="N9-present6-party_group-personnel-ok"
        ),
        pytest.param(
            MeetingKind.SPECIAL, ItemCategory.PERSONNEL, 9, 15, False, id="N15-present9-special-personnel-refused"
        ),
        pytest.param(
            MeetingKind.EXECUTIVE, ItemCategory.MAJOR_DECISION, 4, 8, True, id="N8-present4-executive-major_decision-ok"
        ),
        pytest.param(
            MeetingKind.EXECUTIVE,
            ItemCategory.MAJOR_DECISION,
            3,
            8,
            False,
            id="N8-present3-executive-major_decision-refused",
        ),
        pytest.param(
            MeetingKind.EXECUTIVE, ItemCategory.LARGE_FUNDS, 4, 8, True, id="N8-present4-executive-large_funds-ok"
        ),
        pytest.param(
            MeetingKind.EXECUTIVE, ItemCategory.MAJOR_PROJECT, 5, 9, True, id="N9-present5-executive-major_project-ok"
        ),
        pytest.param(MeetingKind.EXECUTIVE, ItemCategory.OTHER, 4, 9, False, id="N9-present4-executive-other-refused"),
        pytest.param(MeetingKind.PLENARY, ItemCategory.PERSONNEL, 6, 9, True, id="N9-present6-plenary-personnel-ok"),
        pytest.param(
            MeetingKind.PLENARY, ItemCategory.PERSONNEL, 5, 9, False, id="N9-present5-plenary-personnel-refused"
        ),
        pytest.param(
            MeetingKind.PLENARY, ItemCategory.PERSONNEL, 10, 15, True, id="N15-present10-plenary-personnel-ok"
        ),
        pytest.param(MeetingKind.PLENARY, ItemCategory.OTHER, 5, 9, False, id="N9-present5-plenary-other-refused"),
        pytest.param("executive", "personnel", 6, 8, True, id="N8-present6-string-codes-personnel-ok"),
    ],
)
def test_item_quorum(kind, category, present, n, ok):
    assert item_quorum(kind, category, present, n, PROFILE).ok is ok


@pytest.mark.parametrize(
    ("kind", "category", "n", "needed"),
    [
        pytest.param(MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 8, 6, id="N8-executive-personnel-needs6"),
        pytest.param(MeetingKind.EXECUTIVE, ItemCategory.OTHER, 8, 4, id="N8-executive-other-needs4"),
        pytest.param(MeetingKind.PLENARY, ItemCategory.PERSONNEL, 15, 10, id="N15-plenary-personnel-needs10"),
        pytest.param(MeetingKind.PLENARY, ItemCategory.OTHER, 11, 8, id="N11-plenary-other-needs8"),
    ],
)
def test_item_quorum_needed(kind, category, n, needed):
    assert item_quorum(kind, category, n, n, PROFILE).needed == needed


def test_personnel_item_in_executive_cites_personnel_rule():
    check = item_quorum(MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 6, 8, PROFILE)
    assert check.fraction == PROFILE.personnel_quorum
    assert check.fraction.label == "三分之二以上"


def test_non_personnel_item_in_executive_cites_meeting_rule():
    check = item_quorum(MeetingKind.EXECUTIVE, ItemCategory.MAJOR_DECISION, 4, 8, PROFILE)
    assert check.fraction == PROFILE.quorum[MeetingKind.EXECUTIVE]
    assert check.fraction.label == "半数以上"


@pytest.mark.parametrize(
    ("present", "n"),
    [pytest.param(9, 8, id="present9-of-N8"), pytest.param(1, 0, id="present1-of-N0")],
)
def test_meeting_quorum_present_above_n_raises(present, n):
    with pytest.raises(ValueError):
        meeting_quorum(MeetingKind.EXECUTIVE, present, n, PROFILE)


def test_item_quorum_present_above_n_raises():
    with pytest.raises(ValueError):
        item_quorum(MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 9, 8, PROFILE)


@pytest.mark.parametrize(
    ("present", "n"),
    [pytest.param(-1, 8, id="negative-present"), pytest.param(0, -1, id="negative-n")],
)
def test_negative_counts_raise(present, n):
    with pytest.raises(ValueError):
        meeting_quorum(MeetingKind.EXECUTIVE, present, n, PROFILE)


@pytest.mark.parametrize("kind", list(MeetingKind), ids=str)
def test_n_zero_never_ok(kind):
    check = meeting_quorum(kind, 0, 0, PROFILE)
    assert check.ok is False
    assert check.needed == 1


def test_item_quorum_n_zero_never_ok():
    assert item_quorum(MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 0, 0, PROFILE).ok is False


def test_quorum_check_fields():
    check = meeting_quorum(MeetingKind.PLENARY, 6, 9, PROFILE)
    assert isinstance(check, QuorumCheck)
    assert (check.ok, check.present, check.n, check.needed) == (True, 6, 9, 6)
    assert check.source == PROFILE.quorum[MeetingKind.PLENARY].source


def test_quorum_check_as_dict_refused():
    d = meeting_quorum(MeetingKind.EXECUTIVE, 3, 8, PROFILE).as_dict()
    assert set(d) == {"ok", "present", "n", "needed", "fraction", "source"}
    assert d["ok"] is False
    assert d["present"] == 3
    assert d["n"] == 8
    assert d["needed"] == 4
    assert d["fraction"] == "半数以上"
    assert "白洮政发〔2023〕14号" in d["source"]


def test_quorum_check_as_dict_personnel():
    d = item_quorum(MeetingKind.EXECUTIVE, ItemCategory.PERSONNEL, 6, 8, PROFILE).as_dict()
    assert d == {
        "ok": True,
        "present": 6,
        "n": 8,
        "needed": 6,
        "fraction": "三分之二以上",
        "source": PROFILE.personnel_quorum.source,
    }
    assert "白洮政发〔2023〕14号" in d["source"]
