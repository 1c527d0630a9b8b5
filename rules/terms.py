"""The contract-terms engine: adjustments toward the policy and findings on mandatory limits.

Pure and fast: parameters are resolved once per snapshot segment (``_Plan``) and texts are
rendered from config/clauses.yaml only when read. The adjustments are planned together on the
payment schedule by rules/schedule.py; the clause text comes from the decided contract
(rules/contract_text.py). Where the engine decides which supplier gets SME terms: ``_adjustments``
(``sme``, ``small``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from rules.clauses import Texts, default_templates
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.errors import InvalidInput
from rules.findings import Citation, Finding
from rules.money import fen, percent_text, rate_over_cap
from rules.money_words import yuan_in_capitals
from rules.policy import ParamValue, PolicySnapshot
from rules.schedule import calendar_days, decide, is_retention
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
_GUARANTEES = frozenset({BondForm.BANK_GUARANTEE, BondForm.INSURANCE})  # must be accepted (38号)
_NON_CASH = _GUARANTEES | {BondForm.CHEQUE}
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
    """``Decimal("0.4")`` -> ``40%`` (at most two decimals: ``rules.money.percent_text``)."""
    return percent_text(rate)


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
    """One change of a draft term toward the policy, with its basis.

    The clause text to sign is not part of it: that is rendered from the contract as decided
    (rules/contract_text.py). A named tuple rather than a frozen dataclass: as immutable, and
    cheaper to build in bulk.
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
    params: tuple[ParamValue, ...] = ()  # the pack parameters the target comes from

    @property
    def _texts(self) -> Texts:
        return default_templates().adjustments[self.template]

    @property
    def message_zh(self) -> str:
        return self._texts.message_zh.format(**_expand(self.args))

    @property
    def message_en(self) -> str:
        return self._texts.message_en.format(**_expand(self.args))

    def as_dict(self) -> dict[str, Any]:
        basis_zh, basis_en = legal_basis(self.legal_force, self.is_default, self.params, self.citations)
        note = self.args.get("legal_note")
        return {
            "field": self.field,
            "before": _jsonable(self.before),
            "after": _jsonable(self.after),
            "rule_id": self.rule_id,
            "legal_force": self.legal_force.value,
            "is_default": self.is_default,
            "citations": [c.as_dict() for c in self.citations],
            "parameters": [_param_dict(p) for p in self.params],
            "legal_basis": {"zh": basis_zh, "en": basis_en},
            "legal_note": {"zh": note[0], "en": note[1]} if note else None,
            "message": {"zh": self.message_zh, "en": self.message_en},
        }


def _value_text(param: ParamValue) -> str:
    value = param.value
    if param.unit == "rate" and isinstance(value, Decimal):
        return pct(value)
    if param.unit in ("days", "working_days", "months"):
        return f"{value} {param.unit.replace('_', ' ')}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _param_dict(param: ParamValue) -> dict[str, Any]:
    return {
        "name": param.name,
        "value": _value_text(param),
        "is_default": param.is_default,
        "confidence": param.confidence,
        "legal_force": param.legal_force.value,
        "effective_from": param.effective_from.isoformat(),
    }


def _cite_text(citations: tuple[Citation, ...]) -> str:
    return "、".join(f"{c.doc_id}{c.article}" for c in citations)


def legal_basis(
    force: LegalForce, is_default: bool, params: tuple[ParamValue, ...], citations: tuple[Citation, ...]
) -> tuple[str, str]:
    """What binds and what is advice, in both languages.

    A pack default is never shown as the text of a document: the wording names the parameter and
    says the cited measure is what it implements, not where its number comes from.
    """
    cites = _cite_text(citations)
    defaults = [p for p in params if p.is_default]
    if force is MANDATORY:
        zh, en = f"法定要求（强制性规定）：{cites}", f"a legal requirement (mandatory): {cites}"
        if defaults:  # the duty binds; the number filled in is the finance department's default
            zh += "；所填数值" + "、".join(f"{p.name} = {_value_text(p)}" for p in defaults)
            zh += "为财政部门设定的默认值，非法定要求，可按实际约定"
            en += "; the value filled in (" + ", ".join(f"{p.name} = {_value_text(p)}" for p in defaults)
            en += ") is a default set by the finance department, not a legal requirement, and may be agreed"
        return zh, en
    if is_default and defaults:
        named = "；".join(f"{p.name} = {_value_text(p)}（可信度{p.confidence}）" for p in defaults)
        named_en = "; ".join(f"{p.name} = {_value_text(p)} (confidence {p.confidence})" for p in defaults)
        return (
            f"财政部门设定的默认目标，非法定要求：政策包参数 {named}；该目标落实 {cites} 的鼓励性措施，"
            "具体数值并非该文件规定",
            f"a default target set by the finance department, not a legal requirement: pack parameter "
            f"{named_en}; it implements the encouraged measure of {cites}, which does not set this number",
        )
    return f"鼓励性措施，非强制：{cites}", f"an encouraged measure, not mandatory: {cites}"


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
        "ret_with_bond_banned",
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
        self.ret_with_bond_banned = s.get("retention.works.no_retention_with_performance_bond")
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
            if rate_over_cap(facts.amount, bond.rate, cap):  # type: ignore[arg-type]
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
            and rate_over_cap(facts.amount, bond.rate, plan.ret_works_max.value)  # type: ignore[arg-type]
        ):
            out.append(_works_retention_finding(plan, f"bonds[{i}].rate", bond.rate))
    agreed = plan.pay_agreed_max if sme_of_public else None
    agreed_cap = agreed.value if agreed is not None else None
    invoice_cap = plan.invoice_max.value if plan.invoice_max is not None else None
    for i, term in enumerate(facts.payment_terms):
        trigger = term.trigger
        if term.kind is PaymentKind.RETENTION or trigger is Trigger.WARRANTY_END:
            if works:
                works_cap = plan.ret_works_max
                if works_cap is not None and rate_over_cap(facts.amount, term.rate, works_cap.value):  # type: ignore[arg-type]
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
    if works:
        out += _retention_with_bond(facts, plan)
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


def _retention_with_bond(facts: ContractFacts, plan: _Plan) -> list[Finding]:
    """A works contract holding a performance bond and a quality retention at once."""
    banned = plan.ret_with_bond_banned
    if banned is None or not banned.value:
        return []
    bond = next(
        (
            (i, b)
            for i, b in enumerate(facts.bonds)
            if b.kind is BondKind.PERFORMANCE and fen(facts.amount * b.rate) > 0
        ),
        None,
    )
    retention: tuple[str, Decimal] | None = next(
        (
            (f"payment_terms[{i}]", t.rate)
            for i, t in enumerate(facts.payment_terms)
            if is_retention(t) and fen(facts.amount * t.rate) > 0
        ),
        None,
    ) or next(
        (
            (f"bonds[{i}]", b.rate)
            for i, b in enumerate(facts.bonds)
            if b.kind is BondKind.QUALITY_RETENTION and fen(facts.amount * b.rate) > 0
        ),
        None,
    )
    if bond is None or retention is None:
        return []
    i, performance = bond
    where, rate = retention
    return [
        _finding(
            "terms.retention.with_performance_bond",
            "retention.with_performance_bond",
            banned.legal_force,
            banned.citations,
            plan.version,
            {
                "field": f"bonds[{i}]",
                "bond_rate": str(performance.rate),
                "retention_field": where,
                "retention_rate": str(rate),
            },
            bond=pct(performance.rate),
            retention=pct(rate),
        )
    ]


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
    size = facts.terms_size  # who benefits, not only who signs (46号 Art. 4)
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
        # a raised prepayment keeps the days the draft gives it; a new one gets the payment target
        stated = [t.days for t in terms if t.kind is PaymentKind.PREPAYMENT and t.days_agreed]
        prepay_days = stated[0] if stated else pay_days
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
                    "days": prepay_days,
                    "amount": amount * target,
                    "size_zh": _SIZE_ZH.get(size, "") if size else "",
                    "size_en": str(size) if size else "",
                },
                floor.is_default,
                (floor,),
            )
        )

    # bonds
    non_cash = plan.non_cash if plan.non_cash is not None and plan.non_cash.value else None
    for i, bond in enumerate(facts.bonds):
        if bond.kind is BondKind.PERFORMANCE:
            out.extend(_performance_bond(i, bond, plan, amount, sme=sme, small=small))
        if non_cash is not None and not bond.forms >= _GUARANTEES and bond.rate > _ZERO:
            # the supplier chooses: every non-cash form the law names, and cash where it was taken
            out.append(
                Adjustment(
                    f"bonds[{i}].forms",
                    bond.forms,
                    bond.forms | _NON_CASH,
                    "terms.bond.forms",
                    non_cash.legal_force,
                    non_cash.citations,
                    "bond.forms",
                    {"bond_zh": _BOND_ZH[bond.kind]},
                    False,
                    (non_cash,),
                )
            )

    # retention and payment days
    for i, term in enumerate(terms):
        if term.kind is PaymentKind.RETENTION or term.trigger is Trigger.WARRANTY_END:
            out.extend(_retention(i, term, plan, amount, works=works, sme=sme, balance_days=days_target))
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
                (req, default) if default else (req,),
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
                False,
                (audit,),
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
                False,
                (notice,),
            )
        )
    return out


def _performance_bond(
    i: int, bond: BondTerm, plan: _Plan, amount: Decimal, *, sme: bool, small: bool
) -> list[Adjustment]:
    """The legal cap (mandatory, cannot be declined) and the SME target (advice), separately."""
    out: list[Adjustment] = []
    legal = plan.bond_max
    field = f"bonds[{i}].rate"
    rate = bond.rate
    if legal is not None and rate_over_cap(amount, rate, legal.value):  # type: ignore[arg-type]
        cap: Decimal = legal.value  # type: ignore[assignment]
        out.append(
            Adjustment(
                field,
                rate,
                cap,
                "terms.bond.legal_cap",
                legal.legal_force,
                legal.citations,
                "bond.cap",
                {"before_rate": rate, "after_rate": cap, "amount": amount * cap},
                False,
                (legal,),
            )
        )
    waived = small and plan.bond_sm_waived is not None and bool(plan.bond_sm_waived.value)
    target: Decimal = rate
    used: tuple[ParamValue, ...] = ()
    if waived:
        assert plan.bond_sm_waived is not None
        target, used = _ZERO, (plan.bond_sm_waived,)
    elif sme and plan.bond_sme_max is not None and rate_over_cap(amount, rate, plan.bond_sme_max.value):  # type: ignore[arg-type]
        target, used = plan.bond_sme_max.value, (plan.bond_sme_max,)  # type: ignore[assignment]
    if target < rate and (legal is None or target < legal.value):  # type: ignore[operator]
        out.append(
            Adjustment(
                field,
                rate,
                target,
                "terms.bond.rate",
                ENCOURAGED,
                plan.cites(*used),
                "bond.waived" if target == 0 else "bond.cap",
                {"before_rate": rate, "after_rate": target, "amount": amount * target},
                any(c.is_default for c in used),
                used,
            )
        )
    # offered even where the bond is to be waived: the waiver is advice and may be declined, and a
    # bond that stays must say when it is returned
    if bond.return_days is None and plan.bond_return is not None and rate > _ZERO:
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
                (plan.bond_return,),
            )
        )
    return out


def _retention(
    i: int,
    term: PaymentTerm,
    plan: _Plan,
    amount: Decimal,
    *,
    works: bool,
    sme: bool,
    balance_days: ParamValue | None,
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
    if cap is not None and rate_over_cap(amount, term.rate, cap.value):  # type: ignore[arg-type]
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
                    # a payment on acceptance made for the released share, where the draft has none
                    "balance_days": balance_days.value if balance_days is not None else None,
                },
                cap.is_default,
                (cap,),
            )
        )
    stated = term.days_agreed
    at_end = term.trigger is Trigger.WARRANTY_END
    # the release target counts from the warranty's (defect period's) end: a retention released
    # some days after acceptance is moved to that trigger, the warranty period being its own fact
    if release is not None and (not stated or calendar_days(term) > release.value):  # type: ignore[operator]
        if not stated:
            template = "retention.release_days_unstated"
        elif at_end:
            template = release_template
        else:
            template = "retention.release_to_warranty_end"
        out.append(
            Adjustment(
                f"payment_terms[{i}].days",
                term.days if stated else None,
                release.value,
                "terms.retention.release_days",
                release.legal_force,
                release.citations,
                template,
                {
                    "before": term.days,
                    "after": release.value,
                    "trigger_zh": _TRIGGER_ZH[term.trigger],
                    "trigger_en": str(term.trigger),
                    "to_trigger": Trigger.WARRANTY_END,
                },
                release.is_default,
                (release,),
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
                False,
                (defect,),
            )
        )
    return out


def _payment_days(
    i: int, term: PaymentTerm, plan: _Plan, target: ParamValue, amount: Decimal, *, public: bool
) -> list[Adjustment]:
    """Over the legal maximum: a mandatory cut to it; over the target: an encouraged cut to that."""
    # the regional target speaks of acceptance; delivery-triggered terms get the legal 30 days
    goal = target
    if term.trigger is not Trigger.ACCEPTANCE and target is plan.pay_after_accept:
        if plan.pay_max is None or not public:
            return []
        goal = plan.pay_max
    stated = term.days_agreed
    days = calendar_days(term)
    if stated and days <= goal.value:  # type: ignore[operator]
        return []
    agreed = plan.pay_agreed_max if public else None
    field = f"payment_terms[{i}].days"
    args: dict[str, Any] = {
        "before": term.days,
        "trigger_zh": _TRIGGER_ZH[term.trigger],
        "trigger_en": str(term.trigger),
        "kind_zh": _KIND_ZH[term.kind],
    }
    out: list[Adjustment] = []
    if stated and agreed is not None and days > agreed.value:  # type: ignore[operator]
        out.append(
            Adjustment(
                field,
                term.days,
                agreed.value,
                "terms.payment.legal_max",
                agreed.legal_force,
                plan.cites(agreed, plan.pay_max),
                "payment.days_legal_max",
                {**args, "after": agreed.value},
                False,
                (agreed,),
            )
        )
    elif stated and agreed is not None and plan.pay_max is not None and days > plan.pay_max.value:  # type: ignore[operator]
        # within what a contract may agree, but past the statutory term: say so, not only "shorten"
        args["legal_note"] = _agreed_note(days, plan.pay_max, agreed)
    if agreed is None or goal.value < agreed.value:  # type: ignore[operator]
        out.append(
            Adjustment(
                field,
                term.days if stated else None,
                goal.value,
                "terms.payment.days",
                ENCOURAGED,  # within the legal maximum a shorter term is advice
                plan.cites(goal, plan.pay_max if public else None),
                "payment.days" if stated else "payment.days_unstated",
                {**args, "after": goal.value},
                goal.is_default,
                (goal,),
            )
        )
    return out


def _agreed_note(days: int, statutory: ParamValue, agreed: ParamValue) -> tuple[str, str]:
    cites = _cite_text(agreed.citations)
    return (
        f"依{cites}，机关、事业单位应自交付（验收合格）之日起{statutory.value}日内向中小企业支付款项；"
        f"合同另有约定的，付款期限最长不得超过{agreed.value}日。本合同约定{days}日，在可约定的"
        f"{agreed.value}日以内，不违法；缩短付款期限是鼓励性要求。",
        f"Under {cites} a public body pays an SME within {statutory.value} days of delivery (or "
        f"acceptance); a contract may agree at most {agreed.value} days. This contract's {days} days are "
        f"within what may be agreed, so they are lawful; a shorter term is encouraged, not required.",
    )


def evaluate_terms(facts: ContractFacts, snapshot: PolicySnapshot) -> TermsResult:
    """Adjustments toward the policy in force on ``snapshot`` and findings on mandatory limits."""
    validate_facts(facts)
    plan = _plan(snapshot)
    return TermsResult(tuple(_adjustments(facts, plan)), tuple(_findings(facts, plan)), plan.version)


def apply_adjustments(
    facts: ContractFacts,
    accepted_rule_ids: Collection[str],
    source: PolicySnapshot | TermsResult | Iterable[Adjustment],
) -> ContractFacts:
    """The facts with every accepted adjustment applied, planned together on the payment schedule.

    ``source`` is the result shown to the officer, its adjustments, or the snapshot to recompute
    them. See rules/schedule.py (``decide``) for how shares move and what each adjustment touched.
    """
    if isinstance(source, PolicySnapshot):
        adjustments: Iterable[Adjustment] = evaluate_terms(facts, source).adjustments
    elif isinstance(source, TermsResult):
        adjustments = source.adjustments
    else:
        adjustments = source
    return decide(facts, accepted_rule_ids, adjustments).facts
