"""Amounts in Chinese capital numerals (大写金额), as contracts and bank documents write them."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from rules.errors import InvalidInput

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")
_FEN = Decimal("0.01")
_LIMIT = 10**16  # 万亿 groups end here


def _group(number: int) -> str:
    """1..9999 in capitals, with 零 for inner gaps (1005 -> 壹仟零伍)."""
    text = ""
    gap = False
    for position in (3, 2, 1, 0):
        digit = number // 10**position % 10
        if digit == 0:
            gap = bool(text)
            continue
        if gap:
            text += "零"
            gap = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def _integer(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text = ""
    gap = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _group(group) + _GROUP_UNITS[index]
        gap = False
    return text


@lru_cache(maxsize=4096)
def yuan_in_capitals(amount: Decimal) -> str:
    """``Decimal("123456.78")`` -> ``人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分`` (rounded to the fen)."""
    if amount.is_nan() or amount.is_infinite() or amount < 0:
        raise InvalidInput(
            f"金额 {amount} 无效：应为非负数", f"amount {amount} is invalid: must be >= 0", field="amount"
        )
    fen_total = int(amount.quantize(_FEN, rounding=ROUND_HALF_UP) * 100)
    yuan, fen_part = divmod(fen_total, 100)
    if yuan >= _LIMIT:
        raise InvalidInput("金额过大", "amount too large", field="amount")
    jiao, fen = divmod(fen_part, 10)
    text = _integer(yuan)
    if yuan:
        text += "元"
    if not jiao and not fen:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return "人民币" + text
