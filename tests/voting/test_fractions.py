"""Fraction arithmetic: 民法典 第1259条 — 以上 includes the number, 超过 does not."""

import pytest

from voting.fractions import Fraction, at_least, more_than_half

HALF_INCLUSIVE = Fraction(1, 2, True, "test", "半数以上")
HALF_STRICT = Fraction(1, 2, False, "test", "超过半数")
TWO_THIRDS = Fraction(2, 3, True, "test", "三分之二以上")


@pytest.mark.parametrize(
    ("fraction", "part", "whole", "expected"),
    [
        pytest.param(HALF_INCLUSIVE, 4, 8, True, id="half-inclusive-exactly-half-8"),
        pytest.param(HALF_INCLUSIVE, 3, 8, False, id="half-inclusive-one-below-8"),
        pytest.param(HALF_INCLUSIVE, 5, 8, True, id="half-inclusive-one-above-8"),
        pytest.param(HALF_INCLUSIVE, 4, 7, True, id="half-inclusive-4-of-7"),
        pytest.param(HALF_INCLUSIVE, 3, 7, False, id="half-inclusive-3-of-7"),
        pytest.param(HALF_STRICT, 4, 8, False, id="half-strict-exactly-half-8"),
        pytest.param(HALF_STRICT, 5, 8, True, id="half-strict-one-above-8"),
        pytest.param(HALF_STRICT, 3, 8, False, id="half-strict-one-below-8"),
        pytest.param(HALF_STRICT, 4, 7, True, id="half-strict-4-of-7"),
        pytest.param(HALF_STRICT, 3, 7, False, id="half-strict-3-of-7"),
        pytest.param(TWO_THIRDS, 6, 9, True, id="two-thirds-exactly-6-of-9"),
        pytest.param(TWO_THIRDS, 5, 9, False, id="two-thirds-one-below-5-of-9"),
        pytest.param(TWO_THIRDS, 7, 9, True, id="two-thirds-one-above-7-of-9"),
        pytest.param(TWO_THIRDS, 10, 15, True, id="two-thirds-exactly-10-of-15"),
        pytest.param(TWO_THIRDS, 9, 15, False, id="two-thirds-one-below-9-of-15"),
        pytest.param(TWO_THIRDS, 6, 8, True, id="two-thirds-6-of-8"),
        pytest.param(TWO_THIRDS, 5, 8, False, id="two-thirds-5-of-8"),
    ],
)
def test_fraction_met(fraction, part, whole, expected):
    assert fraction.met(part, whole) is expected


@pytest.mark.parametrize(
    ("fraction", "whole", "expected"),
    [
        pytest.param(HALF_INCLUSIVE, 7, 4, id="half-inclusive-N7"),
        pytest.param(HALF_INCLUSIVE, 8, 4, id="half-inclusive-N8"),
        pytest.param(HALF_INCLUSIVE, 9, 5, id="half-inclusive-N9"),
        pytest.param(HALF_INCLUSIVE, 11, 6, id="half-inclusive-N11"),
        pytest.param(HALF_INCLUSIVE, 15, 8, id="half-inclusive-N15"),
        pytest.param(TWO_THIRDS, 7, 5, id="two-thirds-N7"),
        pytest.param(TWO_THIRDS, 8, 6, id="two-thirds-N8"),
        pytest.param(TWO_THIRDS, 9, 6, id="two-thirds-N9"),
        pytest.param(TWO_THIRDS, 11, 8, id="two-thirds-N11"),
        pytest.param(TWO_THIRDS, 15, 10, id="two-thirds-N15"),
        pytest.param(HALF_STRICT, 7, 4, id="half-strict-N7"),
        pytest.param(HALF_STRICT, 8, 5, id="half-strict-N8"),
        pytest.param(HALF_STRICT, 9, 5, id="half-strict-N9"),
        pytest.param(HALF_STRICT, 10, 6, id="half-strict-N10"),
        pytest.param(HALF_STRICT, 11, 6, id="half-strict-N11"),
        pytest.param(HALF_STRICT, 15, 8, id="half-strict-N15"),
    ],
)
def test_fraction_needed(fraction, whole, expected):
    assert fraction.needed(whole) == expected


@pytest.mark.parametrize("fraction", [HALF_INCLUSIVE, HALF_STRICT, TWO_THIRDS], ids=["half-incl", "half-strict", "2/3"])
@pytest.mark.parametrize("whole", [1, 2, 3, 7, 8, 9, 10, 11, 15])
def test_needed_is_the_smallest_part_that_meets(fraction, whole):
    needed = fraction.needed(whole)
    assert fraction.met(needed, whole) is True
    assert fraction.met(needed - 1, whole) is False


@pytest.mark.parametrize(
    ("part", "whole", "num", "den", "expected"),
    [
        pytest.param(4, 8, 1, 2, True, id="at-least-half-exactly-4-of-8"),
        pytest.param(3, 8, 1, 2, False, id="at-least-half-3-of-8"),
        pytest.param(6, 9, 2, 3, True, id="at-least-two-thirds-exactly-6-of-9"),
        pytest.param(5, 9, 2, 3, False, id="at-least-two-thirds-5-of-9"),
        pytest.param(10, 15, 2, 3, True, id="at-least-two-thirds-exactly-10-of-15"),
        pytest.param(11, 15, 2, 3, True, id="at-least-two-thirds-11-of-15"),
    ],
)
def test_at_least(part, whole, num, den, expected):
    assert at_least(part, whole, num, den) is expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        pytest.param(4, 8, False, id="more-than-half-exactly-half-4-of-8"),
        pytest.param(5, 8, True, id="more-than-half-5-of-8"),
        pytest.param(5, 10, False, id="more-than-half-exactly-half-5-of-10"),
        pytest.param(6, 10, True, id="more-than-half-6-of-10"),
        pytest.param(4, 7, True, id="more-than-half-4-of-7"),
        pytest.param(3, 7, False, id="more-than-half-3-of-7"),
        pytest.param(0, 0, False, id="more-than-half-0-of-0"),
    ],
)
def test_more_than_half(part, whole, expected):
    assert more_than_half(part, whole) is expected


@pytest.mark.parametrize(
    ("num", "den"),
    [
        pytest.param(1, 0, id="zero-denominator"),
        pytest.param(1, -2, id="negative-denominator"),
        pytest.param(-1, 2, id="negative-numerator"),
        pytest.param(3, 2, id="numerator-above-denominator"),
    ],
)
def test_invalid_fraction_raises(num, den):
    with pytest.raises(ValueError):
        Fraction(num, den, True, "test", "bad")


@pytest.mark.parametrize(
    ("num", "den"),
    [pytest.param(0, 1, id="zero"), pytest.param(1, 1, id="whole"), pytest.param(2, 3, id="two-thirds")],
)
def test_valid_fraction_edges_construct(num, den):
    f = Fraction(num, den, True, "src", "lbl")
    assert (f.num, f.den, f.inclusive, f.source, f.label) == (num, den, True, "src", "lbl")
