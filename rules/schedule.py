"""The contract's money as one payment schedule, with the accepted adjustments planned together.

An instalment (``PaymentTerm``) is a share of the contract amount paid at a trigger within some
days; retention (尾款 / 质保金) is an instalment released at its own trigger. Planning moves shares
between instalments, never creates or loses any (the shares keep their sum, none goes negative),
and remembers which instalments each adjustment touched, so the clause text shown beside an
adjustment is that of the decided contract.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.vocabulary import DayType, PaymentKind, Trigger

if TYPE_CHECKING:
    from rules.terms import Adjustment

_ZERO = Decimal(0)
_INDEXED = re.compile(r"^(payment_terms|bonds)\[(\d+)\]\.(\w+)$")
NEW_PREPAYMENT = "prepayment.new"  # the ref of a prepayment instalment the draft did not have
NEW_BALANCE = "balance.new"  # the ref of a payment on acceptance the draft did not have


def term_ref(index: int) -> str:
    return f"payment_terms[{index}]"


def bond_ref(index: int) -> str:
    return f"bonds[{index}]"


def is_retention(term: PaymentTerm) -> bool:
    return term.kind is PaymentKind.RETENTION or term.trigger is Trigger.WARRANTY_END


def calendar_days(term: PaymentTerm) -> int:
    # limits count calendar days; five working days span at least a week
    return term.days if term.day_type is DayType.CALENDAR else term.days * 7 // 5


@dataclass(frozen=True, slots=True)
class Decided:
    """The contract after a set of decisions, and where each of its parts came from.

    ``term_refs[k]`` names the draft instalment (``payment_terms[i]``, or ``prepayment.new`` /
    ``balance.new``) that became the decided contract's instalment k; ``bond_refs`` likewise.
    ``touched`` maps an adjustment's field to the draft refs whose clauses it changed.
    """

    facts: ContractFacts
    term_refs: tuple[str, ...]
    bond_refs: tuple[str, ...]
    touched: Mapping[str, tuple[str, ...]]

    def term_by_ref(self) -> dict[str, tuple[int, PaymentTerm]]:
        return {
            ref: (k, term)
            for k, (ref, term) in enumerate(zip(self.term_refs, self.facts.payment_terms, strict=True))
        }

    def bond_by_ref(self) -> dict[str, tuple[int, BondTerm]]:
        return {
            ref: (k, bond) for k, (ref, bond) in enumerate(zip(self.bond_refs, self.facts.bonds, strict=True))
        }


class _Slot:
    """One instalment being planned: mutable while planning, frozen into the result."""

    __slots__ = ("ref", "term")

    def __init__(self, ref: str, term: PaymentTerm) -> None:
        self.ref = ref
        self.term = term


def decide(
    facts: ContractFacts, accepted_rule_ids: Collection[str], adjustments: Iterable[Adjustment]
) -> Decided:
    """The contract with every adjustment whose rule id is in ``accepted_rule_ids`` applied.

    A raised prepayment is taken from the final payments (latest first), then the progress
    payments; a lowered retention is paid with the payment on acceptance. Two accepted adjustments
    of one field (a legal maximum and a stricter target) leave the stricter value.
    """
    slots = [_Slot(term_ref(i), t) for i, t in enumerate(facts.payment_terms)]
    by_ref = {s.ref: s for s in slots}
    bonds: list[BondTerm | None] = list(facts.bonds)
    changes: dict[str, Any] = {}
    touched: dict[str, list[str]] = {}
    prepayment: Adjustment | None = None
    for adj in adjustments:
        if adj.rule_id not in accepted_rule_ids:
            continue
        match = _INDEXED.match(adj.field)
        if match:
            group, index, attr = match.group(1), int(match.group(2)), match.group(3)
            if group == "payment_terms":
                _plan_term(slots, by_ref[term_ref(index)], attr, adj, touched)
            else:
                _plan_bond(bonds, index, attr, adj)
                touched.setdefault(adj.field, [bond_ref(index)])
        elif adj.field == "prepayment.rate":
            prepayment = adj  # planned last, on the shares every other decision left
        elif adj.field in ("acceptance_period_days", "settlement_tied_to_audit") and adj.after is not None:
            changes[adj.field] = adj.after
            touched[adj.field] = [adj.field]
    if prepayment is not None:
        touched[prepayment.field] = _raise_prepayment(slots, prepayment)
    kept = [s for s in slots if s.term.rate > _ZERO]
    kept_bonds = [(bond_ref(i), b) for i, b in enumerate(bonds) if b is not None]
    decided = replace(
        facts,
        payment_terms=tuple(s.term for s in kept),
        bonds=tuple(b for _, b in kept_bonds),
        **changes,
    )
    return Decided(
        decided,
        tuple(s.ref for s in kept),
        tuple(ref for ref, _ in kept_bonds),
        {field: tuple(dict.fromkeys(refs)) for field, refs in touched.items()},
    )


def apply_adjustments(
    facts: ContractFacts, accepted_rule_ids: Collection[str], adjustments: Iterable[Adjustment]
) -> ContractFacts:
    """The decided contract's facts (see ``decide``)."""
    return decide(facts, accepted_rule_ids, adjustments).facts


def _plan_term(
    slots: list[_Slot], slot: _Slot, attr: str, adj: Adjustment, touched: dict[str, list[str]]
) -> None:
    term = slot.term
    refs = touched.setdefault(adj.field, [slot.ref])
    if attr == "rate":
        if adj.after >= term.rate:
            return
        moved = term.rate - adj.after
        slot.term = replace(term, rate=adj.after)
        recipient = _balance_slot(slots, adj)
        recipient.term = replace(recipient.term, rate=recipient.term.rate + moved)
        refs.append(recipient.ref)
    elif attr == "days":
        trigger = adj.args.get("to_trigger")
        if trigger is not None and trigger is not term.trigger:
            slot.term = replace(
                term, trigger=trigger, days=adj.after, day_type=DayType.CALENDAR, days_agreed=True
            )
        elif not term.days_agreed or calendar_days(term) > adj.after:
            # targets are calendar days the contract states
            slot.term = replace(term, days=adj.after, day_type=DayType.CALENDAR, days_agreed=True)
    else:
        slot.term = replace(term, **{attr: adj.after})


def _plan_bond(bonds: list[BondTerm | None], index: int, attr: str, adj: Adjustment) -> None:
    bond = bonds[index]
    if bond is None:  # already waived
        return
    if attr == "rate":
        rate = min(bond.rate, adj.after)
        bonds[index] = None if rate == _ZERO else replace(bond, rate=rate)
    elif attr == "forms":
        bonds[index] = replace(bond, forms=bond.forms | adj.after)
    else:
        bonds[index] = replace(bond, **{attr: adj.after})


def _paying(slots: list[_Slot], kind: PaymentKind) -> list[_Slot]:
    return [s for s in slots if s.term.kind is kind and not is_retention(s.term)]


def _balance_slot(slots: list[_Slot], adj: Adjustment) -> _Slot:
    """The payment on acceptance that a lowered retention is paid with (made when there is none)."""
    finals = _paying(slots, PaymentKind.FINAL)
    on_acceptance = [s for s in finals if s.term.trigger is Trigger.ACCEPTANCE]
    for candidates in (on_acceptance, finals, _paying(slots, PaymentKind.PROGRESS)):
        if candidates:
            return candidates[-1]
    for slot in slots:
        if slot.ref == NEW_BALANCE:
            return slot
    days = adj.args.get("balance_days")
    new = _Slot(
        NEW_BALANCE,
        PaymentTerm(PaymentKind.FINAL, _ZERO, Trigger.ACCEPTANCE, days if isinstance(days, int) else 0),
    )
    # before the retention, so the schedule reads in the order money is paid
    position = next((i for i, s in enumerate(slots) if is_retention(s.term)), len(slots))
    slots.insert(position, new)
    return new


def _raise_prepayment(slots: list[_Slot], adj: Adjustment) -> list[str]:
    prepaid = sum((s.term.rate for s in slots if s.term.kind is PaymentKind.PREPAYMENT), _ZERO)
    need: Decimal = adj.after - prepaid
    if need <= _ZERO:
        return []
    donors = _paying(slots, PaymentKind.FINAL)[::-1] + _paying(slots, PaymentKind.PROGRESS)[::-1]
    touched: list[str] = []
    raised = _ZERO
    for slot in donors:
        take = min(need - raised, slot.term.rate)
        if take <= _ZERO:
            continue
        slot.term = replace(slot.term, rate=slot.term.rate - take)
        raised += take
        touched.append(slot.ref)
        if raised == need:
            break
    recipient = next((s for s in slots if s.term.kind is PaymentKind.PREPAYMENT), None)
    if recipient is None:
        days = adj.args.get("days")
        recipient = _Slot(
            NEW_PREPAYMENT,
            PaymentTerm(PaymentKind.PREPAYMENT, _ZERO, Trigger.SIGNING, days if isinstance(days, int) else 0),
        )
        slots.insert(0, recipient)
    recipient.term = replace(recipient.term, rate=recipient.term.rate + raised)
    return [recipient.ref, *touched]
