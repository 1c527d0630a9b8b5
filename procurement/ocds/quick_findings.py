"""The findings of the batch audit's hot path, built by the rules' own finding functions.

The hot path (``procurement.ocds.quick``) decides which rules fire on a release of the common shape
without mapping it. When the findings are to be written, this module turns its decisions into the
``Finding`` objects the rules would give (``rules.audits.payment_finding`` and the terms engine's
finding functions, fed the same Decimal amounts and dates), so the findings file is byte for byte
the full path's (``tests/unit/test_batch_golden.py``) at a fraction of its cost: no mapping, no
ledger, no terms plan of the rules that did not fire. Whatever it cannot build exactly (an amount
that is not whole fen in Decimal, a hit it does not know) it declines with None, and the release
takes the full path.
"""

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rules.audits import PAYMENT_OVERDUE, payment_finding
from rules.findings import Finding
from rules.money import fen, rate_over_cap
from rules.payment_clock import CENT, Obligation, PaymentStatus, PolicyAt, late_interest, statutory_days
from rules.terms import _BOND_ZH, _finding, _plan, _works_retention_finding, pct  # the engine's own texts
from rules.vocabulary import BondKind, PaymentKind, Trigger

_KINDS = {"prepayment": PaymentKind.PREPAYMENT, "postpayment": PaymentKind.FINAL}
_PERFORMANCE_EN = f"{BondKind.PERFORMANCE} bond"


def decimal(number: float | int) -> Decimal:
    """An OCDS amount as the mapping reads it (``procurement.ocds.mapping._amount``)."""
    return Decimal(repr(number)) if type(number) is float else Decimal(number)


class Payment:
    """What the hot path knows of one payment obligation with a due date (day ordinals, fen)."""

    __slots__ = ("amount", "due", "index", "kind", "paid", "paid_on", "start")

    def __init__(
        self, index: int, kind: str, amount: Any, start: int, due: int, paid: int, paid_on: int | None
    ):
        self.index, self.kind, self.amount = index, kind, amount
        self.start, self.due, self.paid, self.paid_on = start, due, paid, paid_on


def _whole_fen(number: Any) -> bool:
    """Whether the amount's Decimal (``decimal``) has at most two decimals: with more, the rules'
    sums are not whole fen and only the full path gives their exact text."""
    if type(number) is not float:
        return True  # an int
    text = repr(number)
    dot = text.find(".")
    return "e" not in text and (dot < 0 or len(text) - dot <= 3)


def build(
    policy_at: PolicyAt,
    as_of: int,
    *,
    ocid: str,
    region: str,
    amount: float | int,
    signed: int,
    accepted: bool,
    payments: Sequence[Payment],
    paid_amounts: Sequence[Any],
    bonds: Sequence[tuple[float | int, str]],
    retention: tuple[int, int | None, float | int] | None,
    retention_index: int,
    hits: Sequence[tuple[str, str]],
    cache: dict[Any, Any] | None = None,
    changes: tuple[int, ...] | None = None,
) -> list[Finding] | None:
    """The findings of ``hits`` in the rules' order, or None when they cannot be built exactly.

    ``payments`` are the overdue obligations (in term order), ``paid_amounts`` every payment of
    the release, ``bonds`` its performance bonds (amount, form), ``retention`` its retention term
    (fen, months held, amount) at milestone ``retention_index``. ``cache`` keeps what the policy
    says on a day (citations, version, interest rate) for the next release, per segment between
    the pack's ``changes`` (day ordinals, ``quick.change_days``) where given, else per day.
    """
    if cache is None:
        cache = {}
    if not _whole_fen(amount) or not all(_whole_fen(p) for p in paid_amounts):
        return None
    whole = decimal(amount)
    out: list[Finding] = []
    for p in payments:
        o_amount = (whole * (decimal(p.amount) / whole)).quantize(CENT, ROUND_HALF_UP)
        if o_amount * 100 != round(p.amount * 100):
            return None
        start = date.fromordinal(p.start)
        due = date.fromordinal(p.due)
        trigger = (
            Trigger.SIGNING
            if p.kind == "prepayment"
            else (Trigger.ACCEPTANCE if accepted else Trigger.DELIVERY)
        )
        span = bisect_right(changes, p.start) if changes is not None else p.start
        clock = cache.get((region, span, trigger))
        if clock is None:
            snap: Any = policy_at(region, start)
            _, citations = statutory_days(snap, trigger, False, True)
            if not citations:
                citations = tuple(snap.param("payment.sme.max_days").citations)
            clock = cache[(region, span, trigger)] = (citations, snap.version)
        citations, version = clock
        paid_on = date.fromordinal(p.paid_on) if p.paid_on is not None else None
        outstanding = o_amount - Decimal(p.paid).scaleb(-2)
        late = (p.paid_on if p.paid_on is not None else as_of) - p.due
        span = bisect_right(changes, p.due) if changes is not None else p.due
        rate = cache.get(("rate", region, span))
        if rate is None:
            rate = Decimal(str(policy_at(region, due).value("payment.late_interest.default_daily_rate")))
            cache[("rate", region, span)] = rate
        base = o_amount if paid_on is not None else outstanding
        obligation = Obligation(
            index=p.index,
            kind=_KINDS[p.kind],
            amount=o_amount,
            trigger=trigger,
            clock_start_on=start,
            due_on=due,
            agreed_due_on=None,
            legal_due_on=due,
            approximate=False,
            policy_version=version,
            citations=citations,
            acceptance_late=False,
        )
        status = PaymentStatus(
            obligation,
            o_amount - outstanding,
            paid_on,
            outstanding,
            late,
            late_interest(base, late, rate),
            rate,
        )
        out.append(payment_finding(status, ocid))
    if len(out) < len(hits):
        span = bisect_right(changes, signed) if changes is not None else signed
        plan = cache.get(("plan", region, span))
        if plan is None:
            snapshot: Any = policy_at(region, date.fromordinal(signed))  # a rules.policy snapshot
            plan = cache[("plan", region, span)] = _plan(snapshot)
        terms = _terms(plan, whole, bonds, retention, retention_index)
        if terms is None:
            return None
        out += terms
    if [f.rule_id for f in out] != [rule for rule, _ in hits]:
        return None  # not what the hot path decided: the full path decides
    return out


def _terms(
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
        if not _whole_fen(amount):
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
    if not _whole_fen(amount):
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


__all__ = ["PAYMENT_OVERDUE", "Payment", "build", "decimal"]
