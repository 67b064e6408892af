"""Amounts as an office writes them (meeting/amounts.py): a table of what is typed → whole yuan, and the bad ones
refused in plain Chinese."""

from __future__ import annotations

import pytest

from meeting.amounts import AmountError, parse_amount, wan_text

READ = [
    ("1850万元", 18_500_000),
    ("1,850万", 18_500_000),
    ("1，850万元", 18_500_000),
    ("0.5亿", 50_000_000),
    ("0.5亿元", 50_000_000),
    ("1850", 18_500_000),  # the field is in 万元
    ("1850.5万元", 18_505_000),
    ("¥1,850万", 18_500_000),
    ("￥1,850万", 18_500_000),
    ("１８５０万", 18_500_000),
    ("１，８５０．５万元", 18_505_000),
    (" 1850 万元 ", 18_500_000),
    ("人民币1850万元", 18_500_000),
    ("1850元", 1_850),
    ("18,500,000元", 18_500_000),
    ("0.0001万", 1),
    ("0", 0),
    ("", None),
    ("   ", None),
    (None, None),
]


@pytest.mark.parametrize(("typed", "yuan"), READ)
def test_an_amount_is_read_as_written(typed, yuan):
    assert parse_amount(typed) == yuan


BAD = [
    ("abc", "金额写法无法识别"),
    ("1..2万", "金额写法无法识别"),
    ("一千万", "金额写法无法识别"),
    ("1850美元", "金额写法无法识别"),
    ("万元", "金额写法无法识别"),
    ("-5", "金额不能为负数"),
    ("-1850万元", "金额不能为负数"),
    ("－１８５０万", "金额不能为负数"),
    ("¥-5万", "金额不能为负数"),
    ("1,,850万", "千位分隔符"),
    ("1850,万", "千位分隔符"),
    ("0.00001万", "金额最多精确到元"),
    ("1.5元", "金额最多精确到元"),
    ("99999999999亿", "金额过大"),
]


@pytest.mark.parametrize(("typed", "said"), BAD)
def test_a_bad_amount_is_refused_in_plain_chinese(typed, said):
    with pytest.raises(AmountError) as err:
        parse_amount(typed)
    assert said in str(err.value)
    assert not any(w in str(err.value) for w in ("int", "JSON", "payload", "validation", "yuan"))


@pytest.mark.parametrize(("yuan", "shown"), [(18_500_000, "1850"), (18_505_000, "1850.5"), (1, "0.0001"), (None, "")])
def test_a_stored_amount_is_shown_in_wan_and_reads_back(yuan, shown):
    assert wan_text(yuan) == shown
    assert parse_amount(shown) == yuan
