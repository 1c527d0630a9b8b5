"""A contract as the rules see it: ``ContractFacts`` from a stored contract or an API body, and back.

Percentages (API and database, 0-100) become rate fractions here and nowhere else; the supplier's
size is the effective size the policy treats it as (size table, special status, large links).
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from procurement.contracts.beneficiary import stored_benefit
from procurement.contracts.models import BondRow, Contract, PaymentTermRow
from procurement.contracts.queries import events_of
from procurement.orm import utcnow
from procurement.suppliers.models import Supplier
from rules.beneficiary import SIZE_ZH, Benefit
from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.errors import InsufficientSizeData
from rules.policy import PolicyBook, PolicyNotInForce, PolicySnapshot, default_policy_book
from rules.sme_size import SizeResult, classify, declared_only, effective_size
from rules.special_status import SpecialRules, is_new_firm, special_rules
from rules.vocabulary import ContractStatus, DayType, Industry, Size, SpecialStatus

HUNDRED = Decimal(100)
_PERCENT_PLACES = Decimal("0.0001")  # the Percent column keeps 4 decimals


def rate_of(percent: Decimal) -> Decimal:
    """``Decimal("12.5")`` (percent) -> ``Decimal("0.125")`` (rate)."""
    return percent / HUNDRED


def percent_of(rate: Decimal) -> Decimal:
    """``Decimal("0.125")`` -> ``Decimal("12.5000")``, at the storage precision."""
    return (rate * HUNDRED).quantize(_PERCENT_PLACES)


def terms_date(signed_on: date | None, announced_on: date | None, today: date) -> date:
    """The date whose policy governs the contract terms: the signing date.

    An unsigned draft is judged on the earliest day it can still be signed (today, or its
    announcement date when that lies ahead): never on the announcement date of the past, which
    selects evaluation rules and could apply a version of the law that no longer binds the signing.
    """
    if signed_on is not None:
        return signed_on
    if announced_on is not None and announced_on > today:
        return announced_on
    return today


def supplier_size(
    *,
    industry: Industry | str | None,
    employees: int | None,
    revenue_wan: Decimal | None,
    assets_wan: Decimal | None,
    declared_size: Size | None,
    special_status: SpecialStatus = SpecialStatus.NONE,
    linked_to_large: bool = False,
    is_enterprise: bool = True,
    disabled_staff: int | None = None,
    founded_on: date | None = None,
    snapshot: PolicySnapshot | None,
) -> SizeResult | None:
    """The size the policy treats a supplier as, or None when nothing says.

    Classified from the figures with the size table of ``snapshot`` where the industry and a figure
    are known; else the declaration letter's size (``declared_only``). Special status (checked
    against the pack's conditions) and links to a large enterprise override both.
    """
    computed: SizeResult | Size | None = None
    if industry is not None and snapshot is not None:
        try:
            computed = classify(
                industry,
                employees=employees,
                revenue_wan=revenue_wan,
                assets_wan=assets_wan,
                table=snapshot.size_table,
            )
        except InsufficientSizeData:
            computed = None
    rules = special_rules(snapshot) if snapshot is not None else None
    if computed is None and declared_size is not None:
        computed = _declared(declared_size, founded_on, rules, snapshot)
    return effective_size(
        computed,
        special_status=special_status,
        linked_to_large=linked_to_large,
        is_enterprise=is_enterprise,
        rules=rules,
        disabled_staff=disabled_staff,
        staff=employees,
    )


def _declared(
    declared: Size, founded_on: date | None, rules: SpecialRules | None, snapshot: PolicySnapshot | None
) -> SizeResult:
    # the declaration letter is the proof (46号 Art. 11): without figures it stands as declared
    if (
        founded_on is not None
        and snapshot is not None
        and is_new_firm(rules, founded_on=founded_on, on=snapshot.on)
    ):
        return declared_only(declared, founded_on=founded_on, rules=rules)
    return SizeResult(
        declared,
        f"未提供划型数据，按中小企业声明函为{SIZE_ZH[declared]}",
        f"no size figures given: as declared ({declared.value})",
        possible_sizes=(declared,),
        declared_only=True,
    )


def stored_supplier_size(supplier: Supplier | None, snapshot: PolicySnapshot | None) -> SizeResult | None:
    if supplier is None:
        return None
    return supplier_size(
        industry=supplier.industry,
        employees=supplier.employees,
        revenue_wan=supplier.revenue_wan,
        assets_wan=supplier.assets_wan,
        declared_size=supplier.declared_size,
        special_status=supplier.special_status,
        linked_to_large=supplier.linked_to_large,
        disabled_staff=supplier.disabled_staff,
        founded_on=supplier.founded_on,
        snapshot=snapshot,
    )


def _snapshot(book: PolicyBook, jurisdiction: str, on: date | None) -> PolicySnapshot | None:
    if on is None:
        return None
    try:
        return book.at(jurisdiction, on)
    except PolicyNotInForce:
        return None  # the terms evaluation reports the missing pack; size falls back to the declaration


def _stored_benefit(
    values: Mapping[str, Any] | Contract,
    supplier: Supplier | None,
    supplier_size: Size | None,
    members: Sequence[tuple[Supplier | None, Decimal]],
    snapshot: PolicySnapshot | None,
    *,
    strict: bool,
) -> Benefit:
    sized = []
    for member, percent in members:
        result = stored_supplier_size(member, snapshot)
        sized.append((member.name if member else "", result.size if result else None, percent))
    return stored_benefit(
        values,
        supplier_name=supplier.name if supplier else "",
        supplier_size=supplier_size,
        members=sized,
        snapshot=snapshot,
        strict=strict,
    )


# the fields whose change can change who benefits (46号 Art. 4): a PATCH of any re-checks it
WHO_BENEFITS_FIELDS = frozenset(
    {
        "supplier_id",
        "category",
        "consortium",
        "goods_items",
        "all_goods_made_by",
        "builder_name",
        "builder_size",
    }
)


def check_who_benefits(session: Session, contract: Contract, *, book: PolicyBook | None = None) -> None:
    """Raise ``InvalidInput`` naming the field where a changed contract's who-benefits data cannot
    be read (an item without its maker's size from an SME supplier ...), as creating it would."""
    snapshot = _snapshot(
        book or default_policy_book(), contract.jurisdiction, contract.signed_on or contract.announced_on
    )
    # by id: relationships of rows changed in this request are not loaded yet
    supplier = session.get(Supplier, contract.supplier_id) if contract.supplier_id is not None else None
    size_result = stored_supplier_size(supplier, snapshot)
    members = [(session.get(Supplier, m.supplier_id), m.share_percent) for m in contract.consortium]
    size = size_result.size if size_result is not None else None
    _stored_benefit(contract, supplier, size, members, snapshot, strict=True)


def _recorded_scale(contract: Contract) -> Size | None:
    # imports record "sme" when only that much is known: no size to act on
    try:
        return Size(contract.supplier_scale) if contract.supplier_scale else None
    except ValueError:
        return None


def _getter(row: object) -> Any:
    # rows and loaded API bodies carry the same names
    return row.get if isinstance(row, Mapping) else lambda name: getattr(row, name)


def _stated_rate(get: Any, contract_amount: Decimal | None) -> Decimal:
    # A stated amount (OCDS milestones state money, not percent) over the contract amount, unrounded,
    # so the payment clock gives the amount back exactly; otherwise the percent as a rate.
    stated = get("amount")
    if stated is not None and contract_amount:
        return Decimal(stated) / contract_amount
    return rate_of(get("percent"))


def payment_terms_of(
    rows: Sequence[PaymentTermRow] | Sequence[Mapping[str, Any]], contract_amount: Decimal | None = None
) -> tuple[PaymentTerm, ...]:
    out = []
    for row in rows:
        get = _getter(row)
        agreed = get("days_agreed")
        out.append(
            PaymentTerm(
                kind=get("kind"),
                rate=_stated_rate(get, contract_amount),
                trigger=get("trigger"),
                days=get("days"),
                day_type=get("day_type") or DayType.CALENDAR,
                held_months=get("held_months"),
                days_agreed=True if agreed is None else bool(agreed),
            )
        )
    return tuple(out)


def bonds_of(
    rows: Sequence[BondRow] | Sequence[Mapping[str, Any]], contract_amount: Decimal | None = None
) -> tuple[BondTerm, ...]:
    out = []
    for row in rows:
        get = _getter(row)
        out.append(
            BondTerm(
                kind=get("kind"),
                rate=_stated_rate(get, contract_amount),
                forms=frozenset(get("forms")),
                return_days=get("return_days"),
            )
        )
    return tuple(out)


def contract_facts(
    session: Session,
    contract: Contract,
    *,
    book: PolicyBook | None = None,
    size_on: date | None = None,
    with_events: bool = True,
) -> ContractFacts:
    """The stored contract, its supplier's effective size and its events as ``ContractFacts``.

    The size table is the one in force on ``size_on`` (default: the signing date, else the
    announcement date) in ``book`` (default: the shipped packs); without such a date the supplier's
    declared size is used. The size is None when the contract has no supplier or nothing is known
    of it. ``with_events=False`` skips the events query (the terms rules do not read events).
    """
    book = book or default_policy_book()
    on = size_on or contract.signed_on or contract.announced_on
    snapshot = _snapshot(book, contract.jurisdiction, on)
    size_result = stored_supplier_size(contract.supplier, snapshot)
    size = size_result.size if size_result is not None else _recorded_scale(contract)
    members = [(m.supplier, m.share_percent) for m in contract.consortium]
    benefit = _stored_benefit(contract, contract.supplier, size, members, snapshot, strict=False)
    events: tuple[Event, ...] = ()
    if with_events:
        events = tuple(
            Event(kind=e.kind, on=e.occurred_on, amount=e.amount, ref=e.ref)
            for e in events_of(session, contract.id)
        )
    return ContractFacts(
        category=contract.category,
        amount=contract.amount,
        purchaser_type=contract.purchaser_type,
        supplier_size=size,
        signed_on=contract.signed_on,
        jurisdiction=contract.jurisdiction,
        announced_on=contract.announced_on,
        sme_reserved=contract.sme_reserved,
        payment_terms=payment_terms_of(contract.payment_terms, contract.amount),
        bonds=bonds_of(contract.bonds, contract.amount),
        acceptance_period_days=contract.acceptance_period_days,
        warranty_months=contract.warranty_months,
        settlement_tied_to_audit=contract.settlement_tied_to_audit,
        events=events,
        currency=contract.currency,
        benefit=benefit,
    )


def body_facts(
    fields: Mapping[str, Any], *, supplier_size: Size | None, benefit: Benefit | None = None
) -> ContractFacts:
    """An API contract body (the create format, loaded by its schema) as ``ContractFacts``."""
    return ContractFacts(
        category=fields["category"],
        amount=fields["amount"],
        purchaser_type=fields["purchaser_type"],
        supplier_size=supplier_size,
        signed_on=fields.get("signed_on"),
        jurisdiction=fields["jurisdiction"],
        announced_on=fields.get("announced_on"),
        sme_reserved=fields.get("sme_reserved", False),
        payment_terms=payment_terms_of(fields.get("payment_terms") or ()),
        bonds=bonds_of(fields.get("bonds") or ()),
        acceptance_period_days=fields.get("acceptance_period_days"),
        warranty_months=fields.get("warranty_months"),
        settlement_tied_to_audit=fields.get("settlement_tied_to_audit", False),
        currency=fields.get("currency", "CNY"),
        benefit=benefit,
    )


def new_contract_facts(
    session: Session, values: Mapping[str, Any], *, book: PolicyBook | None = None
) -> ContractFacts:
    """The facts of a contract just created from ``values`` (no events yet), without reloading it:
    the same size rule as ``contract_facts`` (the table in force on the signing, else announcement
    date; else the declaration), the supplier read by primary key."""
    book = book or default_policy_book()
    supplier_id = values.get("supplier_id")
    supplier = session.get(Supplier, supplier_id) if supplier_id is not None else None
    on = values.get("signed_on") or values.get("announced_on")
    snapshot = _snapshot(book, values["jurisdiction"], on)
    size_result = stored_supplier_size(supplier, snapshot)
    size = size_result.size if size_result is not None else None
    members = [
        (session.get(Supplier, m["supplier_id"]), m["share_percent"]) for m in values.get("consortium") or ()
    ]
    benefit = _stored_benefit(values, supplier, size, members, snapshot, strict=True)
    facts = body_facts(values, supplier_size=size, benefit=benefit)
    return replace(
        facts,
        payment_terms=payment_terms_of(values.get("payment_terms") or (), values["amount"]),
        bonds=bonds_of(values.get("bonds") or (), values["amount"]),
    )


def is_unsigned(status: ContractStatus | None) -> bool:
    return status in (None, ContractStatus.DRAFT)


def persist_terms(contract: Contract, facts: ContractFacts) -> None:
    """Write the facts' payment terms, bonds, acceptance period and audit tie back to the rows.

    Child rows are replaced (the relationships delete orphans) and the contract row is touched, so
    the caller's flush bumps its version: call it only when the terms changed.
    """
    contract.payment_terms = [
        PaymentTermRow(
            position=i,
            kind=t.kind,
            percent=percent_of(t.rate),
            trigger=t.trigger,
            days=t.days,
            day_type=t.day_type,
            held_months=t.held_months,
        )
        for i, t in enumerate(facts.payment_terms)
    ]
    contract.bonds = [
        BondRow(
            position=i,
            kind=b.kind,
            percent=percent_of(b.rate),
            forms=sorted(b.forms),
            return_days=b.return_days,
        )
        for i, b in enumerate(facts.bonds)
    ]
    contract.acceptance_period_days = facts.acceptance_period_days
    contract.settlement_tied_to_audit = facts.settlement_tied_to_audit
    contract.updated_at = utcnow()  # the parent row changes, so its version moves with the children
