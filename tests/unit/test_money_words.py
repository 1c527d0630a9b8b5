"""Capital numerals for amounts: zeros, groups, jiao and fen, rounding and bad input."""

from decimal import Decimal

import pytest

from rules.errors import InvalidInput
from rules.money_words import yuan_in_capitals


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("123456.78", "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("0", "人民币零元整"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角"),
        ("1", "人民币壹元整"),
        ("10", "人民币壹拾元整"),
        ("1.05", "人民币壹元零伍分"),
        ("10.50", "人民币壹拾元伍角"),
        ("1005", "人民币壹仟零伍元整"),
        ("1010", "人民币壹仟零壹拾元整"),
        ("10010", "人民币壹万零壹拾元整"),
        ("100000", "人民币壹拾万元整"),
        ("400000", "人民币肆拾万元整"),
        ("1000000", "人民币壹佰万元整"),
        ("1000000.00", "人民币壹佰万元整"),
        ("2000000", "人民币贰佰万元整"),
        ("1001000", "人民币壹佰万壹仟元整"),
        ("1000100", "人民币壹佰万零壹佰元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("120000000", "人民币壹亿贰仟万元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("30000.07", "人民币叁万元零柒分"),
        ("0.005", "人民币壹分"),
        ("99.994", "人民币玖拾玖元玖角玖分"),
    ],
)
def test_amount_in_capitals(amount: str, words: str) -> None:
    assert yuan_in_capitals(Decimal(amount)) == words


def test_negative_amount_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        yuan_in_capitals(Decimal("-1"))
    assert caught.value.field == "amount"
