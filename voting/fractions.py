"""Integer threshold arithmetic. No floats anywhere: every test is a product of integers.

民法典 第1259条: "以上、以下、以内、届满" include the number itself; "不满、超过、以外" do not.
So "三分之二以上" (two-thirds or more) is ``part*den >= num*whole`` and "超过半数" (more than half) is
``2*part > whole``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fraction:
    """A share of a whole, inclusive ("以上") or strict ("超过")."""

    num: int
    den: int
    inclusive: bool
    source: str
    label: str  # 二分之一 / 三分之二 / 半数 …, how the rule says it

    def __post_init__(self) -> None:
        if self.den <= 0 or self.num < 0 or self.num > self.den:
            raise ValueError(f"invalid fraction {self.num}/{self.den}")

    def met(self, part: int, whole: int) -> bool:
        """Does ``part`` of ``whole`` reach this fraction? (民法典 第1259条 for inclusive vs strict)."""
        if self.inclusive:
            return part * self.den >= self.num * whole
        return part * self.den > self.num * whole

    def needed(self, whole: int) -> int:
        """The smallest integer ``part`` for which :meth:`met` holds."""
        if self.inclusive:
            return -(-self.num * whole // self.den)
        return self.num * whole // self.den + 1


def at_least(part: int, whole: int, num: int, den: int) -> bool:
    """``num/den 以上``: part·den ≥ num·whole (民法典 第1259条: 以上 includes the number)."""
    return part * den >= num * whole


def more_than_half(part: int, whole: int) -> bool:
    """``超过半数`` / ``过半数``: 2·part > whole (民法典 第1259条: 超过 excludes the number)."""
    return 2 * part > whole
