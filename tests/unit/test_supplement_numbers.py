"""Clause numbers of the Word supplement in Chinese contract style (第一条 … 第二十一条)."""

import pytest

from procurement.terms.supplement import chinese_ordinal


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (115, "一百一十五"),
        (120, "一百二十"),
    ],
)
def test_clause_numbers_read_as_chinese_contracts_write_them(number: int, text: str) -> None:
    assert chinese_ordinal(number) == text
