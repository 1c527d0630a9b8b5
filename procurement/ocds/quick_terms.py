"""The contract-terms findings of the batch audit's hot path, by the terms engine's own functions.

``rules.terms._findings`` for the shapes the hot path takes (performance bonds and a works
retention term), fed the same Decimal amounts the mapping reads, so the texts are the engine's.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rules.findings import Finding
from rules.money import fen, rate_over_cap
from rules.terms import _BOND_ZH, _finding, _works_retention_finding, pct  # the engine's own texts
from rules.vocabulary import BondKind

_PERFORMANCE_EN = f"{BondKind.PERFORMANCE} bond"


def decimal(number: float | int) -> Decimal:
    """An OCDS amount as the mapping reads it (``procurement.ocds.mapping._amount``)."""
    return Decimal(repr(number)) if type(number) is float else Decimal(number)


def whole_fen(number: Any) -> bool:
    """Whether the amount's Decimal (``decimal``) has at most two decimals: with more, the rules'
    sums are not whole fen and only the full path gives their exact text."""
    if type(number) is not float:
        return True  # an int
    text = repr(number)
    dot = text.find(".")
    return "e" not in text and (dot < 0 or len(text) - dot <= 3)


def terms_findings(
    plan: Any,
    whole: Decimal,
    bonds: Sequence[tuple[float | int, str]],
    retention: tuple[int, int | None, float | int] | None,
    retention_index: int,
) -> list[Finding] | None:
    """``rules.terms._findings`` for the shapes the hot path takes: performance bonds and a works
    retention term (the caller checks the result against the hot path's own decisions)."""
    version = plan.version
    out: list[Finding] = []
    non_cash = plan.non_cash is not None and plan.non_cash.value
    rates = []
    for i, (amount, form) in enumerate(bonds):
        if not whole_fen(amount):
            return None
        rate = decimal(amount) / whole
        rates.append(rate)
        if plan.bond_max is not None:
            cap = plan.bond_max.value
            if rate_over_cap(whole, rate, cap):
                out.append(
                    _finding(
                        "terms.bond.over_cap",
                        "bond.over_cap",
                        plan.bond_max.legal_force,
                        plan.bond_max.citations,
                        version,
                        {"field": f"bonds[{i}].rate", "rate": str(rate), "cap": str(cap)},
                        rate=pct(rate),
                        cap=pct(cap),
                    )
                )
        if non_cash and form == "cash" and rate > 0:
            assert plan.non_cash is not None
            out.append(
                _finding(
                    "terms.bond.cash_only",
                    "bond.cash_only",
                    plan.non_cash.legal_force,
                    plan.non_cash.citations,
                    version,
                    {"field": f"bonds[{i}].forms", "forms": ["cash"]},
                    bond_zh=_BOND_ZH[BondKind.PERFORMANCE],
                    bond_en=_PERFORMANCE_EN,
                )
            )
    if retention is None:
        return out
    _, months, amount = retention
    if not whole_fen(amount):
        return None
    rate = decimal(amount) / whole
    works_cap = plan.ret_works_max
    if works_cap is not None and rate_over_cap(whole, rate, works_cap.value):
        out.append(_works_retention_finding(plan, f"payment_terms[{retention_index}].rate", rate))
    defect = plan.ret_works_defect
    if defect is not None and months is not None and months > defect.value:
        out.append(
            _finding(
                "terms.retention.works_defect_over_max",
                "retention.works_defect_over_max",
                defect.legal_force,
                defect.citations,
                version,
                {"field": f"payment_terms[{retention_index}].held_months", "months": months},
                months=months,
                cap=defect.value,
            )
        )
    banned = plan.ret_with_bond_banned
    if banned is not None and banned.value and fen(whole * rate) > 0:
        bond = next(((i, r) for i, r in enumerate(rates) if fen(whole * r) > 0), None)
        if bond is not None:
            i, bond_rate = bond
            out.append(
                _finding(
                    "terms.retention.with_performance_bond",
                    "retention.with_performance_bond",
                    banned.legal_force,
                    banned.citations,
                    version,
                    {
                        "field": f"bonds[{i}]",
                        "bond_rate": str(bond_rate),
                        "retention_field": f"payment_terms[{retention_index}]",
                        "retention_rate": str(rate),
                    },
                    bond=pct(bond_rate),
                    retention=pct(rate),
                )
            )
    return out
