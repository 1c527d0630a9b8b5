"""Stored contracts as ``ContractFacts``: percent to rate, the supplier's effective size, events, and back."""

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from procurement.contracts.facts import contract_facts, persist_terms, terms_date
from rules.contract import PaymentTerm
from rules.policy import default_policy_book
from rules.terms import apply_adjustments, evaluate_terms
from rules.vocabulary import (
    BondForm,
    EventKind,
    Industry,
    PaymentKind,
    Size,
    SpecialStatus,
    Trigger,
)
from tests import factories


def test_percents_become_rates_and_events_come_along(session: Session) -> None:
    contract = factories.ContractFactory()
    factories.EventFactory(contract=contract, kind=EventKind.DELIVERED, occurred_on=date(2025, 8, 20))
    factories.EventFactory(
        contract=contract, kind=EventKind.PAID, occurred_on=date(2025, 9, 1), amount=Decimal("1000000")
    )
    facts = contract_facts(session, contract)
    assert facts.payment_terms == (PaymentTerm(PaymentKind.FINAL, Decimal(1), Trigger.ACCEPTANCE, 30),)
    assert facts.bonds[0].rate == Decimal("0.05")
    assert facts.bonds[0].forms == frozenset({BondForm.BANK_GUARANTEE})
    assert [(e.kind, e.on) for e in facts.events] == [
        (EventKind.DELIVERED, date(2025, 8, 20)),
        (EventKind.PAID, date(2025, 9, 1)),
    ]
    assert facts.supplier_size is None  # no supplier, nothing recorded


def test_the_size_comes_from_the_figures_not_the_declaration(session: Session) -> None:
    # 批发业: 30 staff and 6000万 revenue reach both medium floors (20, 5000)
    supplier = factories.SupplierFactory(
        industry=Industry.WHOLESALE, employees=30, revenue_wan=Decimal(6000), declared_size=Size.SMALL
    )
    contract = factories.ContractFactory(supplier_id=supplier.id)
    assert contract_facts(session, contract).supplier_size is Size.MEDIUM


def test_just_under_a_floor_is_the_lower_class(session: Session) -> None:
    supplier = factories.SupplierFactory(
        industry=Industry.WHOLESALE, employees=19, revenue_wan=Decimal(6000), declared_size=None
    )
    contract = factories.ContractFactory(supplier_id=supplier.id)
    assert contract_facts(session, contract).supplier_size is Size.SMALL


def test_a_link_to_a_large_enterprise_overrides_the_figures(session: Session) -> None:
    supplier = factories.SupplierFactory(linked_to_large=True)
    contract = factories.ContractFactory(supplier_id=supplier.id)
    assert contract_facts(session, contract).supplier_size is Size.LARGE


def test_a_prison_enterprise_counts_as_small(session: Session) -> None:
    supplier = factories.SupplierFactory(
        industry=None, employees=None, revenue_wan=None, assets_wan=None, declared_size=None,
        special_status=SpecialStatus.PRISON_ENTERPRISE,
    )  # fmt: skip
    contract = factories.ContractFactory(supplier_id=supplier.id)
    assert contract_facts(session, contract).supplier_size is Size.SMALL


def test_without_figures_the_declared_size_is_used(session: Session) -> None:
    supplier = factories.SupplierFactory(
        industry=None, employees=None, revenue_wan=None, assets_wan=None, declared_size=Size.MICRO
    )
    contract = factories.ContractFactory(supplier_id=supplier.id)
    assert contract_facts(session, contract).supplier_size is Size.MICRO


def test_without_a_supplier_the_recorded_scale_is_used_when_it_is_a_size(session: Session) -> None:
    micro = factories.ContractFactory(supplier_scale="micro")
    vague = factories.ContractFactory(supplier_scale="sme")
    assert contract_facts(session, micro).supplier_size is Size.MICRO
    assert contract_facts(session, vague).supplier_size is None


def test_applied_terms_written_back_read_the_same(session: Session) -> None:
    supplier = factories.SupplierFactory(industry=Industry.INDUSTRY, employees=50, revenue_wan=Decimal(800))
    contract = factories.ContractFactory(supplier_id=supplier.id, jurisdiction="650102")
    facts = contract_facts(session, contract, with_events=False)
    snapshot = default_policy_book().at(contract.jurisdiction, date(2025, 8, 1))
    result = evaluate_terms(facts, snapshot)
    applied = apply_adjustments(facts, {a.rule_id for a in result.adjustments}, result)
    assert applied != facts

    persist_terms(contract, applied)
    session.flush()
    session.expire_all()

    again = contract_facts(session, contract, with_events=False)
    assert again.payment_terms == applied.payment_terms
    assert again.bonds == applied.bonds
    assert contract.payment_terms[0].percent == Decimal("40.0000")
    assert contract.version == 2


def test_an_unsigned_draft_is_judged_on_today_or_its_future_announcement() -> None:
    today = date(2025, 6, 10)
    assert terms_date(date(2025, 5, 31), date(2025, 5, 1), today) == date(2025, 5, 31)
    assert terms_date(None, date(2025, 5, 20), today) == today  # never the announcement of the past
    assert terms_date(None, date(2025, 6, 11), today) == date(2025, 6, 11)
    assert terms_date(None, None, today) == today
