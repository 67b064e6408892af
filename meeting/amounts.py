"""Amounts as an office writes them: "1850万元", "1,850万", "0.5亿", "¥1,850万", "１８５０万", or a bare "1850".

The item form asks for 万元 (how 议题 and 会议纪要 state money), so a bare number is 万元; "…元" without 万 or 亿
is yuan. The model stores whole yuan (``AgendaItem.amount_yuan``), so the result is an int of yuan.
A pure function: no request, no database.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_YUAN = 10**15  # schemas.Money

# full-width digits, comma, point, minus and yen to their ASCII forms
_WIDE = str.maketrans("０１２３４５６７８９，．－＋￥", "0123456789,.-+¥")
_SHAPE = re.compile(r"^(?P<sign>[-+]?)¥?(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<unit>万元|万|亿元|亿|元)?$")
_UNITS = {None: Decimal(10000), "万": Decimal(10000), "万元": Decimal(10000), "亿": Decimal(10**8)}
_UNITS.update({"亿元": Decimal(10**8), "元": Decimal(1)})


class AmountError(ValueError):
    """An amount that cannot be read; ``str(err)`` is the plain Chinese said to the secretary."""


def parse_amount(text: str | None) -> int | None:
    """The amount in yuan, or None for an empty field; :class:`AmountError` with a plain sentence otherwise."""
    raw = (text or "").translate(_WIDE)
    raw = re.sub(r"[\s\u3000]", "", raw).replace("人民币", "")
    if raw.startswith("-¥") or raw.startswith("¥-"):
        raise AmountError("金额不能为负数")
    if not raw:
        return None
    found = _SHAPE.match(raw)
    if found is None:
        raise AmountError("金额写法无法识别，请写成如“1850万元”“0.5亿元”或“1850”（万元）")
    if found["sign"] == "-":
        raise AmountError("金额不能为负数")
    number = found["number"]
    if ",," in number or number.endswith(","):
        raise AmountError("金额中的千位分隔符位置不对，请写成如“1,850万元”")
    try:
        value = Decimal(number.replace(",", "")) * _UNITS[found["unit"]]
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise AmountError("金额写法无法识别") from None
    if value != value.to_integral_value():
        raise AmountError("金额最多精确到元（万元后最多四位小数）")
    if value > MAX_YUAN:
        raise AmountError("金额过大，请核对单位（万元、亿元）")
    return int(value)


def wan_text(amount_yuan: int | None) -> str:
    """What the form shows for a stored amount: yuan → 万元 without trailing zeros (18505000 → "1850.5")."""
    if amount_yuan is None:
        return ""
    wan = Decimal(amount_yuan) / Decimal(10000)
    return format(wan.normalize(), "f") if wan != wan.to_integral_value() else str(int(wan))
