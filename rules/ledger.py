"""The ledger of bonds and retention: held → due for return or release → returned, or overdue.

Due dates combine the contract's agreed term and the pack's period; a bank or insurance guarantee
holds no money of the supplier and so is never overdue here.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.errors import PolicyNotInForce
from rules.findings import Citation
from rules.payment_clock import PolicyAt, Snapshot, trigger_dates, trigger_on
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    DayType,
    EventKind,
    LegalForce,
    PaymentKind,
    Trigger,
)
from rules.workdays import add_days

CENT = Decimal("0.01")
_GUARANTEE_FORMS = frozenset({BondForm.BANK_GUARANTEE, BondForm.INSURANCE})


class EntryStatus(StrEnum):
    HELD = "held"  # not yet due
    SETTLED = "settled"  # returned or released (on time or late: see days_overdue)
    OVERDUE = "overdue"
    NOT_HELD = "not_held"  # a guarantee letter, no money held
    UNKNOWN = "unknown"  # due date cannot be worked out (see ``missing``)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One bond or retention: ``kind`` is ``bond.<BondKind>`` or ``retention``."""

    kind: str
    amount: Decimal
    held_on: date | None
    due_on: date | None
    settled_on: date | None
    status: EntryStatus
    days_overdue: int = 0
    legal_force: LegalForce = LegalForce.MANDATORY
    approximate: bool = False
    policy_version: str = ""
    citations: tuple[Citation, ...] = ()
    missing: str | None = None
    ref: str = ""
    # the pack parameter whose period it was judged by ("" for a period the contract agreed)
    parameter: str = ""
    period_days: int | None = None


def _settled(events: list[Event], kind: EventKind, ref: str, only: bool) -> date | None:
    dates = [e.on for e in events if e.kind is kind and (e.ref == ref or (only and e.ref is None))]
    return min(dates) if dates else None


def _status(due_on: date, settled_on: date | None, as_of: date) -> tuple[EntryStatus, int]:
    if settled_on is not None:
        return EntryStatus.SETTLED, max(0, (settled_on - due_on).days)
    if as_of > due_on:
        return EntryStatus.OVERDUE, (as_of - due_on).days
    return EntryStatus.HELD, 0


def return_period(
    snap: Snapshot,
    name: str,
    day_type: DayType,
    agreed_days: int | None,
    agreed_day_type: DayType,
) -> tuple[int, DayType, LegalForce, tuple[Citation, ...]] | None:
    """Days to return or release: the pack's period, or the contract's where it binds instead.

    An agreed shorter term binds; a pack period that is only encouraged yields to the contract.
    None when neither the pack nor the contract gives a period.
    """
    try:
        param = snap.param(name)
    except PolicyNotInForce:
        if agreed_days is None:
            return None
        return agreed_days, agreed_day_type, LegalForce.MANDATORY, ()
    days, force = int(param.value), LegalForce(param.legal_force)
    if agreed_days is not None and (agreed_days < days or force is not LegalForce.MANDATORY):
        return agreed_days, agreed_day_type, LegalForce.MANDATORY, tuple(param.citations)
    return days, day_type, force, tuple(param.citations)


def bond_entry(
    facts: ContractFacts,
    bond: BondTerm,
    triggers: dict[Trigger, date],
    policy_at: PolicyAt,
    as_of: date,
    *,
    only: bool = True,
) -> LedgerEntry:
    """Where one bond stands on ``as_of``; ``only``: the contract has no other bond of this kind."""
    events = [e for e in facts.events if e.on <= as_of]
    ref = bond.kind.value
    received = [e for e in events if e.kind is EventKind.BOND_RECEIVED and (e.ref in (ref, None))]
    amount = received[0].amount if received and received[0].amount is not None else None
    if amount is None:
        amount = (facts.amount * bond.rate).quantize(CENT, ROUND_HALF_UP)
    held_on = received[0].on if received else facts.signed_on
    kind = f"bond.{ref}"
    if bond.forms and bond.forms <= _GUARANTEE_FORMS:
        return LedgerEntry(kind, amount, held_on, None, None, EntryStatus.NOT_HELD, ref=ref)
    if bond.kind is BondKind.BID:
        start, name, day_type = facts.signed_on, "bond.bid.return_working_days", DayType.WORKING
        missing = "no_signing_date"
    elif bond.kind is BondKind.PERFORMANCE:
        start, name, day_type = (
            triggers.get(Trigger.ACCEPTANCE),
            "bond.performance.return_days",
            (DayType.CALENDAR),
        )
        missing = "no_acceptance_date"
    else:
        term = PaymentTerm(PaymentKind.RETENTION, bond.rate, Trigger.WARRANTY_END, 0)
        start, name, day_type = (
            trigger_on(facts, term, triggers),
            "retention.works.return_days",
            (DayType.CALENDAR),
        )
        missing = "no_warranty_end"
    if start is None:
        return LedgerEntry(kind, amount, held_on, None, None, EntryStatus.UNKNOWN, missing=missing)
    snap = policy_at(facts.jurisdiction, start)
    period = return_period(snap, name, day_type, bond.return_days, day_type)
    if period is None:
        return LedgerEntry(kind, amount, held_on, None, None, EntryStatus.UNKNOWN, missing="no_return_term")
    days, day_type, force, citations = period
    due = add_days(start, days, day_type)
    settled = _settled(events, EventKind.BOND_RETURNED, ref, only)
    status, overdue = _status(due.on, settled, as_of)
    return LedgerEntry(
        kind,
        amount,
        held_on,
        due.on,
        settled,
        status,
        overdue,
        force,
        due.approximate,
        snap.version,
        citations,
        ref=ref,
        parameter=name if days != bond.return_days else "",
        period_days=days,
    )


def retention_entry(
    facts: ContractFacts,
    index: int,
    term: PaymentTerm,
    triggers: dict[Trigger, date],
    policy_at: PolicyAt,
    as_of: date,
    *,
    only: bool = True,
) -> LedgerEntry:
    """Where one retention (尾款 / 质保金 withheld) stands on ``as_of``."""
    events = [e for e in facts.events if e.on <= as_of]
    ref = str(index)
    amount = (facts.amount * term.rate).quantize(CENT, ROUND_HALF_UP)
    withheld = [e.on for e in events if e.kind is EventKind.RETENTION_WITHHELD]
    held_on = min(withheld) if withheld else triggers.get(Trigger.ACCEPTANCE)
    end = trigger_on(facts, term, triggers)
    if end is None:
        return LedgerEntry(
            "retention",
            amount,
            held_on,
            None,
            None,
            EntryStatus.UNKNOWN,
            missing="no_warranty_end",
            ref=ref,
        )
    snap = policy_at(facts.jurisdiction, end)
    name = (
        "retention.works.return_days"
        if facts.category is Category.WORKS
        else "retention.goods_services.release_days"
    )
    # a works retention's agreed term binds (138号); the release of a goods or services retention is
    # a payment (judged by the payment rules) and is held here to the pack's target only
    agreed = term.days if term.days_agreed and facts.category is Category.WORKS else None
    period = return_period(snap, name, DayType.CALENDAR, agreed, term.day_type)
    if period is None:
        return LedgerEntry(
            "retention",
            amount,
            held_on,
            None,
            None,
            EntryStatus.UNKNOWN,
            missing="no_return_term",
            ref=ref,
        )
    days, day_type, force, citations = period
    due = add_days(end, days, day_type)
    released = _settled(events, EventKind.RETENTION_RELEASED, ref, only)
    if released is None:
        released = _settled(events, EventKind.PAID, ref, False)
    status, overdue = _status(due.on, released, as_of)
    return LedgerEntry(
        "retention",
        amount,
        held_on,
        due.on,
        released,
        status,
        overdue,
        force,
        due.approximate,
        snap.version,
        citations,
        ref=ref,
        parameter=name if days != agreed else "",
        period_days=days,
    )


def discharge_of(entry: LedgerEntry) -> EventKind:
    """The event that discharges a bond (its return) or a retention (its release)."""
    return EventKind.BOND_RETURNED if entry.kind.startswith("bond.") else EventKind.RETENTION_RELEASED


def ledger(facts: ContractFacts, policy_at: PolicyAt, as_of: date) -> list[LedgerEntry]:
    """Every bond and retention of the contract as of ``as_of``."""
    triggers, _ = trigger_dates(facts, as_of)
    kinds = [b.kind for b in facts.bonds]
    entries = [
        bond_entry(facts, b, triggers, policy_at, as_of, only=kinds.count(b.kind) == 1) for b in facts.bonds
    ]
    retentions = [(i, t) for i, t in enumerate(facts.payment_terms) if t.kind is PaymentKind.RETENTION]
    entries += [
        retention_entry(facts, i, t, triggers, policy_at, as_of, only=len(retentions) == 1)
        for i, t in retentions
    ]
    return entries
