"""Recusal (回避) — seed 003 §四(二)5, 公务员法 第74、76条, voting/relations.toml."""

import pytest

from voting.profiles import RelationType, load_profile, relation_types
from voting.recusal import RecusalGround, Relation, applies_to, relation_valid, required_recusals
from voting.vocabulary import ItemCategory

TYPES = relation_types()
PROFILE = load_profile()

MEMBER, SUBJECT, OTHER_PERSON = 10, 20, 30
PARTICIPANTS = [1, 2, MEMBER, 3]


@pytest.mark.parametrize(
    ("relation_type", "reason"),
    [
        pytest.param("SELF", "与任免对象有个人利害关系", id="SELF-personal-interest"),
        pytest.param("SPOUSE", "", id="SPOUSE"),
        pytest.param("LINEAL", "", id="LINEAL"),
        pytest.param("COLLATERAL_3", "", id="COLLATERAL_3"),
        pytest.param("IN_LAW", "", id="IN_LAW"),
        pytest.param("OTHER", "曾为其直接上级，存在利害关系", id="OTHER-with-reason"),
    ],
)
def test_member_related_to_subject_recuses(relation_type, reason):
    rel = Relation(MEMBER, SUBJECT, relation_type, reason)
    grounds = required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES)
    assert grounds == [
        RecusalGround(
            person_id=MEMBER,
            subject_id=SUBJECT,
            relation_type=relation_type,
            reason=reason or TYPES[relation_type].label,
            source=TYPES[relation_type].source,
        )
    ]


@pytest.mark.parametrize(
    "relation_type", ["SPOUSE", "LINEAL", "COLLATERAL_3", "IN_LAW"], ids=lambda t: f"{t}-subject-first"
)
def test_relation_is_symmetric(relation_type):
    rel = Relation(SUBJECT, MEMBER, relation_type)  # a/b swapped: subject first
    grounds = required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES)
    found = [(g.person_id, g.subject_id, g.relation_type) for g in grounds]
    assert found == [(MEMBER, SUBJECT, relation_type)]


def test_subject_who_is_participant_recuses_as_self():
    grounds = required_recusals([1, SUBJECT, 2], [SUBJECT], [], TYPES)
    assert grounds == [RecusalGround(SUBJECT, SUBJECT, "SELF", "本人为该议题的任免对象", TYPES["SELF"].source)]


def test_unrelated_member_does_not_recuse():
    assert required_recusals(PARTICIPANTS, [SUBJECT], [], TYPES) == []


def test_relation_to_non_subject_does_not_recuse():
    rel = Relation(MEMBER, OTHER_PERSON, "SPOUSE")
    assert required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES) == []


def test_relation_between_two_non_subject_participants_does_not_recuse():
    rel = Relation(1, 2, "LINEAL")
    assert required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES) == []


def test_no_subjects_no_recusal():
    rel = Relation(MEMBER, SUBJECT, "SPOUSE")
    assert required_recusals(PARTICIPANTS, [], [rel], TYPES) == []


def test_type_with_recuse_false_does_not_trigger():
    types = dict(TYPES)
    types["COLLEAGUE"] = RelationType(
        code="COLLEAGUE", label="同事", examples="同一单位", source="test", recuse=False, reason_required=False
    )
    rel = Relation(MEMBER, SUBJECT, "COLLEAGUE")
    assert required_recusals(PARTICIPANTS, [SUBJECT], [rel], types) == []


def test_unknown_relation_type_does_not_trigger():
    rel = Relation(MEMBER, SUBJECT, "NEIGHBOUR")
    assert required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES) == []


def test_one_ground_per_participant_first_relation_wins():
    rels = [
        Relation(MEMBER, SUBJECT, "SPOUSE"),
        Relation(MEMBER, 21, "LINEAL"),
        Relation(SUBJECT, MEMBER, "IN_LAW"),
    ]
    grounds = required_recusals(PARTICIPANTS, [SUBJECT, 21], rels, TYPES)
    assert [(g.person_id, g.subject_id, g.relation_type) for g in grounds] == [(MEMBER, SUBJECT, "SPOUSE")]


def test_subject_participant_related_to_another_subject_has_one_self_ground():
    rels = [Relation(SUBJECT, 21, "SPOUSE")]
    grounds = required_recusals([SUBJECT, 21], [SUBJECT, 21], rels, TYPES)
    assert [(g.person_id, g.subject_id, g.relation_type) for g in grounds] == [
        (SUBJECT, SUBJECT, "SELF"),
        (21, 21, "SELF"),
    ]


def test_duplicate_participant_gives_one_ground():
    rel = Relation(MEMBER, SUBJECT, "LINEAL")
    grounds = required_recusals([MEMBER, 1, MEMBER], [SUBJECT], [rel], TYPES)
    assert [g.person_id for g in grounds] == [MEMBER]


def test_participant_order_kept():
    rels = [Relation(5, SUBJECT, "SPOUSE"), Relation(3, SUBJECT, "LINEAL"), Relation(SUBJECT, 7, "IN_LAW")]
    grounds = required_recusals([7, 1, 5, SUBJECT, 3], [SUBJECT], rels, TYPES)
    assert [(g.person_id, g.relation_type) for g in grounds] == [
        (7, "IN_LAW"),
        (5, "SPOUSE"),
        (SUBJECT, "SELF"),
        (3, "LINEAL"),
    ]


def test_related_person_not_participating_is_not_listed():
    rel = Relation(99, SUBJECT, "SPOUSE")
    assert required_recusals(PARTICIPANTS, [SUBJECT], [rel], TYPES) == []


# --- relation_valid ---


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        pytest.param(Relation(1, 2, "NEIGHBOUR"), "unknown_type", id="unknown-type"),
        pytest.param(Relation(1, 1, "SPOUSE"), "same_person", id="same-person"),
        pytest.param(Relation(1, 2, "OTHER"), "reason_required", id="OTHER-without-reason"),
        pytest.param(Relation(1, 2, "OTHER", "   "), "reason_required", id="OTHER-blank-reason"),
        pytest.param(Relation(1, 2, "OTHER", "曾有经济往来"), None, id="OTHER-with-reason-ok"),
        pytest.param(Relation(1, 2, "SPOUSE"), None, id="SPOUSE-ok"),
        pytest.param(Relation(1, 2, "LINEAL"), None, id="LINEAL-ok"),
        pytest.param(Relation(1, 2, "SELF"), None, id="SELF-ok-without-reason"),
    ],
)
def test_relation_valid(relation, expected):
    assert relation_valid(relation, TYPES) == expected


# --- applies_to ---


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        pytest.param(ItemCategory.PERSONNEL, True, id="personnel"),
        pytest.param("personnel", True, id="personnel-string"),
        pytest.param(ItemCategory.MAJOR_DECISION, False, id="major_decision"),
        pytest.param(ItemCategory.MAJOR_PROJECT, False, id="major_project"),
        pytest.param(ItemCategory.LARGE_FUNDS, False, id="large_funds"),
        pytest.param(ItemCategory.OTHER, False, id="other"),
    ],
)
def test_applies_to(category, expected):
    assert applies_to(category, PROFILE) is expected
