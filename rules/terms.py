"""The contract-terms engine: adjustments toward the policy and findings on mandatory limits.

Pure and fast: parameters are resolved once per snapshot segment (``_Plan``) and texts are
rendered from config/clauses.yaml only when read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from rules.clauses import Texts, default_templates
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.errors import InvalidInput
from rules.findings import Citation, Finding
from rules.money_words import yuan_in_capitals
from rules.policy import ParamValue, PolicySnapshot
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    DayType,
    LegalForce,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

MANDATORY, ENCOURAGED = LegalForce.MANDATORY, LegalForce.ENCOURAGED
RESERVED_NOTICE_TEMPLATE = "reserved.notice"
_FEN = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_GUARANTEES = frozenset({BondForm.BANK_GUARANTEE, BondForm.INSURANCE})
_CASH_ONLY = frozenset({BondForm.CASH})
_TRIGGER_ZH = {
    Trigger.SIGNING: "合同签订",
    Trigger.DELIVERY: "交付",
    Trigger.ACCEPTANCE: "验收合格",
    Trigger.INVOICE: "收到发票",
    Trigger.WARRANTY_END: "质量保证期满",
}
_KIND_ZH = {
    PaymentKind.PREPAYMENT: "预付款",
    PaymentKind.PROGRESS: "进度款",
    PaymentKind.FINAL: "结算款",
    PaymentKind.RETENTION: "质量保证金（尾款）",
}
_BOND_ZH = {
    BondKind.BID: "投标保证金",
    BondKind.PERFORMANCE: "履约保证金",
    BondKind.QUALITY_RETENTION: "质量保证金",
}
_SIZE_ZH = {Size.MICRO: "微型企业", Size.SMALL: "小型企业", Size.MEDIUM: "中型企业"}
_PAYING_TRIGGERS = (Trigger.DELIVERY, Trigger.ACCEPTANCE)


def pct(rate: Decimal) -> str:
    """``Decimal("0.4")`` -> ``40%``."""
    return f"{(rate * 100).normalize():f}%"


def _expand(args: Mapping[str, Any]) -> dict[str, Any]:
    """Template arguments are kept raw (cheap to build); rates and amounts are worded here."""
    out: dict[str, Any] = {}
    for key, value in args.items():
        if key.endswith("_rate"):
            out[key[:-5]] = pct(value)
        elif key == "amount":
            amount = value.quantize(_FEN, rounding=ROUND_HALF_UP)
            out["amount"] = f"{amount:,}"
            out["amount_words"] = yuan_in_capitals(amount)
        else:
            out[key] = value
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(str(v) for v in value)
    return value


def _cites(*params: ParamValue | None) -> tuple[Citation, ...]:
    seen: dict[Citation, None] = {}
    for param in params:
        if param is not None:
            for citation in param.citations:
                seen.setdefault(citation, None)
    return tuple(seen)


class Adjustment(NamedTuple):
    """One change of a draft term toward the policy, with its basis and the clause to use.

    A named tuple rather than a frozen dataclass: as immutable, and cheaper to build in bulk.
    """

    field: str
    before: Any
    after: Any
    rule_id: str
    legal_force: LegalForce
    citations: tuple[Citation, ...]
    template: str
    args: Mapping[str, Any]
    is_default: bool = False  # the target is a regional default the finance department set

    @property
    def _texts(self) -> Texts:
        return default_templates().adjustments[self.template]

    @property
    def message_zh(self) -> str:
        return self._texts.message_zh.format(**_expand(self.args))

    @property
    def message_en(self) -> str:
        return self._texts.message_en.format(**_expand(self.args))

    @property
    def clause_zh(self) -> str:
        return self._texts.clause_zh.format(**_expand(self.args))

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "before": _jsonable(self.before),
            "after": _jsonable(self.after),
            "rule_id": self.rule_id,
            "legal_force": self.legal_force.value,
            "is_default": self.is_default,
            "citations": [c.as_dict() for c in self.citations],
            "message": {"zh": self.message_zh, "en": self.message_en},
            "clause_zh": self.clause_zh,
        }


class TermsResult(NamedTuple):
    adjustments: tuple[Adjustment, ...]
    findings: tuple[Finding, ...]
    policy_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy_version": self.policy_version,
            "adjustments": [a.as_dict() for a in self.adjustments],
            "findings": [f.as_dict() for f in self.findings],
        }


class _Plan:
    """Every parameter the engine reads, resolved once per snapshot segment."""

    __slots__ = (
        "accept_default",
        "accept_required",
        "audit",
        "bond_max",
        "bond_return",
        "bond_sm_waived",
        "bond_sme_max",
        "cites_memo",
        "invoice_max",
        "non_cash",
        "pay_after_accept",
        "pay_agreed_max",
        "pay_max",
        "prep_sm",
        "prep_sme",
        "prep_works_min",
        "reserved_notice",
        "ret_gs_max",
        "ret_gs_release",
        "ret_works_defect",
        "ret_works_max",
        "ret_works_return",
        "version",
    )

    def __init__(self, s: PolicySnapshot) -> None:
        self.version = s.version
        self.cites_memo: dict[tuple[int, ...], tuple[Citation, ...]] = {}
        self.bond_max = s.get("bond.performance.max_rate")
        self.non_cash = s.get("bond.non_cash_forms_required")
        self.pay_max = s.get("payment.sme.max_days")
        self.pay_agreed_max = s.get("payment.sme.agreed_max_days")
        self.invoice_max = s.get("payment.invoice.max_days")
        self.audit = s.get("payment.audit_as_settlement")
        self.ret_works_max = s.get("retention.works.max_rate")
        self.ret_works_defect = s.get("retention.works.defect_max_months")
        self.ret_works_return = s.get("retention.works.return_days")
        self.prep_works_min = s.get("prepayment.works.min_rate")
        self.prep_sme = s.get("prepayment.goods_services.sme_min_rate")
        self.prep_sm = s.get("prepayment.goods_services.small_micro_min_rate")
        self.bond_sme_max = s.get("bond.performance.sme_max_rate")
        self.bond_sm_waived = s.get("bond.performance.small_micro_waived")
        self.bond_return = s.get("bond.performance.return_days")
        self.ret_gs_max = s.get("retention.goods_services.max_rate")
        self.ret_gs_release = s.get("retention.goods_services.release_days")
        self.pay_after_accept = s.get("payment.after_acceptance_days")
        self.accept_required = s.get("acceptance.period_required")
        self.accept_default = s.get("acceptance.default_period_days")
        self.reserved_notice = s.get("contract.reserved_notice_required")

    def cites(self, *params: ParamValue | None) -> tuple[Citation, ...]:
        # keyed by identity: the plan holds every ParamValue it was built from
        key = tuple(map(id, params))
        found = self.cites_memo.get(key)
        if found is None:
            found = self.cites_memo[key] = _cites(*params)
        return found


def _plan(snapshot: PolicySnapshot) -> _Plan:
    return snapshot.memo("rules.terms.plan", _Plan)


# --- validation -----------------------------------------------------------------------------


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(zh, en, field=field)


def validate_facts(facts: ContractFacts) -> None:
    """Reject amounts below zero, rates outside 0-100% and negative day counts."""
    if facts.amount < _ZERO:
        raise _bad("amount", "合同金额不得为负数", "the contract amount must not be negative")
    for i, term in enumerate(facts.payment_terms):
        if not _ZERO <= term.rate <= _ONE:
            raise _bad(
                f"payment_terms[{i}].rate",
                "付款比例应在0%–100%之间",
                "a payment rate must lie within 0-100%",
            )
        if term.days < 0 or (term.held_months is not None and term.held_months < 0):
            raise _bad(f"payment_terms[{i}].days", "天数不得为负数", "days must not be negative")
    for i, bond in enumerate(facts.bonds):
        if not _ZERO <= bond.rate <= _ONE:
            raise _bad(f"bonds[{i}].rate", "保证金比例应在0%–100%之间", "a bond rate must lie within 0-100%")
        if bond.return_days is not None and bond.return_days < 0:
            raise _bad(f"bonds[{i}].return_days", "天数不得为负数", "days must not be negative")
    if facts.acceptance_period_days is not None and facts.acceptance_period_days < 0:
        raise _bad("acceptance_period_days", "天数不得为负数", "days must not be negative")


def _calendar_days(term: PaymentTerm) -> int:
    # limits count calendar days; five working days span at least a week
    return term.days if term.day_type is DayType.CALENDAR else term.days * 7 // 5


def _is_retention(term: PaymentTerm) -> bool:
    return term.kind is PaymentKind.RETENTION or term.trigger is Trigger.WARRANTY_END


# --- findings -------------------------------------------------------------------------------


def _finding(
    rule_id: str,
    template: str,
    force: LegalForce,
    citations: tuple[Citation, ...],
    version: str,
    evidence: dict[str, Any],
    **args: Any,
) -> Finding:
    message_zh, message_en, remedy_zh, remedy_en = _finding_texts(template, tuple(args.items()))
    return Finding(
        rule_id=rule_id,
        category="contract_terms",
        legal_force=force,
        citations=citations,
        message_zh=message_zh,
        message_en=message_en,
        remedy_zh=remedy_zh,
        remedy_en=remedy_en,
        evidence=evidence,
        policy_version=version,
    )


@lru_cache(maxsize=4096)
def _finding_texts(template: str, items: tuple[tuple[str, Any], ...]) -> tuple[str, str, str, str]:
    # the same few rates recur across contracts, so rendered texts are worth keeping
    texts = default_templates().findings[template]
    args = dict(items)
    return (
        texts.message_zh.format(**args),
        texts.message_en.format(**args),
        texts.remedy_zh.format(**args),
        texts.remedy_en.format(**args),
    )


def _findings(facts: ContractFacts, plan: _Plan) -> list[Finding]:
    out: list[Finding] = []
    version = plan.version
    size = facts.supplier_size
    sme_of_public = (
        size is not None and size is not Size.LARGE and facts.purchaser_type is PurchaserType.PUBLIC_BODY
    )
    works = facts.category is Category.WORKS
    non_cash = plan.non_cash is not None and plan.non_cash.value
    for i, bond in enumerate(facts.bonds):
        if bond.kind is BondKind.PERFORMANCE and plan.bond_max is not None:
            cap = plan.bond_max.value
            if bond.rate > cap:  # type: ignore[operator]
                out.append(
                    _finding(
                        "terms.bond.over_cap",
                        "bond.over_cap",
                        plan.bond_max.legal_force,
                        plan.bond_max.citations,
                        version,
                        {"field": f"bonds[{i}].rate", "rate": str(bond.rate), "cap": str(cap)},
                        rate=pct(bond.rate),
                        cap=pct(cap),  # type: ignore[arg-type]
                    )
                )
        if non_cash and bond.forms <= _CASH_ONLY and bond.forms and bond.rate > _ZERO:
            assert plan.non_cash is not None
            out.append(
                _finding(
                    "terms.bond.cash_only",
                    "bond.cash_only",
                    plan.non_cash.legal_force,
                    plan.non_cash.citations,
                    version,
                    {"field": f"bonds[{i}].forms", "forms": ["cash"]},
                    bond_zh=_BOND_ZH[bond.kind],
                    bond_en=f"{bond.kind} bond",
                )
            )
        if (
            bond.kind is BondKind.QUALITY_RETENTION
            and works
            and plan.ret_works_max is not None
            and bond.rate > plan.ret_works_max.value  # type: ignore[operator]
        ):
            out.append(_works_retention_finding(plan, f"bonds[{i}].rate", bond.rate))
    agreed = plan.pay_agreed_max if sme_of_public else None
    agreed_cap = agreed.value if agreed is not None else None
    invoice_cap = plan.invoice_max.value if plan.invoice_max is not None else None
    for i, term in enumerate(facts.payment_terms):
        trigger = term.trigger
        if term.kind is PaymentKind.RETENTION or trigger is Trigger.WARRANTY_END:
            if works:
                if plan.ret_works_max is not None and term.rate > plan.ret_works_max.value:  # type: ignore[operator]
                    out.append(_works_retention_finding(plan, f"payment_terms[{i}].rate", term.rate))
                defect = plan.ret_works_defect
                if (
                    defect is not None and term.held_months is not None and term.held_months > defect.value  # type: ignore[operator]
                ):
                    out.append(
                        _finding(
                            "terms.retention.works_defect_over_max",
                            "retention.works_defect_over_max",
                            defect.legal_force,
                            defect.citations,
                            version,
                            {"field": f"payment_terms[{i}].held_months", "months": term.held_months},
                            months=term.held_months,
                            cap=defect.value,
                        )
                    )
            continue
        if not term.days_agreed:
            continue  # no stated days: the statutory term applies, nothing to breach
        days = term.days if term.day_type is DayType.CALENDAR else term.days * 7 // 5
        if agreed_cap is not None and days > agreed_cap and trigger in _PAYING_TRIGGERS:  # type: ignore[operator]
            assert plan.pay_agreed_max is not None
            out.append(
                _finding(
                    "terms.payment.over_agreed_max",
                    "payment.over_agreed_max",
                    plan.pay_agreed_max.legal_force,
                    plan.pay_agreed_max.citations,
                    version,
                    {"field": f"payment_terms[{i}].days", "days": term.days, "day_type": str(term.day_type)},
                    days=term.days,
                    cap=plan.pay_agreed_max.value,
                    default_days=plan.pay_max.value if plan.pay_max else plan.pay_agreed_max.value,
                    trigger_zh=_TRIGGER_ZH[term.trigger],
                    trigger_en=str(term.trigger),
                )
            )
        if invoice_cap is not None and trigger is Trigger.INVOICE and days > invoice_cap:  # type: ignore[operator]
            assert plan.invoice_max is not None
            out.append(
                _finding(
                    "terms.payment.invoice_over_max",
                    "payment.invoice_over_max",
                    plan.invoice_max.legal_force,
                    plan.invoice_max.citations,
                    version,
                    {"field": f"payment_terms[{i}].days", "days": term.days},
                    days=term.days,
                    cap=plan.invoice_max.value,
                )
            )
    if facts.settlement_tied_to_audit and sme_of_public and plan.audit is not None:
        forbidden = plan.audit.value == "forbidden"
        out.append(
            _finding(
                "terms.settlement.audit",
                "settlement.audit" if forbidden else "settlement.audit_agreed",
                plan.audit.legal_force if forbidden else ENCOURAGED,
                plan.audit.citations,
                version,
                {"field": "settlement_tied_to_audit", "rule": str(plan.audit.value)},
            )
        )
    return out


def _works_retention_finding(plan: _Plan, field: str, rate: Decimal) -> Finding:
    cap = plan.ret_works_max
    assert cap is not None
    return _finding(
        "terms.retention.works_over_cap",
        "retention.works_over_cap",
        cap.legal_force,
        cap.citations,
        plan.version,
        {"field": field, "rate": str(rate), "cap": str(cap.value)},
        rate=pct(rate),
        cap=pct(cap.value),  # type: ignore[arg-type]
    )


def mandatory_findings(facts: ContractFacts, snapshot: PolicySnapshot) -> list[Finding]:
    """Breaches of mandatory limits (and the one advice on audit settlement before 2025-06-01)."""
    validate_facts(facts)
    return _findings(facts, _plan(snapshot))


# --- adjustments ----------------------------------------------------------------------------


def _payment_days_target(plan: _Plan, public: bool) -> ParamValue | None:
    if plan.pay_after_accept is not None:
        return plan.pay_after_accept
    return plan.pay_max if public else None


def _adjustments(facts: ContractFacts, plan: _Plan) -> list[Adjustment]:
    out: list[Adjustment] = []
    size = facts.supplier_size
    sme = size is not None and size is not Size.LARGE
    small = size is Size.SMALL or size is Size.MICRO
    public = facts.purchaser_type is PurchaserType.PUBLIC_BODY
    works = facts.category is Category.WORKS
    amount = facts.amount
    days_target = _payment_days_target(plan, public) if sme else None
    terms = facts.payment_terms

    # prepayment
    prepaid = _ZERO
    accepts = False
    for t in terms:
        if t.kind is PaymentKind.PREPAYMENT:
            prepaid += t.rate
        if t.trigger is Trigger.ACCEPTANCE:
            accepts = True
    floor: ParamValue | None = None
    template = "prepayment.floor"
    if works:
        floor, template = plan.prep_works_min, "prepayment.works_floor"
    elif sme:
        floor = (plan.prep_sm or plan.prep_sme) if small else plan.prep_sme
    if floor is not None and prepaid < floor.value:  # type: ignore[operator]
        target: Decimal = floor.value  # type: ignore[assignment]
        pay_days = days_target.value if days_target is not None else "【  】"
        out.append(
            Adjustment(
                "prepayment.rate",
                prepaid,
                target,
                "terms.prepayment",
                floor.legal_force,
                floor.citations,
                template,
                {
                    "before_rate": prepaid,
                    "after_rate": target,
                    "days": pay_days,
                    "amount": amount * target,
                    "size_zh": _SIZE_ZH.get(size, "") if size else "",
                    "size_en": str(size) if size else "",
                    "balance_days": pay_days,
                },
                floor.is_default,
            )
        )

    # bonds
    non_cash = plan.non_cash if plan.non_cash is not None and plan.non_cash.value else None
    for i, bond in enumerate(facts.bonds):
        if bond.kind is BondKind.PERFORMANCE:
            out.extend(_performance_bond(i, bond, plan, amount, sme=sme, small=small))
        if non_cash is not None and not bond.forms >= _GUARANTEES and bond.rate > _ZERO:
            out.append(
                Adjustment(
                    f"bonds[{i}].forms",
                    bond.forms,
                    bond.forms | _GUARANTEES,
                    "terms.bond.forms",
                    non_cash.legal_force,
                    non_cash.citations,
                    "bond.forms",
                    {"bond_zh": _BOND_ZH[bond.kind]},
                )
            )

    # retention and payment days
    for i, term in enumerate(terms):
        if term.kind is PaymentKind.RETENTION or term.trigger is Trigger.WARRANTY_END:
            out.extend(_retention(i, term, plan, amount, works=works, sme=sme))
        elif days_target is not None and term.trigger in _PAYING_TRIGGERS:
            out.extend(_payment_days(i, term, plan, days_target, amount, public=public))

    # acceptance period
    req = plan.accept_required
    if req is not None and req.value and accepts and sme and public and facts.acceptance_period_days is None:
        default = plan.accept_default
        out.append(
            Adjustment(
                "acceptance_period_days",
                None,
                default.value if default else None,
                "terms.acceptance_period",
                req.legal_force,
                plan.cites(req, default),
                "acceptance.period" if default else "acceptance.period_blank",
                {"after": default.value if default else "【  】"},
                bool(default and default.is_default),
            )
        )

    # settlement by audit
    audit = plan.audit
    if facts.settlement_tied_to_audit and sme and public and audit is not None:
        forbidden = audit.value == "forbidden"
        out.append(
            Adjustment(
                "settlement_tied_to_audit",
                True,
                False,
                "terms.settlement.audit",
                audit.legal_force if forbidden else ENCOURAGED,
                audit.citations,
                "settlement.audit",
                {},
            )
        )

    # reserved contracts
    notice = plan.reserved_notice
    if facts.sme_reserved and notice is not None and notice.value:
        text = default_templates().adjustments[RESERVED_NOTICE_TEMPLATE].clause_zh
        out.append(
            Adjustment(
                "reserved_notice",
                None,
                text,
                "terms.reserved_notice",
                notice.legal_force,
                notice.citations,
                RESERVED_NOTICE_TEMPLATE,
                {},
            )
        )
    return out


def _performance_bond(
    i: int, bond: BondTerm, plan: _Plan, amount: Decimal, *, sme: bool, small: bool
) -> list[Adjustment]:
    out: list[Adjustment] = []
    legal = plan.bond_max
    caps: list[ParamValue] = []
    waived = small and plan.bond_sm_waived is not None and bool(plan.bond_sm_waived.value)
    if legal is not None and bond.rate > legal.value:  # type: ignore[operator]
        caps.append(legal)
    if sme and plan.bond_sme_max is not None:
        caps.append(plan.bond_sme_max)
    if waived:
        assert plan.bond_sm_waived is not None
        target, used = _ZERO, [*caps, plan.bond_sm_waived]
    elif caps:
        target = min(c.value for c in caps)  # type: ignore[assignment]
        used = caps
    else:
        target, used = bond.rate, []
    if bond.rate > target:
        breach = legal is not None and bond.rate > legal.value  # type: ignore[operator]
        out.append(
            Adjustment(
                f"bonds[{i}].rate",
                bond.rate,
                target,
                "terms.bond.rate",
                MANDATORY if breach else ENCOURAGED,
                plan.cites(*used),
                "bond.waived" if target == 0 else "bond.cap",
                {
                    "before_rate": bond.rate,
                    "after_rate": target,
                    "amount": amount * target,
                },
                any(c.is_default for c in used) and not breach,
            )
        )
    if bond.return_days is None and plan.bond_return is not None and target > _ZERO:
        out.append(
            Adjustment(
                f"bonds[{i}].return_days",
                None,
                plan.bond_return.value,
                "terms.bond.return_days",
                plan.bond_return.legal_force,
                plan.bond_return.citations,
                "bond.return_days",
                {"after": plan.bond_return.value},
                plan.bond_return.is_default,
            )
        )
    return out


def _retention(
    i: int, term: PaymentTerm, plan: _Plan, amount: Decimal, *, works: bool, sme: bool
) -> list[Adjustment]:
    out: list[Adjustment] = []
    if works:
        cap, release, template = plan.ret_works_max, plan.ret_works_return, "retention.works_cap"
        release_template = "retention.works_release_days"
    elif sme:
        cap, release, template = plan.ret_gs_max, plan.ret_gs_release, "retention.cap"
        release_template = "retention.release_days"
    else:
        return out
    release_days = release.value if release is not None else term.days
    if cap is not None and term.rate > cap.value:  # type: ignore[operator]
        target: Decimal = cap.value  # type: ignore[assignment]
        out.append(
            Adjustment(
                f"payment_terms[{i}].rate",
                term.rate,
                target,
                "terms.retention.rate",
                cap.legal_force,
                plan.cites(cap, release),
                template,
                {
                    "before_rate": term.rate,
                    "after_rate": target,
                    "release_days": release_days,
                    "amount": amount * target,
                },
                cap.is_default,
            )
        )
    stated = term.days_agreed
    if release is not None and (not stated or term.days > release.value):  # type: ignore[operator]
        out.append(
            Adjustment(
                f"payment_terms[{i}].days",
                term.days if stated else None,
                release.value,
                "terms.retention.release_days",
                release.legal_force,
                release.citations,
                release_template if stated else "retention.release_days_unstated",
                {"before": term.days, "after": release.value},
                release.is_default,
            )
        )
    defect = plan.ret_works_defect
    if (
        works and defect is not None and term.held_months is not None and term.held_months > defect.value  # type: ignore[operator]
    ):
        out.append(
            Adjustment(
                f"payment_terms[{i}].held_months",
                term.held_months,
                defect.value,
                "terms.retention.defect_months",
                defect.legal_force,
                defect.citations,
                "retention.defect_months",
                {"before": term.held_months, "after": defect.value},
            )
        )
    return out


def _payment_days(
    i: int, term: PaymentTerm, plan: _Plan, target: ParamValue, amount: Decimal, *, public: bool
) -> list[Adjustment]:
    # the regional target speaks of acceptance; delivery-triggered terms get the legal 30 days
    goal = target
    if term.trigger is not Trigger.ACCEPTANCE and target is plan.pay_after_accept:
        if plan.pay_max is None or not public:
            return []
        goal = plan.pay_max
    stated = term.days_agreed
    days = _calendar_days(term)
    if stated and days <= goal.value:  # type: ignore[operator]
        return []
    agreed = plan.pay_agreed_max
    breach = stated and public and agreed is not None and days > agreed.value  # type: ignore[operator]
    return [
        Adjustment(
            f"payment_terms[{i}].days",
            term.days if stated else None,
            goal.value,
            "terms.payment.days",
            MANDATORY if breach else ENCOURAGED,
            plan.cites(goal, plan.pay_max if public else None, agreed if breach else None),
            "payment.days" if stated else "payment.days_unstated",
            {
                "before": term.days,
                "after": goal.value,
                "trigger_zh": _TRIGGER_ZH[term.trigger],
                "trigger_en": str(term.trigger),
                "kind_zh": _KIND_ZH[term.kind],
                "share_rate": term.rate,
                "amount": amount * term.rate,
            },
            goal.is_default and not breach,
        )
    ]


def evaluate_terms(facts: ContractFacts, snapshot: PolicySnapshot) -> TermsResult:
    """Adjustments toward the policy in force on ``snapshot`` and findings on mandatory limits."""
    validate_facts(facts)
    plan = _plan(snapshot)
    return TermsResult(tuple(_adjustments(facts, plan)), tuple(_findings(facts, plan)), plan.version)


# --- applying accepted adjustments -------------------------------------------------------------

_INDEXED = re.compile(r"^(payment_terms|bonds)\[(\d+)\]\.(\w+)$")


def apply_adjustments(
    facts: ContractFacts,
    accepted_rule_ids: Collection[str],
    source: PolicySnapshot | TermsResult | Iterable[Adjustment],
) -> ContractFacts:
    """The facts with every adjustment whose rule id was accepted applied.

    ``source`` is the result shown to the officer (or the snapshot to recompute it). A raised
    prepayment is taken from the final and progress payments; a lowered retention is paid
    with the final payment, so the payment rates keep their sum.
    """
    if isinstance(source, PolicySnapshot):
        adjustments: Iterable[Adjustment] = evaluate_terms(facts, source).adjustments
    elif isinstance(source, TermsResult):
        adjustments = source.adjustments
    else:
        adjustments = source
    terms: list[PaymentTerm | None] = list(facts.payment_terms)
    bonds: list[BondTerm | None] = list(facts.bonds)
    changes: dict[str, Any] = {}
    released = _ZERO
    prepayment: Adjustment | None = None
    balance_days: Any = None
    for adj in adjustments:
        if adj.rule_id not in accepted_rule_ids:
            continue
        match = _INDEXED.match(adj.field)
        if match:
            group, index, attr = match.group(1), int(match.group(2)), match.group(3)
            if group == "payment_terms":
                term = terms[index]
                assert term is not None
                if attr == "rate":
                    released += term.rate - adj.after
                    balance_days = adj.args.get("release_days")
                if attr == "days":  # targets are stated calendar days
                    terms[index] = replace(term, days=adj.after, day_type=DayType.CALENDAR, days_agreed=True)
                else:
                    terms[index] = replace(term, **{attr: adj.after})
            else:
                bond = bonds[index]
                if bond is None:  # already waived
                    continue
                if attr == "rate" and adj.after == 0:
                    bonds[index] = None
                else:
                    bonds[index] = replace(bond, **{attr: adj.after})
        elif adj.field == "prepayment.rate":
            prepayment = adj
        elif adj.field in ("acceptance_period_days", "settlement_tied_to_audit") and (adj.after is not None):
            changes[adj.field] = adj.after
    if released:
        _add_to_final(terms, released, balance_days)
    if prepayment is not None:
        _raise_prepayment(terms, prepayment)
    return replace(
        facts,
        payment_terms=tuple(t for t in terms if t is not None and t.rate > 0),
        bonds=tuple(b for b in bonds if b is not None),
        **changes,
    )


def _final_indices(terms: list[PaymentTerm | None]) -> list[int]:
    finals = [
        i
        for i, t in enumerate(terms)
        if t is not None and t.kind is PaymentKind.FINAL and not _is_retention(t)
    ]
    progress = [
        i
        for i, t in enumerate(terms)
        if t is not None and t.kind is PaymentKind.PROGRESS and not _is_retention(t)
    ]
    return finals[::-1] + progress[::-1]


def _add_to_final(terms: list[PaymentTerm | None], amount: Decimal, days: Any) -> None:
    indices = _final_indices(terms)
    if indices:
        term = terms[indices[0]]
        assert term is not None
        terms[indices[0]] = replace(term, rate=term.rate + amount)
    else:
        terms.append(
            PaymentTerm(PaymentKind.FINAL, amount, Trigger.ACCEPTANCE, days if isinstance(days, int) else 0)
        )


def _raise_prepayment(terms: list[PaymentTerm | None], adj: Adjustment) -> None:
    need: Decimal = adj.after - adj.before
    for i in _final_indices(terms):
        term = terms[i]
        assert term is not None
        take = min(need, term.rate)
        terms[i] = replace(term, rate=term.rate - take)
        need -= take
        if need <= 0:
            break
    raised: Decimal = adj.after - adj.before - need
    for i, term in enumerate(terms):
        if term is not None and term.kind is PaymentKind.PREPAYMENT:
            terms[i] = replace(term, rate=term.rate + raised)
            return
    days = adj.args.get("days")
    terms.insert(
        0,
        PaymentTerm(PaymentKind.PREPAYMENT, raised, Trigger.SIGNING, days if isinstance(days, int) else 0),
    )
