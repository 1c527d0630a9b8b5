"""Property tests of the payment schedule: any draft, any accept/decline set, a valid contract.

Random drafts (shares summing to 100%, any kinds, triggers, day counts and bonds) are evaluated
under the Xinjiang and the national packs; a random subset of the offered adjustments is accepted,
always including the mandatory ones (they cannot be declined). The decided contract must pay
exactly what the draft did, no share below zero, no day count past the pack's limits, every
accepted target met, and its clause texts must state its numbers.
"""

import itertools
import re
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.contract_text import contract_clauses, share_amount
from rules.policy import default_policy_book
from rules.schedule import calendar_days, decide, is_retention
from rules.terms import evaluate_terms, mandatory_findings
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

SIGNED_ON = date(2025, 8, 1)
PAYING = (Trigger.SIGNING, Trigger.DELIVERY, Trigger.ACCEPTANCE)


@st.composite
def shares(draw: st.DrawFn) -> list[Decimal]:
    """2 to 5 shares in hundredths of a percent that add up to exactly 100%."""
    count = draw(st.integers(min_value=1, max_value=5))
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10_000]
    return [Decimal(b - a) / 10_000 for a, b in itertools.pairwise(bounds)]


@st.composite
def instalment(draw: st.DrawFn, rate: Decimal) -> PaymentTerm:
    kind = draw(st.sampled_from(list(PaymentKind)))
    if kind is PaymentKind.RETENTION:
        trigger = draw(st.sampled_from([Trigger.WARRANTY_END, Trigger.ACCEPTANCE]))
        days = draw(st.integers(0, 800))
    else:
        trigger = Trigger.SIGNING if kind is PaymentKind.PREPAYMENT else draw(st.sampled_from(PAYING[1:]))
        days = draw(st.integers(0, 120))
    return PaymentTerm(
        kind,
        rate,
        trigger,
        days,
        day_type=draw(st.sampled_from(list(DayType))),
        days_agreed=draw(st.booleans()),
    )


@st.composite
def drafts(draw: st.DrawFn) -> ContractFacts:
    terms = tuple(draw(instalment(rate)) for rate in draw(shares()))
    bonds: tuple[BondTerm, ...] = ()
    if draw(st.booleans()):
        forms = draw(st.frozensets(st.sampled_from(list(BondForm)), min_size=1))
        rate = Decimal(draw(st.integers(0, 1500))) / 10_000
        bonds = (BondTerm(BondKind.PERFORMANCE, rate, forms, draw(st.none() | st.integers(0, 90))),)
    return ContractFacts(
        category=draw(st.sampled_from([Category.GOODS, Category.SERVICES])),
        amount=Decimal(draw(st.integers(1, 10**10))) / 100,
        purchaser_type=draw(st.sampled_from(list(PurchaserType))),
        supplier_size=draw(st.none() | st.sampled_from(list(Size))),
        signed_on=SIGNED_ON,
        jurisdiction=draw(st.sampled_from(["650102", "110101"])),
        payment_terms=terms,
        bonds=bonds,
        acceptance_period_days=draw(st.none() | st.integers(0, 60)),
    )


_NUMBERS = re.compile(r"合同金额的?([\d.]+)%.*?（¥([\d,]+\.\d\d)）")
_DAYS = re.compile(r"之日起(\d+)(日|个工作日)内")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(draft=drafts(), data=st.data())
def test_any_decisions_on_any_draft_leave_a_valid_schedule(draft: ContractFacts, data: st.DataObject) -> None:
    snapshot = default_policy_book().at(draft.jurisdiction, SIGNED_ON)
    adjustments = evaluate_terms(draft, snapshot).adjustments
    offered = sorted({a.rule_id for a in adjustments})
    mandatory = {a.rule_id for a in adjustments if a.legal_force is LegalForce.MANDATORY}
    accepted = set(data.draw(st.lists(st.sampled_from(offered), unique=True))) if offered else set()
    accepted |= mandatory

    decided = decide(draft, accepted, adjustments)
    facts = decided.facts

    # the money adds up: 100%, nothing negative, nothing lost or created
    assert sum(t.rate for t in facts.payment_terms) == 1
    assert all(t.rate > 0 for t in facts.payment_terms)
    assert all(b.rate >= 0 for b in facts.bonds)
    # the legal limits hold: no mandatory breach is left once the mandatory adjustments are taken
    left = mandatory_findings(facts, snapshot)
    breaches = [f.rule_id for f in left if f.legal_force is LegalForce.MANDATORY]
    assert breaches == []
    # every accepted target is met on the instalment it was about
    by_ref = decided.term_by_ref()
    for adj in adjustments:
        if adj.rule_id not in accepted:
            continue
        ref = adj.field.rsplit(".", 1)[0]
        if adj.field.endswith(".days") and ref in by_ref:
            term = by_ref[ref][1]
            assert term.days_agreed and calendar_days(term) <= adj.after, (adj, term)
            if adj.args.get("to_trigger") is not None:
                assert term.trigger is Trigger.WARRANTY_END
        if adj.field.startswith("payment_terms[") and adj.field.endswith(".rate") and ref in by_ref:
            assert by_ref[ref][1].rate <= adj.after
        if adj.field == "prepayment.rate":
            prepaid = sum(
                (t.rate for t in facts.payment_terms if t.kind is PaymentKind.PREPAYMENT), Decimal(0)
            )
            assert prepaid <= max(adj.after, adj.before)
    # the clause texts state exactly the stored numbers
    for clause in contract_clauses(facts):
        if not clause.ref.startswith("payment_terms["):
            continue
        term = facts.payment_terms[int(clause.ref[14:-1])]
        share, amount = _NUMBERS.search(clause.text_zh).groups()  # type: ignore[union-attr]
        assert Decimal(share) / 100 == term.rate
        assert Decimal(amount.replace(",", "")) == share_amount(term.rate, facts.amount)
        days = _DAYS.search(clause.text_zh)
        if term.days_agreed:
            assert days is not None and int(days.group(1)) == term.days, clause
            assert (days.group(2) == "个工作日") == (term.day_type is DayType.WORKING)
        assert ("质量保证金" in clause.text_zh) == is_retention(term)
