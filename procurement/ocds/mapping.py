"""OCDS compiled release → ``ContractFacts`` with parties and ids; pure functions, no database.

What a release lacks (scale, milestones, a region code ...) is reported as notes, never as a failure;
only a release that is not an OCDS release at all raises ``OcdsMappingError``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.errors import InvalidInput
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    EventKind,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

NATIONAL = "cn"

SCALES: Mapping[str, Size] = {
    "micro": Size.MICRO,
    "small": Size.SMALL,
    "medium": Size.MEDIUM,
    "large": Size.LARGE,
    # an SME of unknown class: the SME duties apply, no small/micro benefit is assumed
    "sme": Size.MEDIUM,
}
CATEGORIES: Mapping[str, Category] = {
    "goods": Category.GOODS,
    "works": Category.WORKS,
    "services": Category.SERVICES,
}
BOND_FORMS: Mapping[str, BondForm] = {
    "cash": BondForm.CASH,
    "guarantee": BondForm.BANK_GUARANTEE,
    "bankguarantee": BondForm.BANK_GUARANTEE,
    "insurance": BondForm.INSURANCE,
    "cheque": BondForm.CHEQUE,
    "check": BondForm.CHEQUE,
}
_MILESTONE_KINDS: Mapping[str, tuple[PaymentKind, Trigger | None]] = {
    "prepayment": (PaymentKind.PREPAYMENT, Trigger.SIGNING),
    "advancepayment": (PaymentKind.PREPAYMENT, Trigger.SIGNING),
    "progress": (PaymentKind.PROGRESS, Trigger.DELIVERY),
    "progresspayment": (PaymentKind.PROGRESS, Trigger.DELIVERY),
    "postpayment": (PaymentKind.FINAL, None),  # acceptance where there is one, else delivery
    "finalpayment": (PaymentKind.FINAL, None),
    "retention": (PaymentKind.RETENTION, Trigger.WARRANTY_END),
}
_ACCEPTANCE_TYPES = frozenset({"assessment", "acceptance"})
DAYS_PER_MONTH = Decimal("30.4375")


class OcdsMappingError(InvalidInput):
    """The input is not an OCDS release (not an object, no ocid)."""

    code = "not_an_ocds_release"


@dataclass(frozen=True, slots=True)
class PartyRef:
    id: str
    name: str
    scale: str | None = None  # parties[].details.scale as published
    region: str | None = None  # a 6-digit administrative region code where given


@dataclass(frozen=True, slots=True)
class MappedContract:
    contract_id: str
    facts: ContractFacts
    supplier: PartyRef | None
    scale: str | None  # the published scale ("sme" stays "sme": class unknown)
    award_id: str | None = None


@dataclass(frozen=True, slots=True)
class MappedRelease:
    """A release mapped: its contracts as facts, its parties, and what it lacked."""

    ocid: str
    release_id: str
    buyer: PartyRef | None
    region: str | None
    contracts: tuple[MappedContract, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def facts(self) -> ContractFacts | None:
        """The first contract's facts (most e-mall releases carry exactly one)."""
        return self.contracts[0].facts if self.contracts else None


@lru_cache(maxsize=16384)
def parse_date(text: str) -> date:
    """The calendar date of an OCDS date-time, as published (its own offset, not converted)."""
    return date.fromisoformat(text[:10])


def _date(value: Any, where: str, notes: list[str]) -> date | None:
    if not value:
        return None
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    notes.append(f"{where}: unreadable date {value!r}")
    return None


def _amount(value: Any) -> Decimal | None:
    """Decimal yuan from an OCDS Value; floats go through repr so 0.1 stays 0.1."""
    if not isinstance(value, dict):
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
        return None
    try:
        return Decimal(repr(amount) if isinstance(amount, float) else amount)
    except InvalidOperation:
        return None


def _supplier(ref: Mapping[str, Any], parties: Mapping[str, PartyRef]) -> PartyRef | None:
    """An award's supplier: its party by id (OCDS 1.1), else the organization the award names
    itself (OCDS 1.0 has no parties: name and identifier live in awards[].suppliers)."""
    ref_id = ref.get("id")
    if ref_id is not None and str(ref_id) in parties:
        return parties[str(ref_id)]
    raw = ref.get("identifier")
    identifier: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    key = ref_id or "-".join(str(identifier.get(k)) for k in ("scheme", "id") if identifier.get(k))
    name = ref.get("name")
    if not key and not name:
        return None
    return _party({**ref, "id": key or name})


def _party(party: Mapping[str, Any]) -> PartyRef:
    details = party.get("details") or {}
    address = party.get("address") or {}
    region = address.get("region")
    region_code = region if isinstance(region, str) and len(region) == 6 and region.isdigit() else None
    scale = details.get("scale") if isinstance(details, dict) else None
    return PartyRef(str(party.get("id", "")), str(party.get("name", "")), scale, region_code)


def _key(text: Any) -> str:
    return str(text or "").replace("_", "").replace("-", "").lower()


def _payment_terms(
    contract: Mapping[str, Any],
    amount: Decimal,
    accepted: bool,
    acceptance_on: date | None,
    where: str,
    notes: list[str],
) -> tuple[tuple[PaymentTerm, ...], int | None]:
    terms: list[PaymentTerm] = []
    warranty_months: int | None = None
    milestones = contract.get("milestones") or ()
    if not milestones:
        notes.append(f"{where}.milestones: none, no payment terms")
    for i, m in enumerate(milestones):
        mwhere = f"{where}.milestones[{i}]"
        kind_trigger = _MILESTONE_KINDS.get(_key(m.get("code")))
        if kind_trigger is None:
            if m.get("type") in ("payment", "financing"):
                kind_trigger = (PaymentKind.FINAL, None)
            else:
                continue
        kind, trigger = kind_trigger
        if trigger is None:
            trigger = Trigger.ACCEPTANCE if accepted else Trigger.DELIVERY
        value = _amount(m.get("value"))
        if value is None:
            notes.append(f"{mwhere}.value: missing (OCDS 1.2), term skipped")
            continue
        if not amount:
            notes.append(f"{mwhere}: no contract value to take a rate of, term skipped")
            continue
        held_months = None
        if kind is PaymentKind.RETENTION:
            due_after = _date(m.get("dueAfterDate"), f"{mwhere}.dueAfterDate", notes)
            if due_after is not None and acceptance_on is not None:
                held_months = int(
                    (Decimal((due_after - acceptance_on).days) / DAYS_PER_MONTH).to_integral_value()
                )
                warranty_months = held_months
            else:
                notes.append(f"{mwhere}: warranty end unknown (no dueAfterDate or acceptance)")
        # OCDS publishes when a payment falls due, not the agreed days: the statutory term applies
        terms.append(
            PaymentTerm(kind, value / amount, trigger, 0, held_months=held_months, days_agreed=False)
        )
    return tuple(terms), warranty_months


def _bonds(
    contract: Mapping[str, Any], amount: Decimal, where: str, notes: list[str]
) -> tuple[tuple[BondTerm, ...], list[Event]]:
    bonds: list[BondTerm] = []
    events: list[Event] = []
    for i, g in enumerate(contract.get("guarantees") or ()):
        gwhere = f"{where}.guarantees[{i}]"
        gtype = _key(g.get("type") or g.get("guaranteeType"))
        if "bid" in gtype or "tender" in gtype:
            kind = BondKind.BID
        elif "performance" in gtype:
            kind = BondKind.PERFORMANCE
        elif "retention" in gtype or "quality" in gtype or "warranty" in gtype:
            kind = BondKind.QUALITY_RETENTION
        else:
            notes.append(f"{gwhere}.type: unknown guarantee type {g.get('type')!r}, skipped")
            continue
        form = BOND_FORMS.get(_key(g.get("form")))
        value = _amount(g.get("value"))
        if value is None or not amount:
            notes.append(f"{gwhere}.value: missing, guarantee skipped")
            continue
        bonds.append(BondTerm(kind, value / amount, frozenset((form,)) if form else frozenset()))
        start = _date((g.get("period") or {}).get("startDate"), f"{gwhere}.period", notes)
        if start is not None:
            events.append(Event(EventKind.BOND_RECEIVED, start, value, kind.value))
    return tuple(bonds), events


def _implementation(contract: Mapping[str, Any], where: str, notes: list[str]) -> tuple[list[Event], bool]:
    events: list[Event] = []
    accepted = False
    implementation = contract.get("implementation") or {}
    for i, m in enumerate(implementation.get("milestones") or ()):
        mtype = m.get("type")
        title = str(m.get("title") or "")
        if mtype in _ACCEPTANCE_TYPES or "验收" in title:
            kind = EventKind.ACCEPTED
            accepted = True
        elif mtype == "delivery":
            kind = EventKind.DELIVERED
        else:
            continue
        if m.get("status") not in (None, "met"):
            continue
        on = _date(m.get("dateMet"), f"{where}.implementation.milestones[{i}].dateMet", notes)
        if on is not None:
            events.append(Event(kind, on))
    for i, t in enumerate(implementation.get("transactions") or ()):
        twhere = f"{where}.implementation.transactions[{i}]"
        on = _date(t.get("date"), f"{twhere}.date", notes)
        value = _amount(t.get("value") or t.get("amount"))  # OCDS 1.0 named it amount
        if on is None or value is None:
            notes.append(f"{twhere}: no date or value, payment skipped")
            continue
        events.append(Event(EventKind.PAID, on, value))
    if not implementation.get("milestones"):
        notes.append(f"{where}.implementation.milestones: none, no delivery or acceptance dates")
    return events, accepted


def _contract(
    release: Mapping[str, Any],
    contract: Mapping[str, Any],
    index: int,
    parties: Mapping[str, PartyRef],
    awards: Mapping[str, Mapping[str, Any]],
    category: Category,
    jurisdiction: str,
    notes: list[str],
    *,
    from_award: bool = False,
) -> MappedContract:
    where = f"awards[{index}]" if from_award else f"contracts[{index}]"
    award_id = str(contract.get("id")) if from_award else contract.get("awardID")
    award = contract if from_award else awards.get(str(award_id), {})
    amount = _amount(contract.get("value"))
    if amount is None:
        amount = _amount(award.get("value"))
        notes.append(f"{where}.value: missing" + (", award value used" if amount else ""))
    amount = amount if amount is not None else Decimal(0)
    currency = (contract.get("value") or award.get("value") or {}).get("currency") or "CNY"
    if currency != "CNY":
        notes.append(f"{where}.value.currency: {currency}, kept as such and left out of sums in yuan")
    named = [s for s in (award.get("suppliers") or contract.get("suppliers") or ()) if isinstance(s, dict)]
    suppliers = [_supplier(s, parties) for s in named]
    supplier = next((x for x in suppliers if x is not None), None)
    if supplier is None:
        notes.append(f"{where}: supplier not found in parties[] nor named in the award")
    for other in suppliers[suppliers.index(supplier) + 1 :] if supplier is not None else ():
        # one contract, one supplier: the others of a joint award are reported, never dropped silently
        label = f"{other.name} ({other.id})" if other is not None else "?"
        notes.append(f"{where}: award has {len(named)} suppliers; recorded with the first, left out: {label}")
    scale = supplier.scale if supplier else None
    size = SCALES.get(scale) if scale else None
    if scale is None:
        notes.append(f"{where}: supplier parties[].details.scale missing")
    elif size is None:
        notes.append(f"{where}: unknown scale {scale!r}")
    signed_on = _date(contract.get("dateSigned"), f"{where}.dateSigned", notes)
    if signed_on is None:
        notes.append(f"{where}.dateSigned: missing")
    events, accepted = ([], False) if from_award else _implementation(contract, where, notes)
    acceptance_on = min((e.on for e in events if e.kind is EventKind.ACCEPTED), default=None)
    terms, warranty_months = (
        ((), None) if from_award else _payment_terms(contract, amount, accepted, acceptance_on, where, notes)
    )
    bonds, bond_events = ((), []) if from_award else _bonds(contract, amount, where, notes)
    events += bond_events
    events.sort(key=lambda e: e.on)
    facts = ContractFacts(
        category=category,
        amount=amount,
        # OCDS publishes public procurement: the buyer is a public body
        purchaser_type=PurchaserType.PUBLIC_BODY,
        supplier_size=size,
        signed_on=signed_on,
        jurisdiction=jurisdiction,
        payment_terms=terms,
        bonds=bonds,
        warranty_months=warranty_months,
        events=tuple(events),
        currency=currency,
        unrecorded=UNRECORDED,
    )
    return MappedContract(str(contract.get("id", index)), facts, supplier, scale, award_id)


# OCDS has no place for a bond's return or a retention's release (a release is a payment, judged by
# the payment rules): their absence from a release is no evidence that they did not happen
UNRECORDED = frozenset({EventKind.BOND_RETURNED, EventKind.RETENTION_RELEASED})


def map_release(release: Any) -> MappedRelease:
    """Map one OCDS compiled release; raises ``OcdsMappingError`` if it is not a release."""
    if not isinstance(release, dict) or not isinstance(release.get("ocid"), str):
        raise OcdsMappingError(
            "不是 OCDS 发布（缺少 ocid）",
            "not an OCDS release (no ocid)",
            field="ocid",
        )
    notes: list[str] = []
    parties = {str(p.get("id")): _party(p) for p in release.get("parties") or () if p.get("id")}
    buyer_ref = release.get("buyer") or {}
    buyer = parties.get(str(buyer_ref.get("id"))) if buyer_ref.get("id") else None
    if buyer is None and buyer_ref:
        buyer = PartyRef(str(buyer_ref.get("id", "")), str(buyer_ref.get("name", "")))
    if buyer is None:
        notes.append("buyer: missing")
    region = buyer.region if buyer else None
    if region is None:
        notes.append("buyer address.region: no 6-digit region code, national pack used")
    tender = release.get("tender") or {}
    category = CATEGORIES.get(str(tender.get("mainProcurementCategory")))
    if category is None:
        notes.append("tender.mainProcurementCategory: missing, goods assumed")
        category = Category.GOODS
    awards = {str(a.get("id")): a for a in release.get("awards") or ()}
    jurisdiction = region or NATIONAL
    contracts = release.get("contracts") or ()
    mapped: list[MappedContract]
    if contracts:
        mapped = [
            _contract(release, c, i, parties, awards, category, jurisdiction, notes)
            for i, c in enumerate(contracts)
        ]
    else:
        notes.append("contracts: none, active awards mapped as unsigned contracts")
        mapped = [
            _contract(release, a, i, parties, awards, category, jurisdiction, notes, from_award=True)
            for i, a in enumerate(release.get("awards") or ())
            if a.get("status") in (None, "active")
        ]
    return MappedRelease(
        ocid=release["ocid"],
        release_id=str(release.get("id", "")),
        buyer=buyer,
        region=region,
        contracts=tuple(mapped),
        notes=tuple(notes),
    )
