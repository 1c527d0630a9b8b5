"""Derive ``contract_obligations`` rows from a contract's terms and events (delete + insert).

Due dates are worked out with every recorded event (as of ``date.max``), so they stay right as time
passes: an acceptance that is late or missing starts the clock at the end of the agreed acceptance
period (802号令 Art. 9), whenever one looks. What depends on the day one looks (due yet? paid by
then? overdue?) is left to the report, which compares ``arises_on``, ``due_on`` and ``settled_on``
with its ``as_of``. Payment rows are the statutory SME payment duty (public body buying from an SME);
bonds and retention are recorded for every contract, as the ledger keeps them.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from procurement.contracts.models import Contract
from procurement.finance.derived import UNTRUSTED, audit_row, audit_row_of, default_fingerprint
from procurement.finance.models import ContractObligation, ObligationKind, StoredAudit
from procurement.finance.stored import load_contracts, stored_facts
from rules.audits import audit_contract, cached_policy_at
from rules.contract import ContractFacts
from rules.errors import RulesError
from rules.ledger import EntryStatus, LedgerEntry, discharge_of, ledger
from rules.payment_clock import (
    InconsistentFacts,
    Obligation,
    PolicyAt,
    allocate_payments,
    check_events,
    payment_obligations,
    sme_duty_applies,
)
from rules.policy import default_policy_book
from rules.vocabulary import ContractStatus, EventKind

FOREVER = date.max
BATCH = 500


@lru_cache(maxsize=1)
def default_policy_at() -> PolicyAt:
    return cached_policy_at(default_policy_book())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _citations(citations: Iterable[Any]) -> list[dict[str, Any]]:
    return [c.as_dict() for c in citations]


def payment_rows(facts: ContractFacts, policy_at: PolicyAt) -> list[dict[str, Any]]:
    """The SME payment duty's obligations, each with the date it was paid in full (if it was)."""
    if not sme_duty_applies(facts):
        return []
    return _payment_rows(facts, payment_obligations(facts, policy_at, FOREVER))


def _payment_rows(facts: ContractFacts, obligations: list[Obligation]) -> list[dict[str, Any]]:
    payments = [e for e in facts.events if e.kind is EventKind.PAID]
    allocation = allocate_payments(obligations, payments)
    return [_payment_row(o, *allocation[o.index]) for o in obligations]


def _payment_row(o: Obligation, paid: Decimal, paid_on: date | None) -> dict[str, Any]:
    return {
        "kind": ObligationKind.PAYMENT,
        "ref": str(o.index),
        "amount": o.amount,
        "arises_on": o.clock_start_on,
        "due_on": o.due_on,
        "settled_on": paid_on,
        "settled_amount": paid,
        "approximate": o.approximate,
        "policy_version": o.policy_version,
        "basis": {
            "term_kind": o.kind.value,
            "trigger": o.trigger.value,
            "agreed_due_on": _iso(o.agreed_due_on),
            "legal_due_on": _iso(o.legal_due_on),
            "acceptance_late": o.acceptance_late,
            "missing": o.missing,
            "citations": _citations(o.citations),
        },
    }


def ledger_row(entry: LedgerEntry) -> dict[str, Any]:
    bond = entry.kind.startswith("bond.")
    return {
        "kind": ObligationKind.BOND_RETURN if bond else ObligationKind.RETENTION_RELEASE,
        "ref": entry.ref or entry.kind,
        "amount": entry.amount,
        "arises_on": entry.held_on,
        "due_on": entry.due_on,
        "settled_on": entry.settled_on,
        "settled_amount": entry.amount if entry.settled_on is not None else None,
        "approximate": entry.approximate,
        "policy_version": entry.policy_version,
        "basis": {
            "entry_kind": entry.kind,
            # whether money is held at all (a guarantee letter holds none); being late is the
            # report's question, asked as of its own date
            "money_held": entry.status is not EntryStatus.NOT_HELD,
            "legal_force": entry.legal_force.value,
            "missing": entry.missing,
            "citations": _citations(entry.citations),
            # what a finding about it says (the set-based audit run builds it from this row)
            "ref": entry.ref,
            "parameter": entry.parameter,
            "period_days": entry.period_days,
        },
    }


class ObligationOwner(NamedTuple):
    """What an obligation row copies from its contract (a stored Contract has the same attributes)."""

    id: int
    purchaser_id: int
    region_code: str
    signed_on: date | None
    status: ContractStatus | None = None


# the payment figures count contracts in yuan that were concluded and not terminated; the others
# get no obligations (the report lists them apart: procurement.reports.db_report.LEFT_OUT_STATUSES)
_LEFT_OUT = frozenset({ContractStatus.DRAFT, ContractStatus.TERMINATED})


def counted(contract: "Contract | ObligationOwner", facts: ContractFacts) -> bool:
    return facts.currency == "CNY" and contract.status not in _LEFT_OUT


def obligation_rows(
    contract: Contract | ObligationOwner, facts: ContractFacts, policy_at: PolicyAt
) -> list[dict[str, Any]]:
    """Every obligation of one contract as rows of ``contract_obligations`` (ids left out).

    Contradictory events (paid before signed, overpaid) give no rows: the audit reports them; nor
    does a contract the figures do not count (``counted``).
    """
    if not counted(contract, facts):
        return []
    try:
        check_events(facts)
        # what the source never records cannot be shown late: no rows for it (rules.audits says
        # the rule is not applicable)
        entries = [e for e in ledger(facts, policy_at, FOREVER) if discharge_of(e) not in facts.unrecorded]
        payments = payment_rows(facts, policy_at) if EventKind.PAID not in facts.unrecorded else []
        rows = payments + [ledger_row(e) for e in entries]
    except InconsistentFacts:
        return []
    common = {
        "contract_id": contract.id,
        "purchaser_id": contract.purchaser_id,
        "region_code": contract.region_code,
        "signed_on": contract.signed_on,
    }
    return [{**common, **row} for row in rows]


def derive(
    contract: Contract | ObligationOwner, facts: ContractFacts, policy_at: PolicyAt, book: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``obligation_rows(contract, facts, policy_at)`` and ``audit_row(contract.id, facts, policy_at,
    book)`` from one pass over the rules: the audit as of ``FOREVER`` already works out the payment
    obligations, their allocation and the ledger the rows are made of."""
    try:
        audit = audit_contract(facts, policy_at, FOREVER, record=f"contract {contract.id}", judged=False)
    except RulesError:
        # contradictory events or a policy gap: each the old way, so that what raises, and what is
        # left out, stays exactly as it was
        return obligation_rows(contract, facts, policy_at), audit_row(contract.id, facts, policy_at, book)
    if not counted(contract, facts):
        return [], audit_row_of(contract.id, audit, book)
    # the audit's statuses are the payment rows' obligations with every payment allocated (as of
    # FOREVER, as ``payment_rows``); its ledger keeps a guarantee letter whose return the source never
    # records, which has no row
    rows = [_payment_row(s.obligation, s.paid_amount, s.paid_on) for s in audit.payments]
    rows += [ledger_row(e) for e in audit.ledger if discharge_of(e) not in facts.unrecorded]
    common = {
        "contract_id": contract.id,
        "purchaser_id": contract.purchaser_id,
        "region_code": contract.region_code,
        "signed_on": contract.signed_on,
    }
    return [{**common, **row} for row in rows], audit_row_of(contract.id, audit, book)


_CONTRACTS: Table = Contract.__table__  # type: ignore[assignment]
# rows are inserted as a table's (Core): the ORM's bulk insert builds a state per row for nothing,
# since no object is kept, and took longer than deriving them
_OBLIGATIONS: Table = ContractObligation.__table__  # type: ignore[assignment]
_AUDITS: Table = StoredAudit.__table__  # type: ignore[assignment]
SET_SCALE = (
    update(_CONTRACTS)
    .where(_CONTRACTS.c.id == bindparam("contract_id"), _CONTRACTS.c.supplier_scale.is_(None))
    # a derived column, not a change of the contract: updated_at stays what the create answered
    .values(supplier_scale=bindparam("scale"), updated_at=_CONTRACTS.c.updated_at)
)


def _record_scales(session: Session, contracts: Sequence[Contract], facts: dict[int, ContractFacts]) -> None:
    """Record the supplier's scale on a contract that has none yet (the report groups on it).

    Imports record the published scale themselves; for a contract entered through the API it is
    the supplier's effective size at the first refresh, i.e. when the contract was recorded. A Core
    update: the column is bookkeeping and must not move the contract's version (ETag).
    """
    found = []
    for c in contracts:
        size = facts[c.id].supplier_size
        if c.supplier_scale is None and size is not None:
            found.append((c, size.value))
    if found:
        session.execute(SET_SCALE, [{"contract_id": c.id, "scale": scale} for c, scale in found])
        for c, scale in found:
            set_committed_value(c, "supplier_scale", scale)  # what the row now holds, no change


def _book(policy_at: PolicyAt | None) -> str:
    # rows derived with a policy other than the default packs are never read by an audit run
    return default_fingerprint() if policy_at is None or policy_at is default_policy_at() else UNTRUSTED


def record_new_contract(
    session: Session, values: Mapping[str, Any], facts: ContractFacts, *, policy_at: PolicyAt | None = None
) -> int:
    """The obligations of a contract just inserted from ``values`` with these facts: nothing to delete
    and nothing to reload, so creating a contract stays cheap. Gives the rows ``refresh_obligations``
    would (tests/integration/test_obligations.py holds them to that)."""
    owner = ObligationOwner(
        values["id"],
        values["purchaser_id"],
        values["region_code"],
        values.get("signed_on"),
        values.get("status") or ContractStatus.DRAFT,
    )
    book = _book(policy_at)
    policy_at = policy_at or default_policy_at()
    rows, audit = derive(owner, facts, policy_at, book)
    if rows:
        session.execute(insert(_OBLIGATIONS), rows)
    session.execute(insert(_AUDITS), [audit])
    if values.get("supplier_scale") is None and facts.supplier_size is not None:
        session.execute(SET_SCALE, {"contract_id": owner.id, "scale": facts.supplier_size.value})
    return len(rows)


def refresh_obligations(
    session: Session, contract_ids: Sequence[int], *, policy_at: PolicyAt | None = None
) -> int:
    """Recompute the obligations of these contracts (delete + insert); returns the rows written.

    Call it after a contract, its terms or its events change, in the same transaction.
    """
    book = _book(policy_at)
    policy_at = policy_at or default_policy_at()
    session.flush()
    written = 0
    ids = sorted(set(contract_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        session.execute(delete(ContractObligation).where(ContractObligation.contract_id.in_(chunk)))
        session.execute(delete(StoredAudit).where(StoredAudit.contract_id.in_(chunk)))
        contracts = load_contracts(session, chunk)
        facts = stored_facts(session, contracts)
        derived = [derive(c, facts[c.id], policy_at, book) for c in contracts]
        rows = [row for contract_rows, _ in derived for row in contract_rows]
        if rows:
            session.execute(insert(_OBLIGATIONS), rows)
        if contracts:
            session.execute(insert(_AUDITS), [audit for _, audit in derived])
        _record_scales(session, contracts, facts)
        written += len(rows)
    return written
