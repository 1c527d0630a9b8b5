"""Performance audit findings: overdue payments, unreturned bonds, over-held retention.

``audit_contract`` also runs the mandatory-term rules of ``rules.terms`` where that module exists,
and reports for every rule whether it could evaluate the contract and, if not, why (coverage).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rules.contract import ContractFacts
from rules.findings import Finding
from rules.ledger import EntryStatus, LedgerEntry, ledger
from rules.payment_clock import (
    PaymentStatus,
    PolicyAt,
    Snapshot,
    check_events,
    payment_status,
    sme_duty_applies,
)
from rules.vocabulary import EventKind, LegalForce

PAYMENT_OVERDUE = "payment.overdue"
BOND_UNRETURNED = "bond.unreturned"
RETENTION_OVERHELD = "retention.overheld"
TERMS_MANDATORY = "terms.mandatory"
RULES = (PAYMENT_OVERDUE, BOND_UNRETURNED, RETENTION_OVERHELD, TERMS_MANDATORY)
# paying an SME late breaches 802号令 whatever the contract agreed
PAYMENT_OVERDUE_FORCE = LegalForce.MANDATORY
# the coverage reasons of a rule whose discharging event the source never records
NOT_APPLICABLE = {
    EventKind.PAID: "not_applicable:source_records_no_payments",
    EventKind.BOND_RETURNED: "not_applicable:source_records_no_bond_returns",
    EventKind.RETENTION_RELEASED: "not_applicable:source_records_no_retention_releases",
}

MandatoryFindings = Callable[[ContractFacts, Any], list[Finding]]


@lru_cache(maxsize=1)
def terms_hook() -> MandatoryFindings | None:
    # HOOK: the terms engine is written in parallel; use it as soon as it is importable
    try:
        from rules import terms  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    hook: MandatoryFindings | None = getattr(terms, "mandatory_findings", None)
    return hook


@dataclass(slots=True)
class ContractAudit:
    """Findings of one contract and, per rule, None (evaluated) or why it could not be."""

    findings: list[Finding] = field(default_factory=list)
    coverage: dict[str, str | None] = field(default_factory=dict)
    payments: list[PaymentStatus] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)


def cached_policy_at(book: Any, maxsize: int = 4096) -> PolicyAt:
    """``book.at`` memoised per (jurisdiction, date): snapshots repeat a lot in a batch."""

    @lru_cache(maxsize=maxsize)
    def at(jurisdiction: str, on: date) -> Snapshot:
        snap: Snapshot = book.at(jurisdiction, on)
        return snap

    return at


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def payment_finding(status: PaymentStatus, record: str = "") -> Finding:
    o = status.obligation
    assert o.due_on is not None
    evidence: dict[str, Any] = {
        "record": record,
        "term_index": o.index,
        "kind": o.kind.value,
        "amount": str(o.amount),
        "trigger": o.trigger.value,
        "clock_start_on": o.clock_start_on.isoformat() if o.clock_start_on else None,
        "agreed_due_on": o.agreed_due_on.isoformat() if o.agreed_due_on else None,
        "legal_due_on": o.legal_due_on.isoformat() if o.legal_due_on else None,
        "due_on": o.due_on.isoformat(),
        "paid_on": status.paid_on.isoformat() if status.paid_on else None,
        "outstanding": str(status.outstanding),
        "days_late": status.days_late,
        "late_interest": str(status.late_interest),
        "daily_rate": str(status.daily_rate),
        "acceptance_late": o.acceptance_late,
        "approximate": o.approximate,
    }
    state_zh = f"于 {status.paid_on} 付清" if status.paid_on else f"尚欠 {_money(status.outstanding)} 元"
    state_en = f"paid on {status.paid_on}" if status.paid_on else f"{status.outstanding} outstanding"
    return Finding(
        rule_id=PAYMENT_OVERDUE,
        category="payment",
        legal_force=PAYMENT_OVERDUE_FORCE,
        citations=o.citations,
        message_zh=(
            f"应于 {o.due_on} 支付的款项 {_money(o.amount)} 元"
            f"逾期 {status.days_late} 天（{state_zh}），"
            f"逾期利息 {_money(status.late_interest)} 元"
        ),
        message_en=(
            f"payment of {o.amount} due on {o.due_on} is {status.days_late} days late "
            f"({state_en}); late interest {status.late_interest}"
        ),
        remedy_zh="立即支付欠款并按约定利率（未约定的按每日万分之五）支付逾期利息",
        remedy_en="pay the amount now with late interest at the agreed rate (else 0.05% a day)",
        evidence=evidence,
        policy_version=o.policy_version,
    )


def ledger_finding(entry: LedgerEntry, record: str = "") -> Finding:
    assert entry.due_on is not None
    bond = entry.kind.startswith("bond.")
    evidence: dict[str, Any] = {
        "record": record,
        "kind": entry.kind,
        "ref": entry.ref,
        "amount": str(entry.amount),
        "held_on": entry.held_on.isoformat() if entry.held_on else None,
        "due_on": entry.due_on.isoformat(),
        "settled_on": entry.settled_on.isoformat() if entry.settled_on else None,
        "days_overdue": entry.days_overdue,
        "approximate": entry.approximate,
    }
    done_zh = f"，于 {entry.settled_on} 才退还" if entry.settled_on else "，至今未退还"
    done_en = f", returned only on {entry.settled_on}" if entry.settled_on else ", still held"
    if entry.legal_force is LegalForce.ENCOURAGED:
        # a target the finance department set, not a legal limit: say so, naming the parameter
        evidence["parameter"] = entry.parameter
        evidence["target_days"] = entry.period_days
        done_zh += f"（财政部门目标 {entry.parameter} = {entry.period_days} 天，属鼓励性目标，非法定期限）"
        done_en += (
            f" (a target of the finance department, {entry.parameter} = {entry.period_days} days: "
            "encouraged, not a legal limit)"
        )
    what_zh, what_en = ("保证金", "bond") if bond else ("质量保证金/尾款", "retention")
    return Finding(
        rule_id=BOND_UNRETURNED if bond else RETENTION_OVERHELD,
        category="bond" if bond else "retention",
        legal_force=entry.legal_force,
        citations=entry.citations,
        message_zh=(
            f"{what_zh} {_money(entry.amount)} 元应于 {entry.due_on} 前退还，"
            f"逾期 {entry.days_overdue} 天{done_zh}"
        ),
        message_en=(
            f"{what_en} of {entry.amount} was due back by {entry.due_on}; "
            f"{entry.days_overdue} days overdue{done_en}"
        ),
        remedy_zh=f"立即退还{what_zh}，并按规定支付逾期利息"
        if entry.legal_force is LegalForce.MANDATORY
        else f"建议按目标期限退还{what_zh}",
        remedy_en=f"return the {what_en} now, with interest for the delay where the law provides"
        if entry.legal_force is LegalForce.MANDATORY
        else f"return the {what_en} within the target period",
        evidence=evidence,
        policy_version=entry.policy_version,
    )


def audit_contract(
    facts: ContractFacts,
    policy_at: PolicyAt,
    as_of: date,
    *,
    record: str = "",
    agreed_daily_rate: Decimal | None = None,
    with_terms: bool = True,
    judged: bool = True,
) -> ContractAudit:
    """All performance findings of one contract on ``as_of``, with the coverage of each rule.

    ``judged=False`` leaves out the payment, bond and retention findings (the statuses, the ledger,
    the coverage and the terms findings stay): a caller deriving as of ``date.max`` keeps none of
    them, and writing their messages is most of the work. Raises ``InconsistentFacts`` (an
    ``InvalidInput``) for events that cannot be true.
    """
    check_events(facts, record)
    result = ContractAudit()
    duty = sme_duty_applies(facts)
    if duty is None:
        result.coverage[PAYMENT_OVERDUE] = "no_scale"
    elif not duty:
        result.coverage[PAYMENT_OVERDUE] = "not_sme_public_body"
    elif EventKind.PAID in facts.unrecorded:
        result.coverage[PAYMENT_OVERDUE] = NOT_APPLICABLE[EventKind.PAID]
    else:
        statuses = payment_status(facts, policy_at, as_of, agreed_daily_rate=agreed_daily_rate)
        result.payments = statuses
        reasons = [s.obligation.missing for s in statuses if s.obligation.missing]
        if not statuses:
            result.coverage[PAYMENT_OVERDUE] = "no_payment_terms"
        elif reasons and len(reasons) == len(statuses):
            result.coverage[PAYMENT_OVERDUE] = reasons[0]
        else:
            result.coverage[PAYMENT_OVERDUE] = None
        if judged:
            result.findings += [payment_finding(s, record) for s in statuses if s.overdue]
    entries = ledger(facts, policy_at, as_of)
    for rule, prefix, none_reason, discharge in (
        (BOND_UNRETURNED, "bond.", "no_bond", EventKind.BOND_RETURNED),
        (RETENTION_OVERHELD, "retention", "no_retention", EventKind.RETENTION_RELEASED),
    ):
        mine = [e for e in entries if e.kind.startswith(prefix)]
        held = [e for e in mine if e.status is not EntryStatus.NOT_HELD]
        known = [e for e in held if e.status is not EntryStatus.UNKNOWN]
        if not mine:
            result.coverage[rule] = none_reason
        elif not held:
            result.coverage[rule] = "guarantee_not_cash"
        elif discharge in facts.unrecorded:
            result.coverage[rule] = NOT_APPLICABLE[discharge]
            continue  # nothing of it is judged, nor counted in the figures
        elif not known:
            result.coverage[rule] = held[0].missing or "unknown"
        else:
            result.coverage[rule] = None
        result.ledger += mine
        if judged:
            result.findings += [ledger_finding(e, record) for e in known if e.days_overdue > 0]
    hook = terms_hook() if with_terms else None
    if not with_terms:
        result.coverage[TERMS_MANDATORY] = "not_requested"
    elif hook is None:
        result.coverage[TERMS_MANDATORY] = "terms_engine_missing"
    elif facts.signed_on is None:
        result.coverage[TERMS_MANDATORY] = "no_signing_date"
    else:
        result.findings += hook(facts, policy_at(facts.jurisdiction, facts.signed_on))
        result.coverage[TERMS_MANDATORY] = None
    return result
