"""Exact money: amounts in fen, a cap compared on amounts (never on a rate derived from rounded
amounts), and percentages worded for people with at most two decimals.

``over_cap`` is the one comparison of a bond or retention with its cap: the contract terms rules,
the finance audits (database and batch) and the batch audit's hot path all call it.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

FEN = Decimal("0.01")
_HUNDRED = Decimal(100)


def fen(yuan: Decimal) -> int:
    """Yuan to whole fen, half up, as contracts state amounts."""
    return int(yuan.quantize(FEN, rounding=ROUND_HALF_UP) * 100)


@lru_cache(maxsize=256)
def _ratio(rate: Decimal) -> tuple[int, int]:
    return rate.as_integer_ratio()


def cap_fen(whole_fen: int, cap_rate: Decimal) -> int:
    """The cap amount: ``whole_fen`` × ``cap_rate`` rounded half up to the fen (integers only)."""
    numerator, denominator = _ratio(cap_rate)
    product = whole_fen * numerator
    sign = -1 if product < 0 else 1
    return sign * ((2 * abs(product) + denominator) // (2 * denominator))


def over_cap(part_fen: int, whole_fen: int, cap_rate: Decimal) -> bool:
    """Whether an amount (a bond, a retention) exceeds ``cap_rate`` of the contract amount.

    Exactly the cap is not over it; one fen more is.
    """
    return part_fen > cap_fen(whole_fen, cap_rate)


def rate_over_cap(amount: Decimal, rate: Decimal, cap_rate: Decimal) -> bool:
    """``over_cap`` for a part given as a rate of ``amount`` (its amount is ``amount`` × ``rate``,
    to the fen: a rate derived from a stated amount gives that amount back)."""
    return over_cap(fen(amount * rate), fen(amount), cap_rate)


def percent_text(rate: Decimal) -> str:
    """``Decimal("0.1")`` -> ``10%``; ``Decimal("0.10000000117")`` -> ``10%``; at most two decimals."""
    percent = (rate * _HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP).normalize()
    return f"{percent:f}%"
