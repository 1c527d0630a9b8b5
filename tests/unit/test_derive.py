"""``derive`` (one pass over the rules) gives exactly ``obligation_rows`` and ``audit_row``."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.finance.derived import audit_row, default_fingerprint
from procurement.finance.obligations import ObligationOwner, default_policy_at, derive, obligation_rows
from rules.audits import audit_contract
from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.payment_clock import InconsistentFacts
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

POLICY = default_policy_at()
BOOK = default_fingerprint()
SIGNED = date(2025, 3, 10)  # 728号令 until 2025-05-31, 802号令 after: both packs are reached
STATUSES = (ContractStatus.COMPLETED, ContractStatus.DRAFT, ContractStatus.TERMINATED)
DISCHARGES = (EventKind.PAID, EventKind.BOND_RETURNED, EventKind.RETENTION_RELEASED)


@st.composite
def contracts(draw: st.DrawFn) -> tuple[ObligationOwner, ContractFacts]:
    amount = Decimal(draw(st.integers(1_000_00, 5_000_000_00))) / 100
    prepay = draw(st.sampled_from([0, 10, 30]))
    retention = draw(st.sampled_from([0, 3, 5]))
    agreed = draw(st.booleans())
    days = draw(st.sampled_from([0, 10, 45]))
    terms = [
        PaymentTerm(kind, Decimal(percent) / 100, trigger, days, held_months=months, days_agreed=agreed)
        for kind, percent, trigger, months in (
            (PaymentKind.PREPAYMENT, prepay, Trigger.SIGNING, None),
            (PaymentKind.FINAL, 100 - prepay - retention, Trigger.ACCEPTANCE, None),
            (PaymentKind.RETENTION, retention, Trigger.WARRANTY_END, 12),
        )
        if percent
    ]
    bonds = [
        BondTerm(kind, Decimal(draw(st.sampled_from([2, 5, 10, 15]))) / 100, frozenset(forms))
        for kind, forms in draw(
            st.lists(
                st.tuples(
                    st.sampled_from([BondKind.PERFORMANCE, BondKind.BID]),
                    st.sets(st.sampled_from(list(BondForm)), min_size=1, max_size=2),
                ),
                max_size=2,
            )
        )
    ]
    signed = draw(st.one_of(st.none(), st.just(SIGNED)))
    start = SIGNED + timedelta(days=draw(st.integers(0, 200)))
    events = []
    if draw(st.booleans()):
        events.append(Event(EventKind.DELIVERED, start))
    if draw(st.booleans()):
        events.append(Event(EventKind.ACCEPTED, start + timedelta(days=draw(st.integers(0, 40)))))
    for _ in range(draw(st.integers(0, 2))):
        # an amount past the contract's makes the facts contradictory: no rows, an inconsistent audit
        paid = amount * Decimal(draw(st.sampled_from([10, 60, 70, 120]))) / 100
        on = start + timedelta(days=draw(st.integers(-300, 200)))
        events.append(Event(EventKind.PAID, on, paid.quantize(Decimal("0.01"))))
    if draw(st.booleans()):
        events.append(Event(EventKind.BOND_RETURNED, start + timedelta(days=draw(st.integers(0, 90)))))
    facts = ContractFacts(
        category=draw(st.sampled_from(list(Category))),
        amount=amount,
        purchaser_type=draw(st.sampled_from(list(PurchaserType))),
        supplier_size=draw(st.one_of(st.none(), st.sampled_from(list(Size)))),
        signed_on=signed,
        jurisdiction=draw(st.sampled_from(["650100", "659001"])),
        payment_terms=tuple(terms),
        bonds=tuple(bonds),
        warranty_months=12 if retention else None,
        events=tuple(sorted(events, key=lambda e: e.on)),
        currency=draw(st.sampled_from(["CNY", "CNY", "USD"])),
        # what an OCDS file never records (a guarantee letter whose return is unrecorded has no row,
        # though the audit keeps it in its ledger)
        unrecorded=frozenset(draw(st.sets(st.sampled_from(DISCHARGES)))),
    )
    status = draw(
        st.sampled_from([ContractStatus.COMPLETED, ContractStatus.DRAFT, ContractStatus.TERMINATED])
    )
    return ObligationOwner(7, 3, "650100", signed, status), facts


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contracts())
def test_derive_gives_the_rows_and_the_audit_row_of_the_two_functions(contract: tuple) -> None:
    owner, facts = contract
    expected = (obligation_rows(owner, facts, POLICY), audit_row(owner.id, facts, POLICY, BOOK))
    assert derive(owner, facts, POLICY, BOOK) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contracts())
def test_an_audit_not_judged_keeps_everything_but_the_judged_findings(contract: tuple) -> None:
    _, facts = contract
    try:
        judged = audit_contract(facts, POLICY, date(2026, 11, 26))
    except InconsistentFacts:
        return
    quick = audit_contract(facts, POLICY, date(2026, 11, 26), judged=False)
    assert quick.coverage == judged.coverage
    assert quick.payments == judged.payments and quick.ledger == judged.ledger
    assert quick.findings == [f for f in judged.findings if f.rule_id.startswith("terms.")]
