"""The ledger of bonds and retention: due dates, returns, overdue days, guarantees."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from rules.audits import cached_policy_at
from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.ledger import EntryStatus, ledger
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
CASH = frozenset({BondForm.CASH})


def contract(*events: Event, **kw: object) -> ContractFacts:
    base = ContractFacts(
        category=Category.GOODS,
        amount=Decimal("200000.00"),
        purchaser_type=PurchaserType.PUBLIC_BODY,
        supplier_size=Size.MICRO,
        signed_on=date(2025, 9, 26),
        jurisdiction="650100",
        events=events,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_bid_bond_is_due_five_working_days_after_signing_across_national_day() -> None:
    facts = contract(bonds=(BondTerm(BondKind.BID, Decimal("0.02"), CASH),))
    (entry,) = ledger(facts, POLICY, date(2025, 10, 9))
    # 28 (working Sunday), 29, 30 Sep, 9, 10 Oct
    assert entry.due_on == date(2025, 10, 10)
    assert entry.status is EntryStatus.HELD
    (entry,) = ledger(facts, POLICY, date(2025, 10, 11))
    assert entry.status is EntryStatus.OVERDUE and entry.days_overdue == 1
    assert entry.amount == Decimal("4000.00")


def test_performance_bond_returned_on_the_due_day_is_settled_on_time() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 11, 1)),
        Event(EventKind.BOND_RETURNED, date(2025, 12, 1)),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), CASH),),
    )
    (entry,) = ledger(facts, POLICY, date(2026, 3, 1))
    assert entry.due_on == date(2025, 12, 1)  # the pack's 30 days, a regional default
    assert entry.status is EntryStatus.SETTLED and entry.days_overdue == 0
    assert entry.legal_force is LegalForce.ENCOURAGED


def test_agreed_return_term_binds_over_an_encouraged_default() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 11, 1)),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), CASH, return_days=45),),
    )
    (entry,) = ledger(facts, POLICY, date(2025, 12, 20))
    assert entry.due_on == date(2025, 12, 16)
    assert entry.legal_force is LegalForce.MANDATORY
    assert entry.days_overdue == 4


def test_bank_guarantee_holds_no_money() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 11, 1)),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), frozenset({BondForm.BANK_GUARANTEE})),),
    )
    (entry,) = ledger(facts, POLICY, date(2026, 12, 1))
    assert entry.status is EntryStatus.NOT_HELD


def test_performance_bond_without_acceptance_has_no_due_date() -> None:
    facts = contract(bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), CASH),))
    (entry,) = ledger(facts, POLICY, date(2026, 12, 1))
    assert entry.status is EntryStatus.UNKNOWN and entry.missing == "no_acceptance_date"


def test_national_pack_without_a_performance_return_period_reports_it_missing() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 11, 1)),
        bonds=(BondTerm(BondKind.PERFORMANCE, Decimal("0.05"), CASH),),
        jurisdiction="cn",
    )
    (entry,) = ledger(facts, POLICY, date(2026, 12, 1))
    assert entry.status is EntryStatus.UNKNOWN and entry.missing == "no_return_term"


def retention(months: int = 12) -> PaymentTerm:
    return PaymentTerm(
        PaymentKind.RETENTION,
        Decimal("0.03"),
        Trigger.WARRANTY_END,
        0,
        held_months=months,
        days_agreed=False,
    )


def test_goods_retention_is_due_30_days_after_the_warranty_ends() -> None:
    facts = contract(Event(EventKind.ACCEPTED, date(2025, 1, 15)), payment_terms=(retention(),))
    (entry,) = ledger(facts, POLICY, date(2026, 2, 14))
    assert entry.due_on == date(2026, 2, 14)
    assert entry.status is EntryStatus.HELD
    (entry,) = ledger(facts, POLICY, date(2026, 2, 15))
    assert entry.status is EntryStatus.OVERDUE and entry.days_overdue == 1
    assert entry.amount == Decimal("6000.00")


def test_works_retention_is_due_14_days_after_the_defect_period() -> None:
    facts = contract(
        Event(EventKind.ACCEPTED, date(2025, 1, 15)),
        Event(EventKind.RETENTION_RELEASED, date(2026, 2, 1)),
        payment_terms=(retention(),),
        category=Category.WORKS,
    )
    (entry,) = ledger(facts, POLICY, date(2026, 6, 1))
    assert entry.due_on == date(2026, 1, 29)
    assert entry.legal_force is LegalForce.MANDATORY
    assert entry.status is EntryStatus.SETTLED and entry.days_overdue == 3
