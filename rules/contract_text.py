"""The clause text of a decided contract: every instalment, bond and condition worded for signing.

Texts are rendered from the contract's facts after the decisions, never from one adjustment
against the draft, so each amount (figures and capital numerals) is share × contract amount to
the fen and each day count and trigger is the one stored. Templates: config/clauses.yaml
(``contract``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, NamedTuple

from rules.clauses import default_templates
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.money_words import yuan_in_capitals
from rules.schedule import Decided, is_retention
from rules.vocabulary import BondForm, BondKind, DayType, PaymentKind, Trigger

if TYPE_CHECKING:
    from rules.terms import Adjustment

_FEN = Decimal("0.01")
_PERCENT_PLACES = Decimal("0.0001")
RESERVED_NOTICE = "reserved.notice"
_TRIGGER_ZH = {
    Trigger.SIGNING: "合同签订",
    Trigger.DELIVERY: "供应商交付",
    Trigger.ACCEPTANCE: "验收合格",
    Trigger.INVOICE: "采购人收到发票",
    Trigger.WARRANTY_END: "质量保证期满",
}
KIND_ZH = {
    PaymentKind.PREPAYMENT: "预付款",
    PaymentKind.PROGRESS: "进度款",
    PaymentKind.FINAL: "结算款",
    PaymentKind.RETENTION: "质量保证金（尾款）",
}
BOND_ZH = {
    BondKind.BID: "投标保证金",
    BondKind.PERFORMANCE: "履约保证金",
    BondKind.QUALITY_RETENTION: "质量保证金",
}
# the order the law lists them in (802号令 Art. 13 and 38号): the supplier chooses among them
_FORM_ZH = {
    BondForm.CHEQUE: "支票、汇票、本票",
    BondForm.BANK_GUARANTEE: "银行保函",
    BondForm.INSURANCE: "保险保函",
    BondForm.CASH: "现金",
}


class Clause(NamedTuple):
    """One clause of the decided contract; ``ref`` names what it states (``payment_terms[0]``)."""

    ref: str
    heading_zh: str
    text_zh: str

    def as_dict(self) -> dict[str, str]:
        return {"ref": self.ref, "heading_zh": self.heading_zh, "text_zh": self.text_zh}


def percent_text(rate: Decimal) -> str:
    """``Decimal("0.57")`` -> ``57%``, at most the 4 decimals a stored percent keeps.

    A share imported as an amount (OCDS) is an unrounded fraction: its percent is shown as stored,
    and its amount, computed from the exact fraction, is the amount the source stated.
    """
    value = (rate * 100).quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP).normalize()
    return f"{value:f}%"


def share_amount(rate: Decimal, amount: Decimal) -> Decimal:
    """A share of the contract amount, to the fen (half up, as banks round)."""
    return (rate * amount).quantize(_FEN, rounding=ROUND_HALF_UP)


def _money(rate: Decimal, amount: Decimal) -> dict[str, str]:
    value = share_amount(rate, amount)
    return {"share": percent_text(rate), "amount": f"{value:,}", "amount_words": yuan_in_capitals(value)}


def _days(term: PaymentTerm) -> str:
    return f"{term.days}个工作日" if term.day_type is DayType.WORKING else f"{term.days}日"


def _text(key: str, **args: object) -> str:
    return default_templates().contract[key].format(**args)


def payment_clause(term: PaymentTerm, amount: Decimal, *, warranty_months: int | None = None) -> str:
    money = _money(term.rate, amount)
    trigger = _TRIGGER_ZH[term.trigger]
    if is_retention(term):
        warranty = _text("warranty", months=warranty_months) if warranty_months is not None else ""
        if not term.days_agreed:
            return warranty + _text("retention_unstated", trigger_zh=trigger, **money)
        return warranty + _text("retention", trigger_zh=trigger, days=_days(term), **money)
    kind = KIND_ZH[term.kind]
    if not term.days_agreed:
        return _text("payment_unstated", trigger_zh=trigger, kind_zh=kind, **money)
    return _text("payment", trigger_zh=trigger, days=_days(term), kind_zh=kind, **money)


def forms_text(forms: Iterable[BondForm]) -> str:
    chosen = set(forms)
    return "、".join(text for form, text in _FORM_ZH.items() if form in chosen)


def bond_clause(bond: BondTerm, amount: Decimal) -> str:
    money = _money(bond.rate, amount)
    name = BOND_ZH[bond.kind]
    several = len(bond.forms) > 1 or BondForm.CHEQUE in bond.forms
    key = "bond_choice" if several else "bond_one_form"
    text = _text(key, bond_zh=name, forms_zh=forms_text(bond.forms), **money)
    if bond.return_days is not None:
        text += _text("bond_return", bond_zh=name, days=bond.return_days)
    return text


def _missing_term_clause(kind: PaymentKind) -> str:
    if kind is PaymentKind.PREPAYMENT:
        return _text("no_prepayment")
    if kind is PaymentKind.RETENTION:
        return _text("no_retention")
    return _text("no_instalment", kind_zh=KIND_ZH[kind])


def contract_clauses(facts: ContractFacts) -> list[Clause]:
    """Every clause the SME terms touch, in the order a contract states them."""
    out: list[Clause] = []
    amount = facts.amount
    for k, term in enumerate(facts.payment_terms):
        heading = "质量保证金（尾款）" if is_retention(term) else KIND_ZH[term.kind]
        out.append(
            Clause(
                f"payment_terms[{k}]",
                heading,
                payment_clause(term, amount, warranty_months=facts.warranty_months),
            )
        )
    for k, bond in enumerate(facts.bonds):
        out.append(Clause(f"bonds[{k}]", BOND_ZH[bond.kind], bond_clause(bond, amount)))
    if facts.acceptance_period_days is not None:
        out.append(
            Clause("acceptance_period_days", "验收", _text("acceptance", days=facts.acceptance_period_days))
        )
    if facts.sme_reserved:
        notice = default_templates().adjustments[RESERVED_NOTICE].clause_zh
        out.append(Clause("reserved_notice", "预留合同", notice))
    return out


def _field_ref(field: str) -> str:
    head, _, _ = field.partition("].")
    return head + "]" if _ else field


def adjustment_clauses(
    decided: Decided, draft: ContractFacts, adjustments: Iterable[Adjustment]
) -> dict[str, str]:
    """For each adjustment's field, the clauses of the decided contract that it concerns.

    A raised prepayment shows the prepayment and every instalment it was taken from; a lowered
    retention shows the retention and the payment it moved to; a declined adjustment shows the
    clause as it stays.
    """
    terms = decided.term_by_ref()
    bonds = decided.bond_by_ref()
    facts = decided.facts
    amount = facts.amount
    out: dict[str, str] = {}
    for adj in adjustments:
        if adj.field in out:
            continue
        refs = decided.touched.get(adj.field) or _own_refs(adj, decided)
        texts = [_ref_clause(ref, adj, terms, bonds, draft, facts, amount) for ref in refs]
        out[adj.field] = "\n".join(dict.fromkeys(t for t in texts if t))
    return out


def _own_refs(adj: Adjustment, decided: Decided) -> tuple[str, ...]:
    if adj.field == "prepayment.rate":
        prepayments = [
            ref
            for ref, term in zip(decided.term_refs, decided.facts.payment_terms, strict=True)
            if term.kind is PaymentKind.PREPAYMENT
        ]
        return tuple(prepayments) or ("prepayment.none",)
    return (_field_ref(adj.field),)


def _ref_clause(
    ref: str,
    adj: Adjustment,
    terms: Mapping[str, tuple[int, PaymentTerm]],
    bonds: Mapping[str, tuple[int, BondTerm]],
    draft: ContractFacts,
    facts: ContractFacts,
    amount: Decimal,
) -> str:
    if ref in terms:
        return payment_clause(terms[ref][1], amount, warranty_months=facts.warranty_months)
    if ref in bonds:
        return bond_clause(bonds[ref][1], amount)
    if ref.startswith("payment_terms["):
        return _missing_term_clause(draft.payment_terms[int(ref[14:-1])].kind)
    if ref.startswith("bonds["):
        return _text("bond_waived", bond_zh=BOND_ZH[draft.bonds[int(ref[6:-1])].kind])
    if ref == "prepayment.none":
        return _text("no_prepayment")
    if ref == "acceptance_period_days":
        days = facts.acceptance_period_days
        return _text("acceptance", days=days) if days is not None else _text("acceptance_blank")
    if ref == "settlement_tied_to_audit":
        return _text("settlement_audit") if not facts.settlement_tied_to_audit else ""
    if ref == "reserved_notice":
        return str(adj.after)
    return ""
