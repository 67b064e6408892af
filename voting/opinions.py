"""Who may speak now, what counts, the tally and the result.

seed 003 §四(二)2: 参会人员要对决策事项逐一发表意见，明确表示同意、不同意或缓议的意见并说明理由。会议主持人应当最后
发表意见。因故不能参加会议的班子成员可以通过书面形式表达本人意见。
seed 003 §四(二)3: 实行一事一议。赞成数超过应到会成员半数方为通过。
国务院令第713号 第30条: 行政首长在集体讨论的基础上作出决定；与多数人意见不一致的，应当在会上说明理由。
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .fractions import Fraction
from .profiles import Profile
from .vocabulary import ItemResult, Stance

REASON_REQUIRED = frozenset({Stance.DISAGREE, Stance.DEFER})  # a stance's text finds it too (StrEnum)


def reason_required(stance: Stance | str) -> bool:
    """不同意 and 缓议 must state a reason; 同意 may (seed 003 §四(二)2 "说明理由"; ux.md)."""
    return Stance(stance) in REASON_REQUIRED


def waiting_count(*, eligible: int, spoken: int, chair_eligible: bool, chair_spoken: bool) -> int:
    """How many members the chair still waits for, from counts, for a room read by a database's aggregates: ``eligible`` members
    (the chair among them when ``chair_eligible``), ``spoken`` of them have spoken (the chair among them when
    ``chair_spoken``). The chair speaks last and waits for the others (seed 003 §四(二)2; 713号 第30条)."""
    if not 0 <= spoken <= eligible or (chair_spoken and not chair_eligible) or (chair_eligible and eligible < 1):
        raise ValueError("inconsistent counts")
    chair_outstanding = 1 if chair_eligible and not chair_spoken else 0
    return eligible - spoken - chair_outstanding


def awaited(
    *, chair_id: int, eligible: Iterable[int], spoken: Iterable[int], joined_after_chair: Iterable[int] = ()
) -> frozenset[int]:
    """Members the result still waits for before it can be announced.

    Before the chair speaks: every eligible member, the chair last (seed 003 §四(二)2). The chair's statement
    closes the round of opinions: a member who joins the room after the chair has spoken missed the deliberation
    of this item, takes no part in it, and the result does not wait for them.
    """
    waiting = frozenset(eligible) - frozenset(spoken) - frozenset(joined_after_chair)
    return waiting


def tallied_written(
    written: Iterable[tuple[int, Stance | str]], *, spoke_in_room: Iterable[int], recused: Iterable[int]
) -> list[Stance]:
    """The written opinions that may enter the tally, as stances.

    A written opinion stands for a member who cannot attend (seed 003 §四(二)2: 因故不能参加会议的班子成员可以通过
    书面形式表达本人意见). Once that member states an opinion in the room, or is recused from the item, the written
    one stays in the record but is not tallied: one member, one voice.
    """
    excluded = frozenset(spoke_in_room) | frozenset(recused)
    return [Stance(stance) for person, stance in written if person not in excluded]


def decision_base(n_members: int, recused: int, *, recused_in_n: bool) -> int:
    """The N of the pass test for one item.

    Default (domain.md, the stricter reading): a recused member stays in N. A profile may set N minus the recused.
    """
    if recused < 0 or recused > n_members:
        raise ValueError("recused count out of range")
    return n_members if recused_in_n else n_members - recused


@dataclass(frozen=True)
class Tally:
    agree: int
    disagree: int
    defer: int
    written_agree: int
    written_disagree: int
    written_defer: int
    written_counted: bool
    n: int  # the base of the pass test (应到会成员, per profile)
    fraction: Fraction

    @property
    def yes(self) -> int:
        """Yes votes that count: those present, plus written ones only when the profile counts them."""
        return self.agree + (self.written_agree if self.written_counted else 0)

    @property
    def needed(self) -> int:
        return self.fraction.needed(self.n)

    @property
    def passes(self) -> bool:
        """赞成数超过应到会成员半数: 2·yes > N (seed 003 §四(二)3; 民法典 第1259条)."""
        return self.n > 0 and self.fraction.met(self.yes, self.n)

    def as_dict(self) -> dict:
        return {
            "agree": self.agree,
            "disagree": self.disagree,
            "defer": self.defer,
            "written_agree": self.written_agree,
            "written_disagree": self.written_disagree,
            "written_defer": self.written_defer,
            "written_counted": self.written_counted,
            "yes": self.yes,
            "n": self.n,
            "needed": self.needed,
            "passes": self.passes,
            "rule": self.fraction.label,
            "source": self.fraction.source,
        }


def _named(counted: Mapping[Stance | str, int]) -> dict[Stance, int]:
    counts = {s: 0 for s in Stance}
    for s, k in counted.items():
        if k < 0:
            raise ValueError("negative count")
        counts[Stance(s)] += k
    return counts


def tally(opinions: Iterable[Stance | str], written: Iterable[Stance | str], *, n: int, profile: Profile) -> Tally:
    """Count the opinions given in the room and the written opinions of absentees.

    缓议 counts as not-yes. Written opinions are recorded always and counted only if the profile says so
    (seed 003 §四(二)2 records them; some bodies, e.g. a 党支部 admitting members, count them).
    """
    # counted as given, then named: a 3,000-seat tally is counted in C, not a Stance() per seat
    return tally_of_counts(Counter(opinions), Counter(written), n=n, profile=profile)


def tally_of_counts(
    given: Mapping[Stance | str, int], written: Mapping[Stance | str, int], *, n: int, profile: Profile
) -> Tally:
    """:func:`tally` from the number of opinions per stance (a database's ``GROUP BY``), the same rules: 缓议 is
    not yes; written opinions (those :func:`tallied_written` lets in) count only if the profile says so
    (seed 003 §四(二)2, §四(二)3)."""
    o, w = _named(given), _named(written)
    return Tally(
        agree=o[Stance.AGREE],
        disagree=o[Stance.DISAGREE],
        defer=o[Stance.DEFER],
        written_agree=w[Stance.AGREE],
        written_disagree=w[Stance.DISAGREE],
        written_defer=w[Stance.DEFER],
        written_counted=profile.count_written_opinions,
        n=n,
        fraction=profile.passing,
    )


def round_tally(
    *,
    members: int,
    recused: Iterable[int],
    given: Mapping[Stance | str, int],
    written: Iterable[tuple[int, Stance | str]],
    spoke_in_room: Iterable[int],
    profile: Profile,
) -> Tally:
    """One round's tally from plain facts, the one way every path counts: ``members`` of the body (应到会成员),
    those ``recused`` from the item, the opinions given in the room per stance, the written opinions
    ``(person, stance)`` and who has spoken in the room. N per :func:`decision_base`; the written opinions
    :func:`tallied_written` lets in; counted per :func:`tally_of_counts` (白洮政发〔2023〕14号 四（二）2、3)."""
    recused = frozenset(recused)
    n = decision_base(members, len(recused), recused_in_n=profile.recused_in_n)
    counted = tallied_written(written, spoke_in_room=spoke_in_room, recused=recused)
    return tally_of_counts(given, Counter(counted), n=n, profile=profile)


def can_still_pass(t: Tally, outstanding: int) -> bool:
    """Could the item still pass if every eligible member who has not spoken agreed?

    When this is false the room must say so: quorate, yet the pass threshold is out of reach.
    """
    return t.n > 0 and t.fraction.met(t.yes + outstanding, t.n)


def majority_result(t: Tally) -> ItemResult:
    """Majority mode: passed when 2·yes > N, else not passed (seed 003 §四(二)3)."""
    return ItemResult.PASSED if t.passes else ItemResult.NOT_PASSED


def head_decision_result(adopt: bool) -> ItemResult:
    return ItemResult.HEAD_ADOPTED if adopt else ItemResult.HEAD_REJECTED


def head_against_majority(adopt: bool, t: Tally) -> bool:
    """Does the head decide against the majority view? Then reasons must be stated in the meeting (713号 第30条)."""
    return adopt != t.passes


def may_reconsider(agreeing: int, n_members: int, profile: Profile) -> bool:
    """复议: reopening a decided item needs more than half of all members to agree (党政领导干部选拔任用工作条例)."""
    return n_members > 0 and profile.reconsideration.met(agreeing, n_members)
