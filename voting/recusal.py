"""Who must recuse (回避) from an item, from the relations graph and the item's subjects.

seed 003 §四(二)5: 会议讨论和决定干部任免事项，涉及参会人员本人及其近亲属的，本人应当回避。
公务员法 第74条 (夫妻、直系血亲、三代以内旁系血亲、近姻亲) and 第76条 (本人或其近亲属有利害关系；其他可能影响公正的).
The types and whether each requires recusal are data (``voting/relations.toml``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .profiles import Profile, RelationType
from .vocabulary import ItemCategory


@dataclass(frozen=True)
class Relation:
    """A relation between two people. Kinship is symmetric, so the order of a and b does not matter."""

    a: int
    b: int
    type: str
    reason: str = ""


@dataclass(frozen=True)
class RecusalGround:
    person_id: int
    subject_id: int
    relation_type: str  # "SELF" when the member is the subject
    reason: str
    source: str


def relation_valid(relation: Relation, types: Mapping[str, RelationType]) -> str | None:
    """Why a relation cannot be stored, or None. OTHER needs a stated reason (公务员法 第76条(三))."""
    t = types.get(relation.type)
    if t is None:
        return "unknown_type"
    if relation.a == relation.b:
        return "same_person"
    if t.reason_required and not relation.reason.strip():
        return "reason_required"
    return None


def applies_to(category: ItemCategory | str, profile: Profile) -> bool:
    """Automatic recusal applies to the profile's categories: personnel items by default (seed 003 §四(二)5)."""
    return ItemCategory(category) in profile.recusal_categories


def required_recusals(
    participants: Iterable[int],
    subjects: Iterable[int],
    relations: Iterable[Relation],
    types: Mapping[str, RelationType],
) -> list[RecusalGround]:
    """Every participant who is a subject, or related to one by a recusing relation type.

    One ground per participant (the first found, the participant-is-subject case first), in participant order.
    """
    subjects = list(dict.fromkeys(subjects))
    subject_set = set(subjects)
    by_person: dict[int, list[Relation]] = {}
    for rel in relations:
        by_person.setdefault(rel.a, []).append(rel)
        by_person.setdefault(rel.b, []).append(rel)
    grounds: list[RecusalGround] = []
    for person in dict.fromkeys(participants):
        if person in subject_set:
            grounds.append(RecusalGround(person, person, "SELF", "本人为该议题的任免对象", types["SELF"].source))
            continue
        for rel in by_person.get(person, []):
            other = rel.b if rel.a == person else rel.a
            t = types.get(rel.type)
            if other in subject_set and t is not None and t.recuse:
                grounds.append(RecusalGround(person, other, rel.type, rel.reason or t.label, t.source))
                break
    return grounds
