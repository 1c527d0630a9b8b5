"""Invariants of the size answer and the benefit, over every industry of the real size table.

A seeded sample (stdlib random, no extra dependency) around every threshold of every row.
"""

import random
from datetime import date
from decimal import Decimal
from itertools import combinations

import pytest

from rules.beneficiary import GoodsItem, Party, Role, benefit_size
from rules.policy import default_policy_book
from rules.size_table import IndustryThresholds, Measure
from rules.sme_size import classify
from rules.vocabulary import Category, Industry, Size

TABLE = default_policy_book().at("cn", date(2025, 8, 1)).size_table
RANK = {Size.MICRO: 0, Size.SMALL: 1, Size.MEDIUM: 2, Size.LARGE: 3}


def near_thresholds(row: IndustryThresholds, measure: Measure, rng: random.Random) -> list[Decimal]:
    bounds = {b[measure] for b in (row.sme_ceiling, row.medium_floor, row.small_floor) if measure in b}
    values = {Decimal(0)}
    for bound in bounds:
        values |= {bound, bound - Decimal(1), bound + Decimal(1), bound * Decimal(rng.random() * 2)}
    return [v.quantize(Decimal(1)) for v in values if v >= 0]


def figures(measures: dict[Measure, Decimal]) -> dict[str, object]:
    return {
        "employees": int(measures[Measure.EMPLOYEES]) if Measure.EMPLOYEES in measures else None,
        "revenue_wan": measures.get(Measure.REVENUE_WAN),
        "assets_wan": measures.get(Measure.ASSETS_WAN),
    }


@pytest.mark.parametrize("industry", list(Industry), ids=lambda i: i.name)
def test_the_true_class_of_a_firm_is_always_among_the_possible_sizes_of_a_partial_answer(
    industry: Industry,
) -> None:
    rng = random.Random(industry.name)
    row = TABLE.industries[industry]
    grids = {m: near_thresholds(row, m, rng) for m in row.measures}
    for _ in range(200):
        full = {m: rng.choice(values) for m, values in grids.items()}
        truth = classify(industry, table=TABLE, **figures(full))  # type: ignore[arg-type]
        assert truth.possible_sizes == (truth.size,) and truth.figures_missing == ()
        for size in range(1, len(row.measures)):
            for known in combinations(row.measures, size):
                partial = classify(industry, table=TABLE, **figures({m: full[m] for m in known}))  # type: ignore[arg-type]
                assert truth.size in partial.possible_sizes, (full, known)
                assert partial.size in partial.possible_sizes
                assert set(partial.figures_missing) == set(row.measures) - set(known)


SIZES = [Size.MICRO, Size.SMALL, Size.MEDIUM, Size.LARGE, None]


def test_the_benefit_is_the_largest_party_and_unknown_when_any_is_unknown() -> None:
    rng = random.Random(14)
    for _ in range(500):
        category = rng.choice(list(Category))
        supplier = rng.choice(SIZES)
        makers = [rng.choice(SIZES) for _ in range(rng.randint(1, 4))]
        if supplier is not None and supplier.is_sme:
            makers = [m or Size.SMALL for m in makers]  # an SME supplier must name every maker's size
        members = [rng.choice(SIZES) for _ in range(rng.randint(0, 3))]
        shares = [Decimal(100 // len(members)) for _ in members]
        if members:
            shares[0] += 100 - sum(shares)
        benefit = benefit_size(
            category,
            supplier=Party(Role.SUPPLIER, "甲", supplier, "supplier"),
            goods_items=[GoodsItem(f"货{i}", f"厂{i}", m) for i, m in enumerate(makers)],
            consortium=[
                Party(Role.MEMBER, f"成员{i}", m, "consortium", s / 100)
                for i, (m, s) in enumerate(zip(members, shares, strict=True))
            ],
        )
        parties = (makers if category is Category.GOODS else [supplier]) + members
        if any(p is None for p in parties):
            assert benefit.size is None and not benefit.is_sme
        else:
            assert benefit.size is max(parties, key=lambda p: RANK[p])  # type: ignore[index,arg-type]
