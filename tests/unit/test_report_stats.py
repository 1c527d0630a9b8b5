"""The report accumulator: shares, rates, and merging that gives the same figures as one pass."""

from decimal import Decimal

from procurement.reports.stats import ContractFigures, StatsAccumulator


def fig(purchaser: str, region: str, fen: int, scale: str | None, **kw: int) -> ContractFigures:
    return ContractFigures(purchaser, f"name {purchaser}", region, fen, scale, **kw)


FIGURES = [
    fig(
        "B1",
        "650100",
        100_00,
        "micro",
        payments_due=2,
        payments_on_time=1,
        payments_paid=2,
        days_to_pay_total=50,
    ),
    fig("B1", "650100", 300_00, "sme", payments_due=1, overdue_fen=120_00, overdue_count=1),
    fig("B2", "650200", 600_00, "large", bonds_past_due_fen=30_00, bonds_past_due_count=1),
    fig("B3", "650200", 0, None, retention_past_due_fen=5_00, retention_past_due_count=1),
]


def test_shares_split_sme_and_small_micro() -> None:
    acc = StatsAccumulator()
    for f in FIGURES:
        acc.add(f)
    total = acc.overall()
    assert total.contracts == 4 and total.value == Decimal("1000")
    assert (total.sme_contracts, total.sme_value) == (2, Decimal("400"))
    assert total.sme_value_share == Decimal("0.4000")
    assert (total.small_micro_contracts, total.small_micro_value_share) == (1, Decimal("0.1000"))
    assert total.on_time_rate == Decimal("0.3333")  # 1 of 3 due
    assert total.average_days_to_pay == Decimal("25.0")
    assert total.overdue_amount == Decimal("120") and total.bonds_past_due_amount == Decimal("30")
    assert total.retention_past_due_count == 1


def test_groups_by_purchaser_and_region() -> None:
    acc = StatsAccumulator()
    for f in FIGURES:
        acc.add(f)
    b1 = next(acc.by_purchaser())
    assert (b1.key, b1.name, b1.contracts, b1.value) == ("B1", "name B1", 2, Decimal("400"))
    regions = {g.key: g for g in acc.by_region()}
    assert regions["650200"].sme_value_share == Decimal("0.0000")
    assert regions["650200"].on_time_rate is None  # nothing due: no rate, not 0%


def test_merged_partial_accumulators_equal_one_pass() -> None:
    one = StatsAccumulator()
    for f in FIGURES:
        one.add(f)
    left, right = StatsAccumulator(), StatsAccumulator()
    for i, f in enumerate(FIGURES):
        (left if i % 2 else right).add(f)
    merged = StatsAccumulator().merge(left).merge(right)
    assert merged.overall() == one.overall()
    assert list(merged.by_purchaser()) == list(one.by_purchaser())
    assert list(merged.by_region()) == list(one.by_region())


def test_empty_accumulator_has_no_rates() -> None:
    total = StatsAccumulator().overall()
    assert total.contracts == 0 and total.sme_value_share is None and total.on_time_rate is None


def test_spilled_purchasers_read_back_the_same_lines() -> None:
    from procurement.reports.spill import PurchaserSpill

    memory = StatsAccumulator()
    spilled = StatsAccumulator()
    spill = PurchaserSpill(limit=1)
    try:
        for f in [*FIGURES, *FIGURES]:
            memory.add(f)
            part = StatsAccumulator()
            part.add(f)
            spilled.merge(part)
            spill.check(spilled)
        assert spill.spilled and len(spilled.purchasers) <= 1
        assert list(spill.by_purchaser(spilled)) == list(memory.by_purchaser())
        assert spilled.overall() == memory.overall()
    finally:
        spill.close()
