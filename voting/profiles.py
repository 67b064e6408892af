"""Rule profiles: which fractions, which settings, each with its source (``voting/profiles/*.toml``).

Where the sources disagree with each other the product makes the rule configurable (domain.md); a profile is that
configuration, loaded from a data file so that a body can adopt its own rules without code changes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from .deadlines import Period, WarningThresholds
from .fractions import Fraction
from .vocabulary import ItemCategory, MeetingKind, PreparationStep

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "taobei-2023"
# names a profile was known by before, accepted on input (old scripts, API clients, stored rows not yet migrated) and
# mapped to today's; never shown
LEGACY_NAMES = MappingProxyType({"seed003": "taobei-2023"})


class ProfileError(ValueError):
    """A profile file is missing or malformed."""


@dataclass(frozen=True)
class RelationType:
    code: str
    label: str
    examples: str
    source: str
    recuse: bool
    reason_required: bool
    kinship: tuple[str, ...] = ()  # 父子、夫妻 …: the words for a relation of this type (relations.toml)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    source: str
    quorum: Mapping[MeetingKind, Fraction]
    personnel_quorum: Fraction
    two_thirds_categories: frozenset[ItemCategory]
    passing: Fraction
    count_written_opinions: bool
    recused_in_n: bool
    reconsideration: Fraction
    recusal_categories: frozenset[ItemCategory]
    recusal_source: str
    large_funds_threshold_yuan: int
    preparation: Mapping[ItemCategory, tuple[PreparationStep, ...]]
    preparation_source: str
    execution: "ExecutionSettings"
    # who presides over an item the chair is recused from (voting/presiding.py), and its source
    presiding_rule: str = "next_in_seniority"
    presiding_source: str = ""
    # may a member recused from an item read, after the meeting, who said what on it (the record's named opinions
    # and tally)? Default: no — he left the item, and its deliberation is not disclosed to him
    recused_reads_item: bool = False
    recused_reads_source: str = ""

    def meeting_quorum(self, kind: MeetingKind) -> Fraction:
        return self.quorum[kind]

    def required_steps(self, category: ItemCategory | str) -> tuple[PreparationStep, ...]:
        return self.preparation.get(ItemCategory(category), ())


@dataclass(frozen=True)
class ExecutionSettings:
    """The profile's ``[execution]`` section: periods computed, never typed (see voting/deadlines.py)."""

    plan_due: Period
    warning: WarningThresholds
    npc: Mapping[str, Period]  # department_plan | government_plan | reply | report


NPC_PERIODS = ("department_plan", "government_plan", "reply", "report")


def _period(table: dict, where: str) -> Period:
    try:
        return Period(
            amount=int(table["amount"]),
            unit=str(table["unit"]),
            label=str(table.get("label", "")),
            source=str(table["source"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: {exc}") from exc


def _execution(data: dict) -> ExecutionSettings:
    ex = data["execution"]
    w = ex["warning"]
    try:
        warning = WarningThresholds(
            blue_days=int(w["blue_days"]), yellow_days=int(w["yellow_days"]), source=str(w["source"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"execution.warning: {exc}") from exc
    return ExecutionSettings(
        plan_due=_period(ex["plan_due"], "execution.plan_due"),
        warning=warning,
        npc=MappingProxyType({k: _period(ex["npc"][k], f"execution.npc.{k}") for k in NPC_PERIODS}),
    )


def _presiding(data: dict) -> dict:
    """The ``[presiding]`` section: who chairs an item the chair is recused from; whether a recused member may
    read that item's opinions afterwards. Each with its source."""
    from .presiding import PresidingRule

    p = data["presiding"]
    if not isinstance(p["recused_reads_item"], bool):
        raise ProfileError("presiding.recused_reads_item: true or false")
    return {
        "presiding_rule": str(PresidingRule(p["rule"])),
        "presiding_source": str(p["source"]),
        "recused_reads_item": p["recused_reads_item"],
        "recused_reads_source": str(p["recused_reads_source"]),
    }


def _fraction(table: dict, where: str) -> Fraction:
    try:
        return Fraction(
            num=int(table["num"]),
            den=int(table["den"]),
            inclusive=bool(table["inclusive"]),
            source=str(table["source"]),
            label=str(table["label"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: {exc}") from exc


def parse_profile(data: dict) -> Profile:
    """Build a :class:`Profile` from parsed TOML, refusing anything incomplete."""
    try:
        quorum = {kind: _fraction(data["quorum"][kind.value], f"quorum.{kind.value}") for kind in MeetingKind}
        personnel = data["personnel_quorum"]
        passing = data["passing"]
        prep = data["preparation"]
        preparation = {cat: tuple(PreparationStep(step) for step in prep.get(cat.value, ())) for cat in ItemCategory}
        return Profile(
            name=str(data["name"]),
            title=str(data["title"]),
            source=str(data["source"]),
            quorum=MappingProxyType(quorum),
            personnel_quorum=_fraction(personnel, "personnel_quorum"),
            two_thirds_categories=frozenset(ItemCategory(c) for c in personnel.get("categories", ["personnel"])),
            passing=_fraction(passing, "passing"),
            count_written_opinions=bool(passing["count_written_opinions"]),
            recused_in_n=bool(passing["recused_in_n"]),
            reconsideration=_fraction(data["reconsideration"], "reconsideration"),
            recusal_categories=frozenset(ItemCategory(c) for c in data["recusal"]["categories"]),
            recusal_source=str(data["recusal"]["source"]),
            large_funds_threshold_yuan=int(data["large_funds"]["threshold_yuan"]),
            preparation=MappingProxyType(preparation),
            preparation_source=str(prep["source"]),
            execution=_execution(data),
            **_presiding(data),
        )
    except KeyError as exc:
        raise ProfileError(f"profile is missing {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise ProfileError(f"malformed profile: {exc}") from exc


def canonical_name(name: str) -> str:
    """Today's name of a profile: a legacy name mapped (``"seed003"`` → ``"taobei-2023"``), any other unchanged."""
    return LEGACY_NAMES.get(name, name)


def load_profile(name: str = DEFAULT_PROFILE) -> Profile:
    """Load ``voting/profiles/<name>.toml`` (cached, one shared immutable object per name); a legacy name is
    accepted for the profile it became."""
    return _load_profile(canonical_name(name))


@cache
def _load_profile(name: str) -> Profile:
    if not name.replace("_", "").replace("-", "").isalnum():
        raise ProfileError(f"invalid profile name {name!r}")
    path = PROFILE_DIR / f"{name}.toml"
    if not path.is_file():
        raise ProfileError(f"no rule profile named {name!r}")
    with path.open("rb") as fh:
        return parse_profile(tomllib.load(fh))


def available_profiles() -> list[Profile]:
    return [load_profile(p.stem) for p in sorted(PROFILE_DIR.glob("*.toml"))]


@cache
def relation_types() -> dict[str, RelationType]:
    """The relation types of 公务员法 第74、76条, from ``voting/relations.toml``."""
    with Path(__file__).with_name("relations.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {
        code: RelationType(
            code=code,
            label=str(t["label"]),
            examples=str(t["examples"]),
            source=str(t["source"]),
            recuse=bool(t["recuse"]),
            reason_required=bool(t["reason_required"]),
            kinship=tuple(str(k) for k in t.get("kinship", ())),
        )
        for code, t in data.items()
    }
