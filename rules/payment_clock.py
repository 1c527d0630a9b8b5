"""The payment clock: when each payment obligation falls due, whether it is late, and interest.

The statutory ceiling for SME suppliers of public bodies and the default interest rate come from the
policy pack in force on the date the obligation arises (728号令 until 2025-05-31, 802号令 after).
"""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from rules.contract import ContractFacts, Event, PaymentTerm
from rules.errors import InvalidInput
from rules.findings import Citation
from rules.vocabulary import EventKind, PaymentKind, PurchaserType, Trigger
from rules.workdays import add_days

CENT = Decimal("0.01")


class Param(Protocol):
    @property
    def value(self) -> Any: ...
    @property
    def legal_force(self) -> Any: ...
    @property
    def citations(self) -> tuple[Citation, ...]: ...


class Snapshot(Protocol):
    """The slice of ``rules.policy`` a payment rule reads: one pack version on one date."""

    @property
    def version(self) -> str: ...
    def value(self, name: str) -> Any: ...
    def param(self, name: str) -> Param: ...


PolicyAt = Callable[[str, date], Snapshot]


class InconsistentFacts(InvalidInput):
    """A contract's events contradict each other or its terms (paid before signed, overpaid)."""

    code = "inconsistent_facts"


@dataclass(frozen=True, slots=True)
class Obligation:
    """One payment term turned into dates; ``missing`` says why it has no due date yet."""

    index: int
    kind: PaymentKind
    amount: Decimal
    trigger: Trigger
    clock_start_on: date | None
    due_on: date | None
    agreed_due_on: date | None = None
    legal_due_on: date | None = None
    approximate: bool = False
    policy_version: str = ""
    citations: tuple[Citation, ...] = ()
    missing: str | None = None
    acceptance_late: bool = False


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    """An obligation as of a date: what was paid, when, and what is late."""

    obligation: Obligation
    paid_amount: Decimal
    paid_on: date | None
    outstanding: Decimal
    days_late: int
    late_interest: Decimal
    daily_rate: Decimal

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def first_event(events: Iterable[Event], kind: EventKind) -> date | None:
    dates = [e.on for e in events if e.kind is kind]
    return min(dates) if dates else None


def acceptance_start(
    delivered_on: date | None,
    accepted_on: date | None,
    period_days: int | None,
    as_of: date,
) -> tuple[date | None, bool]:
    """When an acceptance-triggered clock starts, and whether the buyer accepted late.

    Late or missing acceptance does not stop the clock: it starts at the end of the agreed
    acceptance period once that period is over.
    """
    limit = delivered_on + timedelta(days=period_days) if delivered_on and period_days else None
    if accepted_on is not None:
        if limit is not None and accepted_on > limit:
            return limit, True
        return accepted_on, False
    if limit is not None and limit < as_of:
        return limit, True
    return None, False


def trigger_dates(facts: ContractFacts, as_of: date) -> tuple[dict[Trigger, date], bool]:
    """The date each trigger was reached by ``as_of`` and whether acceptance was late."""
    events = [e for e in facts.events if e.on <= as_of]
    delivered = first_event(events, EventKind.DELIVERED)
    accepted = first_event(events, EventKind.ACCEPTED)
    invoiced = first_event(events, EventKind.INVOICED)
    found: dict[Trigger, date] = {}
    if facts.signed_on is not None:
        found[Trigger.SIGNING] = facts.signed_on
    if delivered is not None:
        found[Trigger.DELIVERY] = delivered
    start, late = acceptance_start(delivered, accepted, facts.acceptance_period_days, as_of)
    if start is not None:
        found[Trigger.ACCEPTANCE] = start
    if invoiced is not None:
        found[Trigger.INVOICE] = invoiced
    return found, late


_MISSING = {
    Trigger.SIGNING: "no_signing_date",
    Trigger.DELIVERY: "no_delivery_date",
    Trigger.ACCEPTANCE: "no_acceptance_date",
    Trigger.INVOICE: "no_invoice_date",
    Trigger.WARRANTY_END: "no_warranty_end",
}
# the statutory clock for SME suppliers runs from delivery or acceptance (and 38号 from invoice)
_STATUTORY_TRIGGERS = frozenset({Trigger.DELIVERY, Trigger.ACCEPTANCE, Trigger.INVOICE})


def sme_duty_applies(facts: ContractFacts) -> bool | None:
    """Whether the SME payment duty binds the purchaser; None when the supplier size is unknown."""
    if facts.purchaser_type is not PurchaserType.PUBLIC_BODY:
        return False
    if facts.supplier_size is None:
        return None
    return facts.supplier_size.is_sme


def statutory_days(
    snap: Snapshot, trigger: Trigger, agreed: bool, sme_duty: bool
) -> tuple[int | None, tuple[Citation, ...]]:
    """The most days the law allows from ``trigger``, with its citations (None: no ceiling)."""
    if trigger is Trigger.INVOICE:
        param = snap.param("payment.invoice.max_days")
        if sme_duty:
            sme = snap.param("payment.sme.agreed_max_days" if agreed else "payment.sme.max_days")
            return min(int(param.value), int(sme.value)), (*sme.citations, *param.citations)
        return int(param.value), tuple(param.citations)
    if not sme_duty or trigger not in _STATUTORY_TRIGGERS:
        return None, ()
    param = snap.param("payment.sme.agreed_max_days" if agreed else "payment.sme.max_days")
    return int(param.value), tuple(param.citations)


def obligation(
    facts: ContractFacts,
    index: int,
    term: PaymentTerm,
    triggers: dict[Trigger, date],
    policy_at: PolicyAt,
    *,
    acceptance_late: bool = False,
) -> Obligation:
    """The due date of one payment term: the agreed term, cut to the statutory ceiling."""
    amount = (facts.amount * term.rate).quantize(CENT, ROUND_HALF_UP)
    start = trigger_on(facts, term, triggers)
    if start is None:
        return Obligation(index, term.kind, amount, term.trigger, None, None, missing=_MISSING[term.trigger])
    sme_duty = bool(sme_duty_applies(facts))
    snap = policy_at(facts.jurisdiction, start)
    ceiling, citations = statutory_days(snap, term.trigger, term.days_agreed, sme_duty)
    if sme_duty and not citations:
        citations = tuple(snap.param("payment.sme.max_days").citations)
    agreed = add_days(start, term.days, term.day_type) if term.days_agreed else None
    legal_on = start + timedelta(days=ceiling) if ceiling is not None else None
    if agreed is None and legal_on is None:
        return Obligation(index, term.kind, amount, term.trigger, start, None, missing="no_agreed_term")
    candidates = [d for d in (agreed.on if agreed else None, legal_on) if d is not None]
    return Obligation(
        index=index,
        kind=term.kind,
        amount=amount,
        trigger=term.trigger,
        clock_start_on=start,
        due_on=min(candidates),
        agreed_due_on=agreed.on if agreed else None,
        legal_due_on=legal_on,
        approximate=bool(agreed and agreed.approximate),
        policy_version=snap.version,
        citations=citations,
        acceptance_late=acceptance_late and term.trigger is Trigger.ACCEPTANCE,
    )


def trigger_on(facts: ContractFacts, term: PaymentTerm, triggers: dict[Trigger, date]) -> date | None:
    if term.trigger is not Trigger.WARRANTY_END:
        return triggers.get(term.trigger)
    months = term.held_months if term.held_months is not None else facts.warranty_months
    base = triggers.get(Trigger.ACCEPTANCE) or triggers.get(Trigger.DELIVERY)
    if months is None or base is None:
        return None
    return add_months(base, months)


def check_events(facts: ContractFacts, record: str = "") -> None:
    """Raise InconsistentFacts for events that cannot be true of one contract."""
    where = f"{record}: " if record else ""
    paid = Decimal(0)
    parts = 0
    for event in facts.events:
        if facts.signed_on is not None and event.kind is EventKind.PAID and event.on < facts.signed_on:
            raise InconsistentFacts(
                f"{where}付款日期 {event.on} 早于合同签订日期 {facts.signed_on}",
                f"{where}payment on {event.on} before the contract was signed on {facts.signed_on}",
                field="events",
            )
        if event.kind is EventKind.PAID and event.amount is not None:
            paid += event.amount
            parts += 1
    # each instalment is rounded to the cent on its own, so the sum may pass the total by that
    if paid > facts.amount + CENT * parts:
        raise InconsistentFacts(
            f"{where}已付金额 {paid} 超过合同金额 {facts.amount}",
            f"{where}payments of {paid} exceed the contract amount {facts.amount}",
            field="events",
        )


def payment_obligations(facts: ContractFacts, policy_at: PolicyAt, as_of: date) -> list[Obligation]:
    """Every non-retention payment term of the contract as an obligation (retention: ``ledger``)."""
    triggers, late = trigger_dates(facts, as_of)
    return [
        obligation(facts, i, term, triggers, policy_at, acceptance_late=late)
        for i, term in enumerate(facts.payment_terms)
        if term.kind is not PaymentKind.RETENTION
    ]


def allocate_payments(
    obligations: list[Obligation], payments: list[Event]
) -> dict[int, tuple[Decimal, date | None]]:
    """Paid amount and the date each obligation was fully paid.

    A payment whose ``ref`` names a term index settles that term; the rest settle the
    obligations in order of due date (earliest first, one without a due date at its clock start),
    as a creditor would apply them.
    """
    paid: dict[int, Decimal] = {o.index: Decimal(0) for o in obligations}
    done: dict[int, date | None] = {o.index: None for o in obligations}
    by_index = {o.index: o for o in obligations}
    queue = sorted(
        (o for o in obligations),
        key=lambda o: (o.due_on or o.clock_start_on or date.max, o.index),
    )
    for payment in sorted(payments, key=lambda e: e.on):
        remaining = payment.amount if payment.amount is not None else Decimal(0)
        targets = queue
        if payment.ref is not None and payment.ref.isdigit() and int(payment.ref) in by_index:
            targets = [by_index[int(payment.ref)]]
        for o in targets:
            if remaining <= 0:
                break
            gap = o.amount - paid[o.index]
            if gap <= 0:
                continue
            used = min(gap, remaining)
            paid[o.index] += used
            remaining -= used
            if paid[o.index] >= o.amount:
                done[o.index] = payment.on
    return {i: (paid[i], done[i]) for i in paid}


def days_late(due_on: date, paid_on: date | None, as_of: date) -> int:
    """Days past due: paying on the due date is on time; unpaid counts to ``as_of``."""
    end = paid_on if paid_on is not None else as_of
    return max(0, (end - due_on).days)


def late_interest(outstanding: Decimal, days: int, daily_rate: Decimal) -> Decimal:
    return (outstanding * daily_rate * days).quantize(CENT, ROUND_HALF_UP)


def payment_status(
    facts: ContractFacts,
    policy_at: PolicyAt,
    as_of: date,
    *,
    agreed_daily_rate: Decimal | None = None,
) -> list[PaymentStatus]:
    """Each obligation's status on ``as_of``; interest at the agreed rate, else the pack default."""
    obligations = payment_obligations(facts, policy_at, as_of)
    payments = [e for e in facts.events if e.kind is EventKind.PAID and e.on <= as_of]
    allocation = allocate_payments(obligations, payments)
    out = []
    for o in obligations:
        paid, paid_on = allocation[o.index]
        outstanding = o.amount - paid
        if o.due_on is None:
            out.append(PaymentStatus(o, paid, paid_on, outstanding, 0, Decimal(0), Decimal(0)))
            continue
        late = days_late(o.due_on, paid_on, as_of)
        rate = agreed_daily_rate
        if rate is None:
            rate = Decimal(
                str(policy_at(facts.jurisdiction, o.due_on).value("payment.late_interest.default_daily_rate"))
            )
        # interest runs on the late amount: all of it when it was paid late in one go
        base = o.amount if paid_on is not None else outstanding
        out.append(PaymentStatus(o, paid, paid_on, outstanding, late, late_interest(base, late, rate), rate))
    return out
