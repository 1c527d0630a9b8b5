"""A chunk of an audit run, set-based: SQL reads the derived rows, the rules' own texts build findings.

For a chunk of contract ids, three statements read (1) the contracts in scope with their
``contract_audits`` row (terms findings and coverage, derived with the obligations), (2) when each
one's events end and whether its acceptance clock is still open, and (3) only the obligations
overdue as of the run's day (due before it, not settled by the due date). Findings are made from
those rows by ``rules.audits.payment_finding`` / ``ledger_finding``, the functions the per-contract
audit uses, so keys, texts, evidence and pack version are the same.

The derived rows are worked out with every recorded event; they say what an audit on ``as_of`` would
say only when nothing the contract records lies after ``as_of`` and no acceptance clock starts after
it. A contract outside that (or in another currency, a draft or terminated one, one whose events
the rules refused, one derived under other packs or never derived) is audited one by one
(``audit_one_by_one``), as every contract was before.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract, ContractEvent
from procurement.finance.derived import default_fingerprint, finding_of
from procurement.finance.models import ContractObligation, ObligationKind, StoredAudit
from procurement.finance.stored import load_contracts, stored_facts
from procurement.findings.identity import contract_scope, keyed
from procurement.findings.upsert import Sighting
from rules.audits import RULES, TERMS_MANDATORY, audit_contract, ledger_finding, payment_finding
from rules.errors import RulesError
from rules.findings import Citation, Finding
from rules.ledger import EntryStatus, LedgerEntry
from rules.payment_clock import Obligation, PaymentStatus, PolicyAt, days_late, late_interest
from rules.vocabulary import ContractStatus, EventKind, LegalForce, PaymentKind, Trigger

MAX_ERRORS_KEPT = 200
EVALUATED = "evaluated"
ONE_BY_ONE_BATCH = 500  # contracts loaded through the ORM at once
# contracts the payment figures leave out get no obligations: the rules audit them one by one
_NOT_DERIVED = (ContractStatus.DRAFT, ContractStatus.TERMINATED)


@dataclass
class Tally:
    """What a run found so far: counts by rule and legal force, coverage, errors."""

    counts: Counter[str] = field(
        default_factory=lambda: Counter({rule: 0 for rule in RULES if rule != TERMS_MANDATORY})
    )
    forces: Counter[str] = field(default_factory=Counter)
    coverage: dict[str, Counter[str]] = field(default_factory=lambda: {rule: Counter() for rule in RULES})
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    one_by_one: int = 0  # contracts the derived rows could not stand for
    alone: list[int] = field(default_factory=list)  # their ids

    def add(self, coverage: dict[str, str | None], findings: Sequence[Finding]) -> None:
        self.add_many(coverage, 1)
        for f in findings:
            self.counts[f.rule_id] += 1
            self.forces[f.legal_force.value] += 1

    def add_many(self, coverage: dict[str, str | None], contracts: int) -> None:
        """The coverage of ``contracts`` contracts that have this same table."""
        for rule, reason in coverage.items():
            self.coverage.setdefault(rule, Counter())[reason or EVALUATED] += contracts

    def fail(self, contract_id: int, err: RulesError) -> None:
        self.failed.append(contract_id)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(
                {"contract_id": contract_id, "message": f"{err.message_zh} / {err.message_en}"}
            )


def audit_one_by_one(
    session: Session, contract_ids: Sequence[int], policy_at: PolicyAt, as_of: date, tally: Tally
) -> list[Sighting]:
    """The per-contract audit: load each contract's facts and run ``rules.audits.audit_contract``."""
    sightings: list[Sighting] = []
    for start in range(0, len(contract_ids), ONE_BY_ONE_BATCH):
        contracts = load_contracts(session, contract_ids[start : start + ONE_BY_ONE_BATCH])
        facts = stored_facts(session, contracts)
        for contract in contracts:
            try:
                audit = audit_contract(facts[contract.id], policy_at, as_of, record=f"contract {contract.id}")
            except RulesError as err:
                tally.fail(contract.id, err)
                continue
            tally.add(audit.coverage, audit.findings)
            sightings += [
                Sighting(key, f, contract.purchaser_id, contract.region_code, contract.id)
                for key, f in keyed(contract_scope(contract.id), audit.findings)
            ]
        for contract in contracts:  # a region holds many contracts: keep the identity map small
            session.expunge(contract)
    return sightings


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _citations(basis: dict[str, Any]) -> tuple[Citation, ...]:
    return tuple(Citation(**c) for c in basis.get("citations") or ())


class _Rates(dict[tuple[str, date], Decimal]):
    """The pack's default late-interest rate by jurisdiction and due date, each resolved once."""

    def __init__(self, policy_at: PolicyAt) -> None:
        super().__init__()
        self.policy_at = policy_at

    def __missing__(self, at: tuple[str, date]) -> Decimal:
        rate = Decimal(str(self.policy_at(*at).value("payment.late_interest.default_daily_rate")))
        self[at] = rate
        return rate


def _payment(row: Any, jurisdiction: str, rates: _Rates, as_of: date, record: str) -> Finding:
    b = row.basis
    o = Obligation(
        index=int(row.ref),
        kind=PaymentKind(b["term_kind"]),
        amount=row.amount,
        trigger=Trigger(b["trigger"]),
        clock_start_on=row.arises_on,
        due_on=row.due_on,
        agreed_due_on=_date(b.get("agreed_due_on")),
        legal_due_on=_date(b.get("legal_due_on")),
        approximate=row.approximate,
        policy_version=row.policy_version,
        citations=_citations(b),
        missing=b.get("missing"),
        acceptance_late=bool(b.get("acceptance_late")),
    )
    paid = row.settled_amount if row.settled_amount is not None else Decimal(0)
    paid_on = row.settled_on
    outstanding = o.amount - paid
    late = days_late(row.due_on, paid_on, as_of)
    # as rules.payment_clock.payment_status: the pack's default rate on the due date
    rate = rates[jurisdiction, row.due_on]
    base = o.amount if paid_on is not None else outstanding
    status = PaymentStatus(o, paid, paid_on, outstanding, late, late_interest(base, late, rate), rate)
    return payment_finding(status, record)


def _ledger(row: Any, as_of: date, record: str) -> Finding:
    b = row.basis
    if row.settled_on is not None:
        status, days = EntryStatus.SETTLED, (row.settled_on - row.due_on).days
    else:
        status, days = EntryStatus.OVERDUE, (as_of - row.due_on).days
    entry = LedgerEntry(
        kind=b["entry_kind"],
        amount=row.amount,
        held_on=row.arises_on,
        due_on=row.due_on,
        settled_on=row.settled_on,
        status=status,
        days_overdue=days,
        legal_force=LegalForce(b["legal_force"]),
        approximate=row.approximate,
        policy_version=row.policy_version,
        citations=_citations(b),
        missing=b.get("missing"),
        ref=b["ref"],
        parameter=b.get("parameter") or "",
        period_days=b.get("period_days"),
    )
    return ledger_finding(entry, record)


def _overdue(as_of: date) -> ColumnElement[bool]:
    """An obligation overdue on ``as_of``: due before it and not settled by the due date."""
    o = ContractObligation
    return and_(
        o.due_on.is_not(None),
        o.due_on < as_of,
        or_(o.settled_on.is_(None), o.settled_on > o.due_on),
    )


def audit_chunk(
    session: Session,
    in_scope: ColumnElement[bool],
    contract_ids: Sequence[int],
    policy_at: PolicyAt,
    as_of: date,
    tally: Tally,
) -> list[Sighting]:
    """Audit the contracts ``contract_ids`` (ascending, all in scope) set-based where the derived
    rows stand for them, one by one elsewhere."""
    lo, hi = contract_ids[0], contract_ids[-1]
    wanted = set(contract_ids)
    contracts = session.execute(
        select(
            Contract.id,
            Contract.purchaser_id,
            Contract.region_code,
            Contract.jurisdiction,
            Contract.currency,
            Contract.status,
            Contract.acceptance_period_days,
            StoredAudit.book,
            StoredAudit.consistent,
            StoredAudit.coverage,
            StoredAudit.terms,
        )
        .outerjoin(StoredAudit, StoredAudit.contract_id == Contract.id)
        .where(in_scope, Contract.id.between(lo, hi))
        .order_by(Contract.id)
    ).all()
    e = ContractEvent
    timeline = {
        row.contract_id: row
        for row in session.execute(
            select(
                e.contract_id,
                func.max(e.occurred_on).label("last"),
                func.min(case((e.kind == EventKind.DELIVERED, e.occurred_on))).label("delivered"),
                func.max(case((e.kind == EventKind.ACCEPTED, 1), else_=0)).label("accepted"),
            )
            .where(e.contract_id.between(lo, hi))
            .group_by(e.contract_id)
        )
    }
    book = default_fingerprint()
    derived: dict[int, Any] = {}
    one_by_one: list[int] = []
    for c in contracts:
        if c.id not in wanted:
            continue
        t = timeline.get(c.id)
        # an acceptance not recorded starts the clock when the agreed period ends, if by as_of
        open_clock = (
            t is not None
            and not t.accepted
            and t.delivered is not None
            and bool(c.acceptance_period_days)
            and t.delivered + timedelta(days=c.acceptance_period_days) >= as_of
        )
        if (
            c.book != book
            or not c.consistent
            or c.currency != "CNY"
            or c.status in _NOT_DERIVED
            or (t is not None and t.last > as_of)
            or open_clock
        ):
            one_by_one.append(c.id)
        else:
            derived[c.id] = c
    o = ContractObligation
    overdue: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(
            o.id,
            o.contract_id,
            o.kind,
            o.ref,
            o.amount,
            o.arises_on,
            o.due_on,
            o.settled_on,
            o.settled_amount,
            o.approximate,
            o.policy_version,
            o.basis,
        )
        .where(o.contract_id.between(lo, hi), _overdue(as_of))
        .order_by(o.contract_id, o.id)
    ):
        if row.contract_id in derived:
            overdue[row.contract_id].append(row)
    sightings: list[Sighting] = []
    rates = _Rates(policy_at)
    for cid, c in derived.items():
        rows = overdue.get(cid, [])
        if any(r.kind is not ObligationKind.PAYMENT and "ref" not in r.basis for r in rows):
            one_by_one.append(cid)  # derived before ledger rows kept their ref: audit it anew
            continue
        record = f"contract {cid}"
        payments = sorted((r for r in rows if r.kind is ObligationKind.PAYMENT), key=lambda r: int(r.ref))
        held = [r for r in rows if r.kind is not ObligationKind.PAYMENT and r.basis.get("money_held")]
        findings = [_payment(r, c.jurisdiction, rates, as_of, record) for r in payments]
        findings += [_ledger(r, as_of, record) for r in held if r.basis["entry_kind"].startswith("bond.")]
        findings += [_ledger(r, as_of, record) for r in held if r.basis["entry_kind"].startswith("retention")]
        findings += [finding_of(content) for content in c.terms]
        tally.add(c.coverage, findings)
        sightings += [
            Sighting(key, f, c.purchaser_id, c.region_code, cid)
            for key, f in keyed(contract_scope(cid), findings)
        ]
    if one_by_one:
        tally.one_by_one += len(one_by_one)
        tally.alone += one_by_one
        sightings += audit_one_by_one(session, sorted(one_by_one), policy_at, as_of, tally)
    return sightings
