"""May the meeting open; may this item be decided.

seed 003 §四(二)1: 区政府全体会议应当有三分之二以上的组成人员到会方可召开；区政府常务会议、党组会议应当有半数以上
组成人员到会方可召开；区政府党组推荐、提名、任免干部事项的会议，必须有三分之二以上组成人员到会方可召开。
The fractions come from the rule profile (``voting/profiles/*.toml``); these functions only apply them.
N (应到会成员) counts every member of the body, including those on leave; vacant seats are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fractions import Fraction
from .profiles import Profile
from .vocabulary import ItemCategory, MeetingKind


@dataclass(frozen=True)
class QuorumCheck:
    ok: bool
    present: int
    n: int
    needed: int
    fraction: Fraction

    @property
    def source(self) -> str:
        return self.fraction.source

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "present": self.present,
            "n": self.n,
            "needed": self.needed,
            "fraction": self.fraction.label,
            "source": self.fraction.source,
        }


def _check(present: int, n: int, fraction: Fraction) -> QuorumCheck:
    if present < 0 or n < 0:
        raise ValueError("counts cannot be negative")
    if present > n:
        raise ValueError(f"present ({present}) cannot exceed the members who should attend ({n})")
    # A body with no members can never meet: "以上" of zero would be met by zero people.
    ok = n > 0 and fraction.met(present, n)
    return QuorumCheck(ok=ok, present=present, n=n, needed=max(fraction.needed(n), 1), fraction=fraction)


def meeting_quorum(kind: MeetingKind | str, present: int, n: int, profile: Profile) -> QuorumCheck:
    """May a meeting of this kind open with ``present`` of ``n`` members?

    Plenary 3·present ≥ 2·N; executive and party-group 2·present ≥ N (seed 003 §四(二)1, 民法典 第1259条).
    """
    return _check(present, n, profile.meeting_quorum(MeetingKind(kind)))


def item_quorum(
    kind: MeetingKind | str, category: ItemCategory | str, present: int, n: int, profile: Profile
) -> QuorumCheck:
    """May this item be decided with ``present`` members in the room for it?

    A personnel item (推荐、提名、任免干部) needs 3·present ≥ 2·N whatever the meeting type (seed 003 §四(二)1;
    党政领导干部选拔任用工作条例); other items need the meeting's own quorum. ``present`` excludes members recused
    from the item when the profile says recused members count as not present (the default, domain.md).
    """
    category = ItemCategory(category)
    meeting_fraction = profile.meeting_quorum(MeetingKind(kind))
    if category in profile.two_thirds_categories:
        item_fraction = profile.personnel_quorum
        # never weaker than the meeting's own rule (a plenary already needs two-thirds)
        if item_fraction.num * meeting_fraction.den < meeting_fraction.num * item_fraction.den:
            item_fraction = meeting_fraction
        return _check(present, n, item_fraction)
    return _check(present, n, meeting_fraction)
