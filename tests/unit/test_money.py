"""One comparison of a bond or retention with its cap, on amounts in fen: exactly the cap is not
over it, one fen more is, whatever rate the rounded amounts give; percentages for people."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rules.money import cap_fen, fen, over_cap, percent_text, rate_over_cap

TEN = Decimal("0.10")
THREE = Decimal("0.03")


def test_a_bond_of_exactly_the_cap_is_not_over_it() -> None:
    assert not over_cap(100_000_00, 1_000_000_00, TEN)


def test_one_fen_over_the_cap_is_over_it() -> None:
    assert over_cap(100_000_01, 1_000_000_00, TEN)


def test_one_fen_under_the_cap_is_not_over_it() -> None:
    assert not over_cap(99_999_99, 1_000_000_00, TEN)


def test_the_cap_amount_is_rounded_half_up_to_the_fen() -> None:
    # 10% of 1,234.55 yuan is 123.455: the contract states 123.46
    assert cap_fen(123455, TEN) == 12346
    assert not over_cap(12346, 123455, TEN)
    assert over_cap(12347, 123455, TEN)


def test_a_rate_a_hair_over_from_rounded_amounts_is_not_over() -> None:
    # the case: 8,543,210.99 yuan, a 10% bond stated as 854,321.10 (rate 0.1000000011…)
    amount, bond = Decimal("8543210.99"), Decimal("854321.10")
    rate = bond / amount
    assert rate > TEN
    assert not rate_over_cap(amount, rate, TEN)
    assert rate_over_cap(amount, (bond + Decimal("0.01")) / amount, TEN)


def test_works_retention_at_exactly_three_percent_and_one_fen_over() -> None:
    amount = Decimal("3333333.33")
    at_cap = Decimal("100000.00")  # 3% is 99,999.9999: the contract states 100,000.00
    assert not rate_over_cap(amount, at_cap / amount, THREE)
    assert rate_over_cap(amount, (at_cap + Decimal("0.01")) / amount, THREE)
    assert not rate_over_cap(amount, (at_cap - Decimal("0.01")) / amount, THREE)


@given(
    whole=st.integers(min_value=1, max_value=10**15),
    cap=st.sampled_from([TEN, THREE, Decimal("0.05"), Decimal("0.025"), Decimal("0.015")]),
)
def test_the_cap_amount_itself_is_never_over_and_one_fen_more_always_is(whole: int, cap: Decimal) -> None:
    at = cap_fen(whole, cap)
    assert at == fen(Decimal(whole) / 100 * cap)
    assert not over_cap(at, whole, cap)
    assert over_cap(at + 1, whole, cap)
    # the rate a source's stated amount gives, however many digits, decides as the amount does
    assert not rate_over_cap(Decimal(whole) / 100, Decimal(at) / whole, cap)


def test_percentages_for_people_have_at_most_two_decimals() -> None:
    assert percent_text(Decimal("0.1")) == "10%"
    assert percent_text(Decimal("0.10000000117")) == "10%"
    assert percent_text(Decimal("0.12345")) == "12.35%"
    assert percent_text(Decimal("0.005")) == "0.5%"
