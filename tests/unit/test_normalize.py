"""Quantities with comparators, and offsets that point back into the original text."""

from decimal import Decimal

import pytest

from rules.barriers.normalize import Comparator, QuantityKind, extract_quantities


def only(text: str, kind: QuantityKind) -> tuple[Decimal, Comparator | None, str]:
    found = [q for q in extract_quantities(text) if q.kind is kind]
    assert len(found) == 1, found
    q = found[0]
    assert text[q.start : q.end] == q.text  # offsets are into the original, full width or not
    return q.value, q.comparator, q.text


@pytest.mark.parametrize(
    ("text", "yuan", "comparator"),
    [
        ("注册资本不低于500万元", "5000000", Comparator.GE),
        ("注册资金须达到人民币壹仟万元（含）以上", "10000000", Comparator.GE),
        ("营业收入≥２０００万元", "20000000", Comparator.GE),
        ("年营业收入不低于5亿元", "500000000", Comparator.GE),
        ("注册资本1,000万元及以上的得5分", "10000000", Comparator.GE),
        ("营业额超过两千万元", "20000000", Comparator.GT),
        ("投标报价不得超过预算金额500万元", "5000000", None),
        ("总资产0.5亿元", "50000000", None),
        ("报价不超过100万元", "1000000", Comparator.LE),
        ("不足50万元", "500000", Comparator.LT),
    ],
)
def test_amounts_come_out_in_yuan_with_their_comparator(
    text: str, yuan: str, comparator: Comparator | None
) -> None:
    value, found, _ = only(text, QuantityKind.AMOUNT)
    assert value == Decimal(yuan)
    assert found is comparator


def test_years_counts_percentages_and_dates() -> None:
    assert only("须成立三年以上", QuantityKind.YEARS)[:2] == (Decimal(3), Comparator.GE)
    assert only("成立满十年的得3分", QuantityKind.YEARS)[:2] == (Decimal(10), Comparator.GE)
    assert only("从业人员不少于100人", QuantityKind.COUNT)[:2] == (Decimal(100), Comparator.GE)
    assert only("资产负债率不得高于60%", QuantityKind.PERCENT)[:2] == (Decimal("0.6"), Comparator.LE)
    assert only("须于2020年1月1日以前注册成立", QuantityKind.DATE)[:2] == (Decimal(2020), Comparator.LT)


@pytest.mark.parametrize(
    ("text", "share", "comparator"),
    [
        ("投标保证金为预算金额的百分之五", "0.05", None),
        ("不超过百分之二点五", "0.025", Comparator.LE),
        ("履约保证金为合同金额的百分之十五", "0.15", None),
        ("百分之1.5", "0.015", None),
        ("百分之〇点五", "0.005", None),
    ],
)
def test_percentages_written_out_are_percentages_not_points(
    text: str, share: str, comparator: Comparator | None
) -> None:
    assert only(text, QuantityKind.PERCENT)[:2] == (Decimal(share), comparator)
    assert [q for q in extract_quantities(text) if q.kind is QuantityKind.POINTS] == []


def test_a_year_label_is_no_duration() -> None:
    assert [q for q in extract_quantities("2024年度营业收入") if q.kind is QuantityKind.YEARS] == []


def test_offsets_survive_full_width_digits_inside_longer_text() -> None:
    text = "第二章　资格要求：投标人注册资本不低于５００万元，成立３年以上。"
    amounts = [q for q in extract_quantities(text) if q.kind is QuantityKind.AMOUNT]
    assert [(text[q.start : q.end], q.value) for q in amounts] == [("５００万元", Decimal(5_000_000))]


def test_extraction_can_be_limited_to_a_window_and_keeps_absolute_offsets() -> None:
    text = "注册资本500万元，资产总额3000万元"
    window = extract_quantities(text, text.index("资产"))
    assert [q.text for q in window] == ["3000万元"]
    assert window[0].start == text.index("3000")
