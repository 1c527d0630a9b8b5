"""The terms engine: the done-when example, applying adjustments, bad input, JSON output."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rules.clauses import default_templates
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.contract_text import adjustment_clauses
from rules.errors import InvalidInput
from rules.policy import PolicySnapshot, default_policy_book
from rules.schedule import apply_adjustments, decide
from rules.terms import evaluate_terms, mandatory_findings
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    LegalForce,
    PaymentKind,
    PurchaserType,
    Severity,
    Size,
    Trigger,
)


def xinjiang_small_goods(**changes: object) -> ContractFacts:
    facts = ContractFacts(
        category=Category.GOODS,
        amount=Decimal("1000000"),
        purchaser_type=PurchaserType.PUBLIC_BODY,
        supplier_size=Size.SMALL,
        signed_on=date(2025, 8, 1),
        jurisdiction="650102",
        payment_terms=(
            PaymentTerm(PaymentKind.FINAL, Decimal("0.90"), Trigger.ACCEPTANCE, 60),
            PaymentTerm(PaymentKind.RETENTION, Decimal("0.10"), Trigger.WARRANTY_END, 30, held_months=12),
        ),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.10"), frozenset({BondForm.CASH})),),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def snapshot_for(facts: ContractFacts) -> PolicySnapshot:
    assert facts.signed_on is not None
    return default_policy_book().at(facts.jurisdiction, facts.signed_on)


def test_small_goods_contract_in_xinjiang_gets_the_measure_12_terms() -> None:
    facts = xinjiang_small_goods()
    snapshot = snapshot_for(facts)
    result = evaluate_terms(facts, snapshot)
    by_field = {a.field: a for a in result.adjustments}
    everything = decide(facts, {a.rule_id for a in result.adjustments}, result.adjustments)
    clauses = adjustment_clauses(everything, facts, result.adjustments)

    prepayment = by_field["prepayment.rate"]
    assert (prepayment.before, prepayment.after) == (Decimal(0), Decimal("0.40"))
    assert "人民币肆拾万元整" in clauses["prepayment.rate"]
    assert prepayment.is_default and prepayment.legal_force is LegalForce.ENCOURAGED

    bond = by_field["bonds[0].rate"]
    assert bond.after == 0
    assert clauses["bonds[0].rate"] == "本合同免收履约保证金。"

    retention = by_field["payment_terms[1].rate"]
    assert retention.after == Decimal("0.03")
    assert "人民币叁万元整" in clauses["payment_terms[1].rate"]
    assert "质量保证期满之日起30日内" in clauses["payment_terms[1].rate"]

    payment = by_field["payment_terms[0].days"]
    assert (payment.before, payment.after) == (60, 15)
    assert "15日内" in clauses["payment_terms[0].days"]

    for adjustment in (prepayment, bond, retention, payment):
        assert adjustment.citations
        assert adjustment.message_zh and adjustment.message_en and clauses[adjustment.field]

    assert [f.rule_id for f in result.findings] == ["terms.bond.cash_only"]
    finding = result.findings[0]
    assert finding.severity is Severity.VIOLATION
    assert finding.citations[0].doc_id == "802号令"
    assert result.policy_version == snapshot.version
    assert all(f.policy_version == snapshot.version for f in result.findings)


def test_result_is_json_ready() -> None:
    facts = xinjiang_small_goods()
    data = json.loads(json.dumps(evaluate_terms(facts, snapshot_for(facts)).as_dict(), ensure_ascii=False))
    first = data["adjustments"][0]
    assert set(first) >= {
        "field",
        "before",
        "after",
        "rule_id",
        "legal_force",
        "citations",
        "message",
        "legal_basis",
        "parameters",
    }
    assert first["after"] == "0.40"
    assert set(first["message"]) == {"zh", "en"}
    forms = next(a for a in data["adjustments"] if a["field"] == "bonds[0].forms")
    assert forms["after"] == ["bank_guarantee", "cash", "cheque", "insurance"]


def test_accepting_every_adjustment_keeps_the_payment_rates_whole() -> None:
    facts = xinjiang_small_goods()
    result = evaluate_terms(facts, snapshot_for(facts))
    applied = apply_adjustments(facts, {a.rule_id for a in result.adjustments}, result.adjustments)
    rates = {t.kind: t.rate for t in applied.payment_terms}
    assert rates == {
        PaymentKind.PREPAYMENT: Decimal("0.40"),
        PaymentKind.FINAL: Decimal("0.57"),
        PaymentKind.RETENTION: Decimal("0.03"),
    }
    assert sum(rates.values()) == 1
    assert applied.bonds == ()
    assert applied.acceptance_period_days == 15
    # the applied contract has nothing left to adjust and breaks nothing
    again = evaluate_terms(applied, snapshot_for(applied))
    assert again.adjustments == () and again.findings == ()


def test_accepting_only_some_adjustments_applies_only_those() -> None:
    facts = xinjiang_small_goods()
    snapshot = snapshot_for(facts)
    result = evaluate_terms(facts, snapshot)
    applied = apply_adjustments(facts, {"terms.bond.forms", "terms.payment.days"}, result.adjustments)
    assert applied.bonds[0].rate == Decimal("0.10")
    assert applied.bonds[0].forms == {
        BondForm.CASH,
        BondForm.BANK_GUARANTEE,
        BondForm.INSURANCE,
        BondForm.CHEQUE,
    }
    assert applied.payment_terms[0].days == 15
    assert applied.payment_terms[1].rate == Decimal("0.10")
    assert mandatory_findings(applied, snapshot) == []


def test_negative_amount_is_rejected() -> None:
    facts = xinjiang_small_goods(amount=Decimal("-1"))
    with pytest.raises(InvalidInput) as caught:
        evaluate_terms(facts, snapshot_for(facts))
    assert caught.value.field == "amount"


def test_rate_over_100_percent_is_rejected() -> None:
    facts = xinjiang_small_goods(
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("1.01"), frozenset({BondForm.CASH})),)
    )
    with pytest.raises(InvalidInput) as caught:
        mandatory_findings(facts, snapshot_for(facts))
    assert caught.value.field == "bonds[0].rate"


def test_national_pack_has_no_regional_targets() -> None:
    facts = xinjiang_small_goods(jurisdiction="110101")
    fields = {a.field for a in evaluate_terms(facts, snapshot_for(facts)).adjustments}
    assert "prepayment.rate" not in fields
    assert "bonds[0].rate" not in fields  # 10% is within the national cap
    assert "payment_terms[0].days" in fields  # toward the legal 30 days


def test_every_template_renders_with_the_engine_arguments() -> None:
    templates = default_templates()
    assert "reserved.notice" in templates.adjustments
    assert templates.adjustments["reserved.notice"].clause_zh == "本合同为中小企业预留合同"
    for texts in templates.findings.values():
        assert texts.remedy_zh and texts.remedy_en


@pytest.mark.parametrize(
    ("days", "rules", "noted"),
    [
        (30, {"terms.payment.days"}, False),  # the statutory term: only the regional 15-day target
        (31, {"terms.payment.days"}, True),  # past 30, within what a contract may agree: explained
        (60, {"terms.payment.days"}, True),  # exactly the agreed maximum: lawful, explained
        (61, {"terms.payment.legal_max", "terms.payment.days"}, False),  # one day over: binding cut
    ],
)
def test_payment_days_around_the_30_and_60_day_limits(days: int, rules: set[str], noted: bool) -> None:
    facts = xinjiang_small_goods(
        payment_terms=(
            PaymentTerm(PaymentKind.FINAL, Decimal("0.90"), Trigger.ACCEPTANCE, days),
            PaymentTerm(PaymentKind.RETENTION, Decimal("0.10"), Trigger.WARRANTY_END, 30),
        )
    )
    found = [
        a
        for a in evaluate_terms(facts, snapshot_for(facts)).adjustments
        if a.field == "payment_terms[0].days"
    ]
    assert {a.rule_id for a in found} == rules
    forces = {a.rule_id: a.legal_force for a in found}
    assert forces["terms.payment.days"] is LegalForce.ENCOURAGED
    if "terms.payment.legal_max" in forces:
        legal = next(a for a in found if a.rule_id == "terms.payment.legal_max")
        assert legal.legal_force is LegalForce.MANDATORY and legal.after == 60
    note = next(a for a in found if a.rule_id == "terms.payment.days").as_dict()["legal_note"]
    assert (note is not None) == noted
    if noted:
        assert "802号令第九条" in note["zh"] and f"{days}日" in note["zh"] and "60" in note["en"]


def test_a_pack_default_is_labelled_as_the_finance_departments_target_in_both_languages() -> None:
    facts = xinjiang_small_goods()
    prepayment = next(
        a for a in evaluate_terms(facts, snapshot_for(facts)).adjustments if a.rule_id == "terms.prepayment"
    ).as_dict()
    assert prepayment["legal_basis"]["zh"].startswith("财政部门设定的默认目标，非法定要求")
    assert prepayment["legal_basis"]["en"].startswith(
        "a default target set by the finance department, not a legal requirement"
    )
    assert prepayment["parameters"][0]["name"] == "prepayment.goods_services.small_micro_min_rate"
    assert prepayment["parameters"][0]["is_default"] is True
    assert (
        "不是" not in prepayment["legal_basis"]["zh"] and "并非该文件规定" in prepayment["legal_basis"]["zh"]
    )
