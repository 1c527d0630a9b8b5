"""Chinese and Arabic numerals to exact Decimals, and the offset-keeping full-width translation."""

from decimal import Decimal

import pytest

from rules.barriers.cn_numbers import parse_chinese, parse_number, to_halfwidth


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("一百零五", 105),
        ("五百", 500),
        ("两千", 2000),
        ("壹仟", 1000),
        ("壹仟万", 10_000_000),
        ("伍佰万", 5_000_000),
        ("贰仟万", 20_000_000),
        ("五十万", 500_000),
        ("一亿五千万", 150_000_000),
        ("五亿", 500_000_000),
        ("二〇二四", 2024),
    ],
)
def test_chinese_numerals_are_read_exactly(text: str, value: int) -> None:
    assert parse_chinese(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,000", "1000"),
        ("0.5", "0.5"),
        ("２０００", "2000"),
        ("1.5亿", "150000000"),
        ("1,000万", "10000000"),
        ("5亿", "500000000"),
    ],
)
def test_arabic_numbers_take_separators_full_width_and_multipliers(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_words_that_are_not_numbers_give_none() -> None:
    assert parse_number("注册资本") is None
    assert parse_chinese("") is None


def test_halfwidth_translation_keeps_length_and_chinese_punctuation() -> None:
    text = "注册资本≥２０００万元（ＡＡＡ级），不低于５０％。"
    plain = to_halfwidth(text)
    assert len(plain) == len(text)
    assert "2000" in plain and "AAA" in plain and "50%" in plain
    assert "（" in plain and "，" in plain  # clause rules are written against Chinese punctuation
