"""Stored contracts → OCDS 1.1 releases, streamed in batches so memory stays flat at any size.

What the importer (procurement.imports) reads is written where it reads it, so import → export →
import changes nothing: parties with ``details.scale`` (partyDetails_scale extension), the award,
the contract with payment milestones (``value`` as OCDS 1.2 has it), ``guarantees`` and the
implementation (delivery and acceptance milestones, payments as transactions). What OCDS has no
place for — the SME terms decided, agreed days, every accepted bond form, other performance
events — goes in ``contracts[].smeproc``, our extension (procurement/ocds/extension/).
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract, ContractEvent
from procurement.errors import NotPermitted
from procurement.ocds.mapping import DAYS_PER_MONTH
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor, region_covers, region_prefix
from procurement.suppliers.models import Supplier
from procurement.terms.models import TermsResult
from rules.vocabulary import ContractStatus, EventKind, PaymentKind

BATCH = 500
CHINA_OFFSET = "+08:00"  # contract dates are Beijing calendar days
OCID_PREFIX = "ocds-smeproc"  # for contracts that came without an ocid
PARTY_SCALE_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyDetails_scale_extension/"
    "master/extension.json"
)
# the importer's reading of contracts[].status, reversed
STATUS_OUT = {
    ContractStatus.DRAFT: "pending",
    ContractStatus.SIGNED: "pending",
    ContractStatus.PERFORMING: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.TERMINATED: "cancelled",
}
MILESTONE_CODES = {
    PaymentKind.PREPAYMENT: ("prepayment", "预付款"),
    PaymentKind.PROGRESS: ("progressPayment", "进度款"),
    PaymentKind.FINAL: ("finalPayment", "尾款"),
    PaymentKind.RETENTION: ("retention", "质量保证金（尾款扣留）"),
}
IN_IMPLEMENTATION = frozenset({EventKind.DELIVERED, EventKind.ACCEPTED, EventKind.PAID})


def _datetime(day: date) -> str:
    return f"{day.isoformat()}T00:00:00{CHINA_OFFSET}"


def _number(amount: Decimal) -> int | float:
    """A JSON number, as OCDS has it. A float's shortest repr gives back the same decimal for every
    amount below about 10^13 yuan (15 significant digits), which the importer reads through repr."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _value(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": _number(amount), "currency": currency}


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))


def ocid_of(contract: Contract) -> str:
    return contract.ocid or f"{OCID_PREFIX}-{contract.id}"


def _contract_ocds_id(contract: Contract, ocid: str) -> str:
    # the importer prefixes the id with the ocid when the owner already used the bare id
    return contract.external_ref.removeprefix(f"{ocid}:")


def _buyer(org: Organization, contract: Contract) -> dict[str, Any]:
    party: dict[str, Any] = {"id": org.external_id or f"org-{org.id}", "name": org.name, "roles": ["buyer"]}
    # the region decides the policy pack on import: give it exactly when it decided it here
    if contract.jurisdiction == org.region_code:
        party["address"] = {"region": org.region_code}
    return party


def _supplier(supplier: Supplier, scale: str | None) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": supplier.external_id or f"supplier-{supplier.id}",
        "name": supplier.name,
        "roles": ["supplier"],
    }
    if supplier.credit_code:
        party["identifier"] = {"scheme": "CN-USCC", "id": supplier.credit_code}
    if scale:
        party["details"] = {"scale": scale}
    return party


def _milestones(contract: Contract, acceptance_on: date | None) -> list[dict[str, Any]]:
    milestones = []
    for term in contract.payment_terms:
        code, title = MILESTONE_CODES[term.kind]
        amount = term.amount if term.amount is not None else _fen(contract.amount * term.percent / 100)
        milestone: dict[str, Any] = {
            "id": f"payment-{term.position}",
            "title": title,
            "type": "financing",
            "code": code,
            "value": _value(amount, contract.currency),
        }
        if term.kind is PaymentKind.RETENTION and term.held_months is not None and acceptance_on is not None:
            held_days = int((term.held_months * DAYS_PER_MONTH).to_integral_value())
            milestone["dueAfterDate"] = _datetime(date.fromordinal(acceptance_on.toordinal() + held_days))
        milestones.append(milestone)
    return milestones


def _guarantees(contract: Contract, bonds_received: dict[str, list[ContractEvent]]) -> list[dict[str, Any]]:
    guarantees = []
    for bond in contract.bonds:
        amount = bond.amount if bond.amount is not None else _fen(contract.amount * bond.percent / 100)
        guarantee: dict[str, Any] = {
            "id": f"guarantee-{bond.position}",
            "type": bond.kind.value,
            "value": _value(amount, contract.currency),
        }
        if bond.forms:
            guarantee["form"] = sorted(bond.forms)[0].value
        received = bonds_received.get(bond.kind.value)
        if received:
            guarantee["period"] = {"startDate": _datetime(received.pop(0).occurred_on)}
        guarantees.append(guarantee)
    return guarantees


def _implementation(contract: Contract, events: Sequence[ContractEvent]) -> dict[str, Any]:
    milestones: list[dict[str, Any]] = []
    transactions: list[dict[str, Any]] = []
    for event in events:
        if event.kind is EventKind.PAID and event.amount is not None:
            transactions.append(
                {
                    "id": f"payment-{event.id}",
                    "date": _datetime(event.occurred_on),
                    "value": _value(event.amount, contract.currency),
                }
            )
        elif event.kind in (EventKind.DELIVERED, EventKind.ACCEPTED):
            delivered = event.kind is EventKind.DELIVERED
            milestones.append(
                {
                    "id": f"event-{event.id}",
                    "title": "交付" if delivered else "验收",
                    "type": "delivery" if delivered else "assessment",
                    "status": "met",
                    "dateMet": _datetime(event.occurred_on),
                }
            )
    implementation: dict[str, Any] = {}
    if milestones:
        implementation["milestones"] = milestones
    if transactions:
        implementation["transactions"] = transactions
    return implementation


def _sme_terms(
    contract: Contract, decided: TermsResult | None, others: list[ContractEvent]
) -> dict[str, Any]:
    extension: dict[str, Any] = {
        "paymentTerms": [
            {
                "kind": t.kind.value,
                "percent": str(t.percent),
                "trigger": t.trigger.value,
                "days": t.days,
                "daysAgreed": t.days_agreed,
                "dayType": t.day_type.value,
                "heldMonths": t.held_months,
            }
            for t in contract.payment_terms
        ],
        "bonds": [
            {
                "kind": b.kind.value,
                "percent": str(b.percent),
                "forms": sorted(f.value for f in b.forms),
                "returnDays": b.return_days,
            }
            for b in contract.bonds
        ],
        "events": [
            {
                "kind": e.kind.value,
                "date": e.occurred_on.isoformat(),
                "amount": _number(e.amount) if e.amount is not None else None,
                "ref": e.ref,
            }
            for e in others
        ],
    }
    if decided is not None:
        extension["smeTermsDecided"] = {
            "termsResultId": decided.id,
            "policyPack": decided.policy_pack,
            "policyVersion": decided.policy_version,
            "evaluatedOn": decided.evaluated_on.isoformat(),
            "accepted": list(decided.accepted_rule_ids),
            "declined": [{"ruleId": d["rule_id"], "reason": d["reason"]} for d in decided.declined],
        }
    return extension


def release_of(
    contract: Contract,
    purchaser: Organization,
    supplier: Supplier | None,
    events: Sequence[ContractEvent],
    decided: TermsResult | None,
) -> dict[str, Any]:
    """One OCDS 1.1 release of a stored contract (tag ``contract``, or ``implementation`` once it has
    performance events)."""
    ocid = ocid_of(contract)
    contract_id = _contract_ocds_id(contract, ocid)
    award_id = f"{contract_id}-award"
    acceptance_on = min((e.occurred_on for e in events if e.kind is EventKind.ACCEPTED), default=None)
    bonds_received: dict[str, list[ContractEvent]] = defaultdict(list)
    for event in events:
        if event.kind is EventKind.BOND_RECEIVED and event.ref:
            bonds_received[event.ref].append(event)
    guarantees = _guarantees(contract, bonds_received)
    leftover_bonds = {id(e) for es in bonds_received.values() for e in es}
    others = [
        e
        for e in events
        if e.kind not in IN_IMPLEMENTATION
        and (e.kind is not EventKind.BOND_RECEIVED or id(e) in leftover_bonds or not e.ref)
    ]
    value = _value(contract.amount, contract.currency)
    parties = [_buyer(purchaser, contract)]
    award: dict[str, Any] = {"id": award_id, "status": "active", "value": value}
    if supplier is not None:
        parties.append(_supplier(supplier, contract.supplier_scale))
        award["suppliers"] = [{"id": parties[-1]["id"], "name": supplier.name}]
    ocds_contract: dict[str, Any] = {
        "id": contract_id,
        "awardID": award_id,
        "status": STATUS_OUT[contract.status],
        "value": value,
    }
    if contract.title:
        ocds_contract["title"] = contract.title
    if contract.signed_on is not None:
        ocds_contract["dateSigned"] = _datetime(contract.signed_on)
    milestones = _milestones(contract, acceptance_on)
    if milestones:
        ocds_contract["milestones"] = milestones
    if guarantees:
        ocds_contract["guarantees"] = guarantees
    implementation = _implementation(contract, events)
    if implementation:
        ocds_contract["implementation"] = implementation
    ocds_contract["smeproc"] = _sme_terms(contract, decided, others)
    return {
        "ocid": ocid,
        "id": f"{ocid}-{contract.id}-v{contract.version}",
        "date": contract.updated_at.isoformat(),
        "tag": ["implementation"] if implementation else ["contract"],
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": {"id": parties[0]["id"], "name": purchaser.name},
        "tender": {"id": f"{ocid}-tender", "mainProcurementCategory": contract.category.value},
        "awards": [award],
        "contracts": [ocds_contract],
    }


def _scope(actor: Actor, region_code: str | None) -> str | None:
    if region_code is None or actor.role in (Role.ADMIN, Role.OFFICER):
        return region_code
    if not region_covers(actor.region_code, region_code):
        raise NotPermitted(
            f"地区 {region_code} 不在您的辖区（{actor.region_code}）",
            f"region {region_code} is outside yours",
        )
    return region_code


def export_releases(
    session: Session,
    actor: Actor,
    *,
    region_code: str | None = None,
    signed_from: date | None = None,
    signed_to: date | None = None,
    batch: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """The caller's contracts as releases, by id, ``batch`` at a time (the session holds one batch).

    ``signed_from`` / ``signed_to`` bound the signing date (a bound leaves out unsigned drafts).
    The scope check runs at the first ``next()``.
    """
    region = _scope(actor, region_code)
    query = select(Contract).where(actor.visible(Contract.purchaser_id, Contract.region_code))
    if region is not None:
        query = query.where(Contract.region_code.startswith(region_prefix(region), autoescape=True))
    if signed_from is not None:
        query = query.where(Contract.signed_on >= signed_from)
    if signed_to is not None:
        query = query.where(Contract.signed_on <= signed_to)
    after = 0
    while True:
        contracts = list(
            session.execute(query.where(Contract.id > after).order_by(Contract.id).limit(batch)).scalars()
        )
        if not contracts:
            return
        yield from _releases(session, contracts)
        after = contracts[-1].id
        session.expunge_all()  # a region holds many contracts: keep the identity map to one batch


def _releases(session: Session, contracts: list[Contract]) -> Iterator[dict[str, Any]]:
    ids = [c.id for c in contracts]
    purchasers = {
        o.id: o
        for o in session.execute(
            select(Organization).where(Organization.id.in_({c.purchaser_id for c in contracts}))
        ).scalars()
    }
    supplier_ids = {c.supplier_id for c in contracts if c.supplier_id is not None}
    suppliers = {
        s.id: s for s in session.execute(select(Supplier).where(Supplier.id.in_(supplier_ids))).scalars()
    }
    events: dict[int, list[ContractEvent]] = defaultdict(list)
    for event in session.execute(
        select(ContractEvent)
        .where(ContractEvent.contract_id.in_(ids))
        .order_by(ContractEvent.occurred_on, ContractEvent.id)
    ).scalars():
        events[event.contract_id].append(event)
    decided: dict[int, TermsResult] = {}
    for row in session.execute(
        select(TermsResult).where(TermsResult.contract_id.in_(ids)).order_by(TermsResult.id)
    ).scalars():
        decided[row.contract_id] = row  # the latest decision wins
    for contract in contracts:
        supplier = suppliers.get(contract.supplier_id) if contract.supplier_id is not None else None
        yield release_of(
            contract,
            purchasers[contract.purchaser_id],
            supplier,
            events[contract.id],
            decided.get(contract.id),
        )
