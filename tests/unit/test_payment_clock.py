"""The payment clock: due dates, statutory ceiling, late acceptance, days late and interest."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rules.audits import cached_policy_at
from rules.contract import ContractFacts, Event, PaymentTerm
from rules.payment_clock import (
    InconsistentFacts,
    add_months,
    check_events,
    payment_obligations,
    payment_status,
)
from rules.policy import load_policy_book
from rules.vocabulary import (
    Category,
    DayType,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

POLICY = cached_policy_at(load_policy_book())
AS_OF = date(2026, 1, 31)


def final_term(days: int = 0, *, agreed: bool = False, **kw: object) -> PaymentTerm:
    return PaymentTerm(PaymentKind.FINAL, Decimal("1"), Trigger.ACCEPTANCE, days, days_agreed=agreed, **kw)  # type: ignore[arg-type]


def contract(
    *events: Event,
    terms: tuple[PaymentTerm, ...] = (),
    size: Size | None = Size.SMALL,
    **kw: object,
) -> ContractFacts:
    base = ContractFacts(
        category=Category.GOODS,
        amount=Decimal("100000.00"),
        purchaser_type=PurchaserType.PUBLIC_BODY,
        supplier_size=size,
        signed_on=date(2025, 1, 2),
        jurisdiction="650100",
        payment_terms=terms or (final_term(),),
        events=events,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def accepted(on: date) -> Event:
    return Event(EventKind.ACCEPTED, on)


def paid(on: date, amount: str = "100000.00", ref: str | None = None) -> Event:
    return Event(EventKind.PAID, on, Decimal(amount), ref)


def only_status(facts: ContractFacts, as_of: date = AS_OF, **kw: object):  # type: ignore[no-untyped-def]
    (status,) = payment_status(facts, POLICY, as_of, **kw)  # type: ignore[arg-type]
    return status


def test_without_an_agreed_term_an_sme_is_paid_within_30_days_of_acceptance() -> None:
    (o,) = payment_obligations(contract(accepted(date(2025, 3, 1))), POLICY, AS_OF)
    assert o.clock_start_on == date(2025, 3, 1)
    assert o.due_on == date(2025, 3, 31)


def test_paid_on_day_30_is_on_time() -> None:
    s = only_status(contract(accepted(date(2025, 3, 1)), paid(date(2025, 3, 31))))
    assert (s.overdue, s.days_late, s.late_interest) == (False, 0, Decimal("0.00"))


def test_paid_on_day_31_is_one_day_late_with_default_interest() -> None:
    s = only_status(contract(accepted(date(2025, 3, 1)), paid(date(2025, 4, 1))))
    assert s.overdue and s.days_late == 1
    assert s.daily_rate == Decimal("0.0005")
    assert s.late_interest == Decimal("50.00")  # 100,000 x 0.05% x 1 day


def test_unpaid_counts_days_late_to_the_audit_date() -> None:
    s = only_status(contract(accepted(date(2025, 3, 1))), as_of=date(2025, 4, 10))
    assert s.days_late == 10
    assert s.outstanding == Decimal("100000.00")
    assert s.late_interest == Decimal("500.00")


def test_agreed_interest_rate_replaces_the_default() -> None:
    s = only_status(
        contract(accepted(date(2025, 3, 1))),
        as_of=date(2025, 4, 10),
        agreed_daily_rate=Decimal("0.0001"),
    )
    assert s.late_interest == Decimal("100.00")


def test_agreed_term_over_60_days_is_cut_to_the_legal_ceiling() -> None:
    facts = contract(accepted(date(2025, 3, 1)), terms=(final_term(90, agreed=True),))
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.agreed_due_on == date(2025, 5, 30)
    assert o.legal_due_on == date(2025, 4, 30)
    assert o.due_on == date(2025, 4, 30)


def test_agreed_term_of_exactly_60_days_stands() -> None:
    facts = contract(accepted(date(2025, 3, 1)), terms=(final_term(60, agreed=True),))
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.due_on == date(2025, 4, 30) == o.agreed_due_on


def test_agreed_shorter_term_binds() -> None:
    facts = contract(accepted(date(2025, 3, 1)), terms=(final_term(15, agreed=True),))
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.due_on == date(2025, 3, 16)


def test_obligation_arising_on_2025_05_31_cites_the_old_regulation() -> None:
    (o,) = payment_obligations(contract(accepted(date(2025, 5, 31))), POLICY, AS_OF)
    assert {c.doc_id for c in o.citations} == {"728号令"}
    assert o.due_on == date(2025, 6, 30)


def test_obligation_arising_on_2025_06_01_cites_the_revised_regulation() -> None:
    (o,) = payment_obligations(contract(accepted(date(2025, 6, 1))), POLICY, AS_OF)
    assert {c.doc_id for c in o.citations} == {"802号令"}
    assert o.due_on == date(2025, 7, 1)


def test_late_acceptance_starts_the_clock_at_the_end_of_the_acceptance_period() -> None:
    facts = contract(
        Event(EventKind.DELIVERED, date(2025, 3, 1)),
        accepted(date(2025, 3, 25)),
        acceptance_period_days=10,
    )
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.clock_start_on == date(2025, 3, 11)
    assert o.acceptance_late
    assert o.due_on == date(2025, 4, 10)


def test_acceptance_within_the_period_starts_the_clock_at_acceptance() -> None:
    facts = contract(
        Event(EventKind.DELIVERED, date(2025, 3, 1)),
        accepted(date(2025, 3, 11)),
        acceptance_period_days=10,
    )
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.clock_start_on == date(2025, 3, 11)
    assert not o.acceptance_late


def test_missing_acceptance_after_the_period_still_starts_the_clock() -> None:
    facts = contract(Event(EventKind.DELIVERED, date(2025, 3, 1)), acceptance_period_days=10)
    (o,) = payment_obligations(facts, POLICY, date(2025, 3, 12))
    assert o.clock_start_on == date(2025, 3, 11)
    (o,) = payment_obligations(facts, POLICY, date(2025, 3, 11))
    assert o.due_on is None and o.missing == "no_acceptance_date"


def test_working_day_term_skips_national_day() -> None:
    term = final_term(5, agreed=True, day_type=DayType.WORKING)
    (o,) = payment_obligations(contract(accepted(date(2025, 9, 30)), terms=(term,)), POLICY, AS_OF)
    # 9, 10, 11 (working Saturday), 13, 14 October
    assert o.due_on == date(2025, 10, 14)
    assert not o.approximate


def test_working_days_in_an_unknown_year_are_flagged_approximate() -> None:
    term = final_term(5, agreed=True, day_type=DayType.WORKING)
    facts = contract(accepted(date(2026, 12, 30)), terms=(term,))
    (o,) = payment_obligations(facts, POLICY, date(2027, 6, 1))
    assert o.approximate
    assert o.due_on == date(2027, 1, 6)  # Mon-Fri: 31 Dec, 1, 4, 5, 6 Jan


def test_invoice_clock_is_capped_at_30_days() -> None:
    term = PaymentTerm(PaymentKind.FINAL, Decimal("1"), Trigger.INVOICE, 45)
    facts = contract(Event(EventKind.INVOICED, date(2025, 7, 1)), terms=(term,), size=Size.LARGE)
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.due_on == date(2025, 7, 31)


def test_large_supplier_gets_no_sme_ceiling() -> None:
    facts = contract(accepted(date(2025, 3, 1)), terms=(final_term(90, agreed=True),), size=Size.LARGE)
    (o,) = payment_obligations(facts, POLICY, AS_OF)
    assert o.legal_due_on is None and o.due_on == date(2025, 5, 30)


def test_partial_payment_leaves_the_rest_overdue() -> None:
    s = only_status(
        contract(accepted(date(2025, 3, 1)), paid(date(2025, 3, 20), "40000.00")),
        as_of=date(2025, 4, 2),
    )
    assert s.outstanding == Decimal("60000.00")
    assert s.paid_on is None and s.days_late == 2
    assert s.late_interest == Decimal("60.00")


def test_payments_settle_the_earliest_due_obligation_first() -> None:
    pre = PaymentTerm(PaymentKind.PREPAYMENT, Decimal("0.3"), Trigger.SIGNING, 10)
    rest = final_term()
    rest = replace(rest, rate=Decimal("0.7"))
    facts = contract(
        accepted(date(2025, 3, 1)),
        paid(date(2025, 1, 10), "30000.00"),
        paid(date(2025, 3, 30), "70000.00"),
        terms=(pre, rest),
    )
    statuses = payment_status(facts, POLICY, AS_OF)
    assert [s.paid_on for s in statuses] == [date(2025, 1, 10), date(2025, 3, 30)]
    assert not any(s.overdue for s in statuses)


def test_payment_before_signing_is_rejected_naming_the_record() -> None:
    facts = contract(paid(date(2024, 12, 31)))
    with pytest.raises(InconsistentFacts) as err:
        check_events(facts, "ocds-1")
    assert "ocds-1" in err.value.message_en and "早于合同签订日期" in err.value.message_zh


def test_payment_larger_than_the_contract_is_rejected() -> None:
    with pytest.raises(InconsistentFacts, match="exceed"):
        check_events(contract(paid(date(2025, 2, 1), "100000.02")))


def test_payment_of_exactly_the_contract_amount_is_accepted() -> None:
    check_events(contract(paid(date(2025, 2, 1), "100000.01")))  # a cent of rounding


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 15), 14) == date(2026, 1, 15)
