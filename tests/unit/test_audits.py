"""Performance audit findings and the coverage of each rule."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rules.audits import (
    BOND_UNRETURNED,
    PAYMENT_OVERDUE,
    RETENTION_OVERHELD,
    TERMS_MANDATORY,
    audit_contract,
    cached_policy_at,
    terms_hook,
)
from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.payment_clock import InconsistentFacts
from rules.policy import load_policy_book
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    EventKind,
    LegalForce,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

POLICY = cached_policy_at(load_policy_book())


def contract(*events: Event, **kw: object) -> ContractFacts:
    base = ContractFacts(
        category=Category.SERVICES,
        amount=Decimal("50000.00"),
        purchaser_type=PurchaserType.PUBLIC_BODY,
        supplier_size=Size.SMALL,
        signed_on=date(2025, 6, 3),
        jurisdiction="650100",
        payment_terms=(
            PaymentTerm(PaymentKind.FINAL, Decimal("0.97"), Trigger.ACCEPTANCE, 0, days_agreed=False),
            PaymentTerm(
                PaymentKind.RETENTION,
                Decimal("0.03"),
                Trigger.WARRANTY_END,
                0,
                held_months=6,
                days_agreed=False,
            ),
        ),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), frozenset({BondForm.CASH})),),
        events=events,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_overdue_payment_bond_and_retention_are_each_found_with_evidence() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 7, 1)),
        Event(EventKind.PAID, date(2025, 8, 5), Decimal("48500.00")),
    )
    result = audit_contract(facts, POLICY, date(2026, 3, 1), record="ocds-x")
    by_rule = {f.rule_id: f for f in result.findings if not f.rule_id.startswith("terms.")}
    assert set(by_rule) == {PAYMENT_OVERDUE, BOND_UNRETURNED, RETENTION_OVERHELD}
    pay = by_rule[PAYMENT_OVERDUE]
    assert pay.evidence["days_late"] == 5 and pay.evidence["record"] == "ocds-x"
    assert pay.legal_force is LegalForce.MANDATORY
    assert pay.citations[0].doc_id == "802号令"
    assert "逾期 5 天" in pay.message_zh and "5 days late" in pay.message_en
    assert by_rule[BOND_UNRETURNED].evidence["amount"] == "2500.00"
    assert by_rule[RETENTION_OVERHELD].evidence["due_on"] == "2026-01-31"
    assert all(v is None for k, v in result.coverage.items() if k != "terms.mandatory")


def test_payment_on_day_30_gives_no_payment_finding() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 7, 1)),
        Event(EventKind.PAID, date(2025, 7, 31), Decimal("48500.00")),
    )
    result = audit_contract(facts, POLICY, date(2025, 8, 1))
    performance = [f.rule_id for f in result.findings if not f.rule_id.startswith("terms.")]
    assert performance == [BOND_UNRETURNED]  # the bond was due back on 31 July too


def test_unknown_scale_is_reported_as_coverage_not_as_a_finding() -> None:
    facts = contract(Event(EventKind.ACCEPTED, date(2025, 7, 1)), supplier_size=None)
    result = audit_contract(facts, POLICY, date(2026, 3, 1))
    assert result.coverage[PAYMENT_OVERDUE] == "no_scale"
    assert PAYMENT_OVERDUE not in {f.rule_id for f in result.findings}


def test_missing_acceptance_is_the_coverage_reason() -> None:
    result = audit_contract(contract(), POLICY, date(2026, 3, 1))
    assert result.coverage[PAYMENT_OVERDUE] == "no_acceptance_date"
    assert result.coverage[BOND_UNRETURNED] == "no_acceptance_date"
    assert result.coverage[RETENTION_OVERHELD] == "no_warranty_end"


def test_inconsistent_events_raise() -> None:
    facts = contract(Event(EventKind.PAID, date(2025, 6, 1), Decimal("1")))
    with pytest.raises(InconsistentFacts):
        audit_contract(facts, POLICY, date(2026, 3, 1), record="line 7")


def test_mandatory_term_breaches_come_from_the_terms_engine_when_present() -> None:
    if terms_hook() is None:
        pytest.skip("rules.terms not present")
    result = audit_contract(contract(), POLICY, date(2025, 7, 1))
    assert result.coverage[TERMS_MANDATORY] is None
    # a bond that may only be paid in cash breaches the non-cash rule
    assert "terms.bond.cash_only" in {f.rule_id for f in result.findings}


def test_a_retention_past_the_xinjiang_target_is_an_encouraged_miss_naming_the_parameter() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 7, 1)),
        Event(EventKind.PAID, date(2025, 8, 5), Decimal("48500.00")),
    )
    result = audit_contract(facts, POLICY, date(2026, 3, 1))
    [retention] = [f for f in result.findings if f.rule_id == RETENTION_OVERHELD]
    assert retention.legal_force is LegalForce.ENCOURAGED
    assert retention.severity.value == "advice"
    assert retention.evidence["parameter"] == "retention.goods_services.release_days"
    assert retention.evidence["target_days"] == 30
    assert "鼓励性目标" in retention.message_zh and "encouraged, not a legal limit" in retention.message_en


def test_a_bond_whose_return_the_source_never_records_is_not_applicable() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 7, 1)),
        unrecorded=frozenset({EventKind.BOND_RETURNED, EventKind.RETENTION_RELEASED}),
    )
    result = audit_contract(facts, POLICY, date(2026, 3, 1))
    assert result.coverage[BOND_UNRETURNED] == "not_applicable:source_records_no_bond_returns"
    assert result.coverage[RETENTION_OVERHELD] == "not_applicable:source_records_no_retention_releases"
    assert not {BOND_UNRETURNED, RETENTION_OVERHELD} & {f.rule_id for f in result.findings}
    assert result.ledger == []  # nothing of it is counted in the figures either
