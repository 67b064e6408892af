"""Rule profiles and relation types loaded from data — voting/profiles/*.toml, voting/relations.toml."""

import copy
import tomllib

import pytest

from voting.fractions import Fraction
from voting.profiles import (
    DEFAULT_PROFILE,
    PROFILE_DIR,
    ProfileError,
    available_profiles,
    canonical_name,
    load_profile,
    parse_profile,
    relation_types,
)
from voting.vocabulary import ItemCategory, MeetingKind, PreparationStep

PROFILE = load_profile()


def _raw():
    with (PROFILE_DIR / "taobei-2023.toml").open("rb") as fh:
        return tomllib.load(fh)


def test_default_profile_is_the_taobei_district_measures():
    assert DEFAULT_PROFILE == "taobei-2023"
    assert PROFILE.name == "taobei-2023"
    assert load_profile("taobei-2023") == PROFILE
    assert PROFILE.title == "《洮北区人民政府“三重一大”事项决策实施办法（试行）》"
    assert PROFILE.source == "白洮政发〔2023〕14号"


def test_the_old_name_seed003_is_still_accepted_for_old_scripts_and_never_shown():
    assert load_profile("seed003") is PROFILE
    assert canonical_name("seed003") == "taobei-2023" and canonical_name("taobei-2023") == "taobei-2023"
    assert [p.name for p in available_profiles()].count("taobei-2023") == 1
    assert all("seed" not in p.name for p in available_profiles())


@pytest.mark.parametrize(
    ("kind", "num", "den"),
    [
        pytest.param(MeetingKind.PLENARY, 2, 3, id="plenary-two-thirds"),
        pytest.param(MeetingKind.EXECUTIVE, 1, 2, id="executive-half"),
        pytest.param(MeetingKind.PARTY_GROUP, 1, 2, id="party_group-half"),
        pytest.param(MeetingKind.SPECIAL, 1, 2, id="special-half"),
    ],
)
def test_default_meeting_quorum(kind, num, den):
    f = PROFILE.meeting_quorum(kind)
    assert (f.num, f.den, f.inclusive) == (num, den, True)


def test_default_personnel_quorum_two_thirds_inclusive():
    f = PROFILE.personnel_quorum
    assert (f.num, f.den, f.inclusive) == (2, 3, True)
    assert PROFILE.two_thirds_categories == frozenset({ItemCategory.PERSONNEL})


def test_default_passing_is_strict_half():
    f = PROFILE.passing
    assert (f.num, f.den, f.inclusive) == (1, 2, False)


def test_default_reconsideration_is_strict_half():
    f = PROFILE.reconsideration
    assert (f.num, f.den, f.inclusive) == (1, 2, False)


def test_default_written_opinions_not_counted():
    assert PROFILE.count_written_opinions is False


def test_default_recused_stay_in_n():
    assert PROFILE.recused_in_n is True


def test_default_recusal_categories_personnel_only():
    assert PROFILE.recusal_categories == frozenset({ItemCategory.PERSONNEL})


def test_default_large_funds_threshold():
    assert PROFILE.large_funds_threshold_yuan == 10_000_000


@pytest.mark.parametrize(
    ("category", "steps"),
    [
        pytest.param(ItemCategory.MAJOR_DECISION, (PreparationStep.LEGALITY_REVIEW,), id="major_decision"),
        pytest.param(
            ItemCategory.MAJOR_PROJECT,
            (PreparationStep.LEGALITY_REVIEW, PreparationStep.RISK_ASSESSMENT),
            id="major_project",
        ),
        pytest.param(ItemCategory.LARGE_FUNDS, (PreparationStep.LEGALITY_REVIEW,), id="large_funds"),
        pytest.param(ItemCategory.PERSONNEL, (), id="personnel"),
        pytest.param("other", (), id="other-string"),
    ],
)
def test_default_required_steps(category, steps):
    assert PROFILE.required_steps(category) == steps


def _rules():
    yield pytest.param(PROFILE.source, id="profile")
    for kind in MeetingKind:
        yield pytest.param(PROFILE.quorum[kind].source, id=f"quorum-{kind}")
    yield pytest.param(PROFILE.personnel_quorum.source, id="personnel_quorum")
    yield pytest.param(PROFILE.passing.source, id="passing")
    yield pytest.param(PROFILE.reconsideration.source, id="reconsideration")
    yield pytest.param(PROFILE.recusal_source, id="recusal")
    yield pytest.param(PROFILE.preparation_source, id="preparation")
    for code, t in relation_types().items():
        yield pytest.param(t.source, id=f"relation-{code}")


@pytest.mark.parametrize("source", list(_rules()))
def test_every_rule_has_a_source(source):
    assert isinstance(source, str)
    assert source.strip() != ""


@pytest.mark.parametrize(
    "fraction",
    [pytest.param(PROFILE.quorum[k], id=f"quorum-{k}") for k in MeetingKind]
    + [
        pytest.param(PROFILE.personnel_quorum, id="personnel_quorum"),
        pytest.param(PROFILE.passing, id="passing"),
        pytest.param(PROFILE.reconsideration, id="reconsideration"),
    ],
)
def test_every_fraction_has_a_label(fraction):
    assert isinstance(fraction, Fraction)
    assert fraction.label.strip() != ""


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("nonexistent", id="unknown"),
        pytest.param("../x", id="dotdot-slash"),
        pytest.param("..", id="dotdot"),
        pytest.param("a/b", id="slash"),
        pytest.param("taobei-2023.toml", id="with-extension"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_profile_name_raises(name):
    with pytest.raises(ProfileError):
        load_profile(name)


def test_profile_error_is_value_error():
    assert issubclass(ProfileError, ValueError)


def test_parse_profile_roundtrip_of_the_default_profile():
    assert parse_profile(_raw()) == PROFILE


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(("name",), id="name"),
        pytest.param(("title",), id="title"),
        pytest.param(("source",), id="source"),
        pytest.param(("quorum", "plenary"), id="quorum.plenary"),
        pytest.param(("quorum", "special"), id="quorum.special"),
        pytest.param(("quorum", "executive", "num"), id="quorum.executive.num"),
        pytest.param(("personnel_quorum",), id="personnel_quorum"),
        pytest.param(("passing",), id="passing"),
        pytest.param(("passing", "count_written_opinions"), id="passing.count_written_opinions"),
        pytest.param(("passing", "recused_in_n"), id="passing.recused_in_n"),
        pytest.param(("passing", "source"), id="passing.source"),
        pytest.param(("reconsideration",), id="reconsideration"),
        pytest.param(("recusal", "categories"), id="recusal.categories"),
        pytest.param(("recusal", "source"), id="recusal.source"),
        pytest.param(("large_funds", "threshold_yuan"), id="large_funds.threshold_yuan"),
        pytest.param(("preparation", "source"), id="preparation.source"),
        pytest.param(("presiding", "rule"), id="presiding.rule"),
        pytest.param(("presiding", "source"), id="presiding.source"),
        pytest.param(("presiding", "recused_reads_item"), id="presiding.recused_reads_item"),
        pytest.param(("presiding", "recused_reads_source"), id="presiding.recused_reads_source"),
    ],
)
def test_parse_profile_missing_key_raises(path):
    data = copy.deepcopy(_raw())
    table = data
    for key in path[:-1]:
        table = table[key]
    del table[path[-1]]
    with pytest.raises(ProfileError):
        parse_profile(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        pytest.param(("passing", "num"), 3, id="fraction-above-one"),
        pytest.param(("quorum", "plenary", "den"), 0, id="zero-denominator"),
        pytest.param(("recusal", "categories"), ["nonsense"], id="unknown-category"),
        pytest.param(("preparation", "personnel"), ["nonsense"], id="unknown-step"),
        pytest.param(("large_funds", "threshold_yuan"), "lots", id="non-integer-threshold"),
        pytest.param(("presiding", "rule"), "by_lot", id="unknown-presiding-rule"),
        pytest.param(("presiding", "recused_reads_item"), "no", id="non-boolean-recused-reads"),
    ],
)
def test_parse_profile_bad_value_raises(path, value):
    data = copy.deepcopy(_raw())
    table = data
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value
    with pytest.raises(ProfileError):
        parse_profile(data)


def test_available_profiles_contains_the_default():
    names = [p.name for p in available_profiles()]
    assert "taobei-2023" in names


def test_relation_types_are_the_six_of_domain_md():
    assert set(relation_types()) == {"SELF", "SPOUSE", "LINEAL", "COLLATERAL_3", "IN_LAW", "OTHER"}


@pytest.mark.parametrize("code", ["SELF", "SPOUSE", "LINEAL", "COLLATERAL_3", "IN_LAW", "OTHER"])
def test_every_relation_type_recuses(code):
    t = relation_types()[code]
    assert t.code == code
    assert t.recuse is True
    assert t.label.strip() != ""


@pytest.mark.parametrize(
    ("code", "reason_required"),
    [
        pytest.param("SELF", False, id="SELF"),
        pytest.param("SPOUSE", False, id="SPOUSE"),
        pytest.param("LINEAL", False, id="LINEAL"),
        pytest.param("COLLATERAL_3", False, id="COLLATERAL_3"),
        pytest.param("IN_LAW", False, id="IN_LAW"),
        pytest.param("OTHER", True, id="OTHER-needs-reason"),
    ],
)
def test_relation_type_reason_required(code, reason_required):
    assert relation_types()[code].reason_required is reason_required
