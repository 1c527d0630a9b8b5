"""Load OCDS releases into contracts, idempotently, in the caller's transaction.

Keys: a contract by (owner, ocid, OCDS ``contracts[].id``) — stored as ``external_ref``, prefixed
with the ocid when another release of the owner already uses the bare id; a supplier by its OCDS
party id (``Supplier.external_id``, per owner); a buyer by its party id (or ``identifier.id``) in
``Organization.external_id``. A new buyer organization is placed in the buyer's ``address.region``
when that is a 6-digit code the caller's region covers, else in the caller's region; a buyer in a
region the caller may not act for rejects the release. An officer imports for its own
organization only, whatever the buyer. A release without a buyer goes to the caller's placeholder
"unknown buyer" organization. Re-importing the same file changes nothing; a changed release
updates its contract (events are only ever added). One bad release (not OCDS, events that cannot
be true, a buyer out of reach) is reported with its line or position and ocid; the rest load.
"""

import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.contracts.facts import percent_of
from procurement.contracts.models import BondRow, Contract, ContractEvent, PaymentTermRow
from procurement.errors import InvalidInput, NotFound
from procurement.events.services import emit_event
from procurement.finance.obligations import refresh_obligations
from procurement.imports.models import OcdsImport
from procurement.ocds.mapping import MappedContract, MappedRelease, PartyRef, map_release
from procurement.ocds.reader import releases_of_package
from procurement.ocds.recorded import unrecorded_kinds
from procurement.organizations.models import Organization, Role
from procurement.orm import MONEY_MAX
from procurement.scope import Actor, region_covers
from procurement.suppliers.models import Supplier
from rules.contract import ContractFacts, Event
from rules.errors import RulesError
from rules.payment_clock import check_events
from rules.vocabulary import ContractStatus, EventKind, OrganizationKind, PurchaserType, Size

JSON_LINES = frozenset({"application/x-ndjson", "application/jsonl", "application/json-lines"})
MAX_PROBLEMS = 1000
PREFETCH_BATCH = 500
CENT = Decimal("0.01")
DECLARED = {s.value: s for s in Size}
# OCDS contract status -> ours; "terminated" in OCDS is a contract that has ended (done or not)
STATUSES = {
    "pending": ContractStatus.SIGNED,
    "active": ContractStatus.PERFORMING,
    "terminated": ContractStatus.COMPLETED,
    "cancelled": ContractStatus.TERMINATED,
}
UNKNOWN_BUYER = "未知采购人 (unknown buyer)"
NOTE = "OCDS"


@dataclass(frozen=True, slots=True)
class Item:
    where: str
    release: Any = None
    error: str | None = None


@dataclass
class Outcome:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)

    def problem(self, where: str, kind: str, message: str, ocid: str | None = None) -> None:
        self.counts["problems"] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"where": where, "ocid": ocid, "kind": kind, "message": message})


def parse_body(data: bytes, media_type: str) -> Iterator[Item]:
    """Releases of a JSON-lines body (line numbers from 1) or of one JSON document.

    A JSON document that cannot be read at all rejects the whole request (InvalidInput).
    """
    if media_type.split(";")[0].strip().lower() in JSON_LINES:
        for number, raw in enumerate(io.BytesIO(data), 1):  # line by line, not a copy split up front
            if not raw.strip():
                continue
            try:
                yield Item(f"line {number}", json.loads(raw))
            except (ValueError, UnicodeDecodeError) as err:
                yield Item(f"line {number}", error=f"无效的 JSON / invalid JSON: {err}")
        return
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise InvalidInput({"body": f"不是 JSON 文档 / not a JSON document: {err}"}) from err
    if not isinstance(document, dict):
        raise InvalidInput({"body": "须为 OCDS 发布包或发布 / send a release package or a release"})
    for item in releases_of_package(document):
        yield Item(item.where, item.release, item.error)


def _buyer_key(release: Mapping[str, Any], buyer: PartyRef | None) -> str | None:
    if buyer is not None and buyer.id:
        return buyer.id
    ref = release.get("buyer")
    identifier = ref.get("identifier") if isinstance(ref, dict) else None
    if isinstance(identifier, dict) and identifier.get("id"):
        scheme = identifier.get("scheme")
        return f"{scheme}-{identifier['id']}" if scheme else str(identifier["id"])
    return None


class Importer:
    """One import: caches organizations and suppliers it has seen; holds no request state after."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        *,
        outcome: Outcome | None = None,
        unrecorded: frozenset[EventKind] = frozenset(),
    ) -> None:
        self.session = session
        self.actor = actor
        # what the whole file records nowhere (procurement.ocds.recorded), kept on each contract
        self.unrecorded = sorted(unrecorded, key=lambda k: k.value)
        self.out = outcome if outcome is not None else Outcome()  # shared by the batches of one import
        self.buyers: dict[str, Organization] = {}
        self.suppliers: dict[str, Supplier] = {}
        self.caller = session.get(Organization, actor.organization_id)
        # what prefetch() looked up: a key looked up and not found needs no query of its own
        self.checked_buyers: set[str] = set()
        self.checked_suppliers: set[str] = set()
        self.checked_ocids: set[str] = set()
        self.checked_refs: set[str] = set()
        self.contracts: dict[tuple[str, str], Contract] = {}
        self.refs_taken: set[str] = set()
        self.events: dict[int, Counter[tuple[Any, ...]]] = {}

    def prefetch(self, items: Sequence[Item]) -> None:
        """Load what a batch of releases refers to in a few queries, not a few per release."""
        ocids: set[str] = set()
        refs: set[str] = set()
        parties: set[str] = set()
        for item in items:
            release = item.release
            if not isinstance(release, dict) or not isinstance(release.get("ocid"), str):
                continue
            ocids.add(release["ocid"][:200])
            for c in [*(release.get("contracts") or ()), *(release.get("awards") or ())]:
                if isinstance(c, dict) and c.get("id") is not None:
                    refs.add(str(c["id"])[:200])
            for party in [*(release.get("parties") or ()), release.get("buyer")]:
                if isinstance(party, dict) and party.get("id"):
                    parties.add(str(party["id"])[:200])
        owner = self.actor.organization_id
        session = self.session
        found = session.execute(
            select(Contract).where(Contract.owner_org_id == owner, Contract.ocid.in_(ocids))
        ).scalars()
        for contract in found:
            self.contracts[(str(contract.ocid), contract.external_ref)] = contract
        self.checked_ocids |= ocids
        self.refs_taken |= set(
            session.execute(
                select(Contract.external_ref).where(
                    Contract.owner_org_id == owner, Contract.external_ref.in_(refs)
                )
            ).scalars()
        )
        self.checked_refs |= refs
        unloaded = [c.id for c in self.contracts.values() if c.id not in self.events]
        for contract_id in unloaded:
            self.events[contract_id] = Counter()
        rows = session.execute(
            select(
                ContractEvent.contract_id,
                ContractEvent.kind,
                ContractEvent.occurred_on,
                ContractEvent.amount,
                ContractEvent.ref,
            ).where(ContractEvent.contract_id.in_(unloaded))
        )
        for contract_id, *key in rows:
            self.events[contract_id][tuple(key)] += 1
        for supplier in session.execute(
            select(Supplier).where(Supplier.owner_org_id == owner, Supplier.external_id.in_(parties))
        ).scalars():
            self.suppliers[str(supplier.external_id)] = supplier
        self.checked_suppliers |= parties
        for org in session.execute(
            select(Organization).where(Organization.external_id.in_(parties))
        ).scalars():
            self.buyers[str(org.external_id)] = org
        self.checked_buyers |= parties

    # --- purchasers and suppliers -----------------------------------------------------------
    def purchaser(self, release: Mapping[str, Any], mapped: MappedRelease) -> Organization:
        """The buyer's organization, found or created; InvalidInput when out of the caller's reach."""
        if self.actor.role is Role.OFFICER:
            assert self.caller is not None
            return self.caller
        key = _buyer_key(release, mapped.buyer)
        name = (mapped.buyer.name if mapped.buyer else "") or key or UNKNOWN_BUYER
        if key is None:
            key, name = f"unknown-buyer/{self.actor.organization_id}", UNKNOWN_BUYER
        key = key[:200]
        if mapped.region is not None and not self._covers(mapped.region):
            raise InvalidInput(
                {"buyer": f"采购人地区 {mapped.region} 不在您的辖区 / buyer region outside yours"}
            )
        found = self.buyers.get(key)
        if found is None and key not in self.checked_buyers:
            found = self.session.execute(
                select(Organization).where(Organization.external_id == key)
            ).scalar_one_or_none()
        if found is None:
            found = Organization(
                name=name[:200],
                kind=OrganizationKind.PURCHASER,
                region_code=mapped.region or self.actor.region_code,
                region_known=mapped.region is not None,
                external_id=key,
            )
            self.session.add(found)
            self.session.flush()
            self.out.counts["purchasers_created"] += 1
        elif found.kind is not OrganizationKind.PURCHASER or not self._covers(found.region_code):
            raise InvalidInput(
                {"buyer": f"采购人 {key} 不在您的辖区 / buyer {key} is not a purchaser in your region"}
            )
        self.buyers[key] = found
        return found

    def _covers(self, region: str) -> bool:
        return self.actor.role is Role.ADMIN or region_covers(self.actor.region_code, region)

    def supplier(self, party: PartyRef) -> Supplier:
        key = party.id[:200]
        found = self.suppliers.get(key)
        if found is None and key not in self.checked_suppliers:
            found = self.session.execute(
                select(Supplier).where(
                    Supplier.owner_org_id == self.actor.organization_id, Supplier.external_id == key
                )
            ).scalar_one_or_none()
        declared = DECLARED.get(party.scale or "")
        if found is None:
            found = Supplier(
                owner_org_id=self.actor.organization_id,
                region_code=self.actor.region_code,
                name=(party.name or key)[:200],
                external_id=key,
                declared_size=declared,
            )
            self.session.add(found)
            self.session.flush()
            self.out.counts["suppliers_created"] += 1
        elif declared is not None and found.declared_size is not declared:
            found.declared_size = declared  # the latest release's published scale
        self.suppliers[key] = found
        return found

    # --- contracts ----------------------------------------------------------------------------
    def _existing(self, ocid: str, contract_id: str) -> Contract | None:
        if ocid in self.checked_ocids:
            return self.contracts.get((ocid, contract_id[:200])) or self.contracts.get(
                (ocid, f"{ocid}:{contract_id}"[:200])
            )
        query = select(Contract).where(
            Contract.owner_org_id == self.actor.organization_id,
            Contract.ocid == ocid,
            Contract.external_ref.in_([contract_id[:200], f"{ocid}:{contract_id}"[:200]]),
        )
        return self.session.execute(query).scalar_one_or_none()

    def _free_ref(self, ocid: str, contract_id: str) -> str:
        if contract_id[:200] in self.checked_refs:
            used = contract_id[:200] in self.refs_taken
            return (f"{ocid}:{contract_id}" if used else contract_id)[:200]
        taken = self.session.execute(
            select(Contract.id).where(
                Contract.owner_org_id == self.actor.organization_id,
                Contract.external_ref == contract_id[:200],
            )
        ).first()
        return (f"{ocid}:{contract_id}" if taken else contract_id)[:200]

    def load_release(self, item: Item) -> None:
        self.out.counts["releases"] += 1
        if item.error is not None:
            self.out.counts["rejected"] += 1
            self.out.problem(item.where, "error", item.error)
            return
        release = item.release
        ocid = release.get("ocid") if isinstance(release, dict) else None
        try:
            mapped = map_release(release)
            for mc in mapped.contracts:
                check_events(mc.facts, record=mapped.ocid)
                _check_storable(mc, record=mapped.ocid)
            purchaser = self.purchaser(release, mapped)
        except RulesError as err:
            self._reject(item.where, ocid, f"{err.message_zh} / {err.message_en}")
            return
        except InvalidInput as err:
            messages = "; ".join(m for ms in err.errors.values() for m in ms)
            self._reject(item.where, ocid, messages)
            return
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            self._reject(item.where, ocid, f"发布格式错误 / malformed release: {type(err).__name__}: {err}")
            return
        for note in mapped.notes:
            self.out.problem(item.where, "missing", note, mapped.ocid)
        if not mapped.contracts:
            self.out.problem(
                item.where, "missing", "no contracts or active awards, nothing loaded", mapped.ocid
            )
        for mc in mapped.contracts:
            self.load_contract(release, mapped, mc, purchaser, item.where)

    def _reject(self, where: str, ocid: Any, message: str) -> None:
        self.out.counts["rejected"] += 1
        self.out.problem(where, "error", message, ocid if isinstance(ocid, str) else None)

    def load_contract(
        self,
        release: Mapping[str, Any],
        mapped: MappedRelease,
        mc: MappedContract,
        purchaser: Organization,
        where: str,
    ) -> None:
        facts = mc.facts
        supplier = self.supplier(mc.supplier) if mc.supplier is not None and mc.supplier.id else None
        values = _contract_values(release, mapped, mc, purchaser, supplier)
        values["source_unrecorded"] = self.unrecorded
        if values["amount"] != facts.amount:
            self.out.problem(
                where, "missing", f"contract {mc.contract_id}: amount rounded to the cent", mapped.ocid
            )
        terms, bonds = _term_rows(facts, where, self.out, mapped.ocid)
        contract = self._existing(mapped.ocid, mc.contract_id)
        self.out.counts["contracts"] += 1
        if contract is None:
            contract = Contract(
                owner_org_id=self.actor.organization_id,
                external_ref=self._free_ref(mapped.ocid, mc.contract_id),
                **values,
                payment_terms=[PaymentTermRow(**t) for t in terms],
                bonds=[BondRow(**b) for b in bonds],
            )
            self.session.add(contract)
            self.session.flush()
            self.contracts[(mapped.ocid, contract.external_ref)] = contract
            self.refs_taken.add(contract.external_ref)
            self.events[contract.id] = Counter()  # a new contract has no events yet
            self._add_events(contract, facts)
            self.out.counts["created"] += 1
            self.out.touched.add(contract.id)
            return
        changed = _update(contract, values, terms, bonds)
        if changed:
            self.session.flush()
        if self._add_events(contract, facts) or changed:
            self.out.counts["updated"] += 1
            self.out.touched.add(contract.id)
        else:
            self.out.counts["unchanged"] += 1

    def _stored_events(self, contract_id: int) -> Counter[tuple[Any, ...]]:
        known = self.events.get(contract_id)
        if known is None:
            stored = self.session.execute(
                select(
                    ContractEvent.kind, ContractEvent.occurred_on, ContractEvent.amount, ContractEvent.ref
                ).where(ContractEvent.contract_id == contract_id)
            ).all()
            known = self.events[contract_id] = Counter(tuple(row) for row in stored)
        return known

    def _add_events(self, contract: Contract, facts: ContractFacts) -> int:
        stored = self._stored_events(contract.id)
        have = Counter(stored)
        new: list[Event] = []
        for event in facts.events:
            key = (event.kind, event.on, _cents(event.amount), event.ref)
            if have[key] > 0:
                have[key] -= 1
            else:
                new.append(event)
        for event in new:
            stored[(event.kind, event.on, _cents(event.amount), event.ref)] += 1
            self.session.add(
                ContractEvent(
                    contract_id=contract.id,
                    kind=event.kind,
                    occurred_on=event.on,
                    amount=_cents(event.amount),
                    ref=event.ref,
                    note=NOTE,
                    recorded_by_org_id=self.actor.organization_id,
                )
            )
        self.out.counts["events_added"] += len(new)
        return len(new)


def _check_storable(mc: MappedContract, *, record: str) -> None:
    """An amount past what the database holds rejects this release alone, naming it."""
    amounts = [("value.amount", mc.facts.amount)]
    amounts += [
        (f"transaction {e.ref or i}", e.amount) for i, e in enumerate(mc.facts.events) if e.amount is not None
    ]
    for where, amount in amounts:
        if abs(amount) > MONEY_MAX:
            raise InvalidInput(
                {
                    "amount": f"{record} 合同 {mc.contract_id} 的 {where} 金额 {amount} 超出可存储范围 / "
                    f"{record} contract {mc.contract_id}: {where} {amount} is beyond what can be stored"
                }
            )


def _cents(amount: Decimal | None) -> Decimal | None:
    return amount.quantize(CENT, ROUND_HALF_UP) if amount is not None else None


def _contract_values(
    release: Mapping[str, Any],
    mapped: MappedRelease,
    mc: MappedContract,
    purchaser: Organization,
    supplier: Supplier | None,
) -> dict[str, Any]:
    facts = mc.facts
    raw: Mapping[str, Any] = next(
        (c for c in release.get("contracts") or () if str(c.get("id")) == mc.contract_id),
        {},
    )
    title = raw.get("title") or (release.get("tender") or {}).get("title") or ""
    status = ContractStatus.DRAFT
    if facts.signed_on is not None:
        status = STATUSES.get(str(raw.get("status")), ContractStatus.SIGNED)
    return {
        "purchaser_id": purchaser.id,
        "supplier_id": supplier.id if supplier is not None else None,
        "region_code": purchaser.region_code,
        "title": str(title)[:500],
        "category": facts.category,
        "amount": _cents(facts.amount),
        "currency": (facts.currency or "CNY")[:3],
        "purchaser_type": PurchaserType.PUBLIC_BODY,
        "signed_on": facts.signed_on,
        "jurisdiction": facts.jurisdiction[:16],
        "status": status,
        "warranty_months": facts.warranty_months,
        "supplier_scale": (mc.scale or None) and str(mc.scale)[:16],
        "ocid": mapped.ocid[:200],
    }


def _term_rows(
    facts: ContractFacts, where: str, out: Outcome, ocid: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    terms: list[dict[str, Any]] = []
    for t in facts.payment_terms:
        if t.rate > 1:
            out.problem(
                where, "error", f"a {t.kind.value} milestone exceeds the contract value, skipped", ocid
            )
            continue
        terms.append(
            {
                "position": len(terms),
                "kind": t.kind,
                "percent": percent_of(t.rate),
                "trigger": t.trigger,
                "days": t.days,
                "day_type": t.day_type,
                "held_months": t.held_months,
                "days_agreed": t.days_agreed,
                "amount": _cents(facts.amount * t.rate),
            }
        )
    bonds: list[dict[str, Any]] = []
    for b in facts.bonds:
        if b.rate > 1:
            out.problem(
                where, "error", f"a {b.kind.value} guarantee exceeds the contract value, skipped", ocid
            )
            continue
        bonds.append(
            {
                "position": len(bonds),
                "kind": b.kind,
                "percent": percent_of(b.rate),
                "forms": sorted(b.forms),
                "return_days": b.return_days,
                "amount": _cents(facts.amount * b.rate),
            }
        )
    return terms, bonds


TERM_KEYS = (
    "position",
    "kind",
    "percent",
    "trigger",
    "days",
    "day_type",
    "held_months",
    "days_agreed",
    "amount",
)
BOND_KEYS = ("position", "kind", "percent", "forms", "return_days", "amount")


def _rows_of(rows: Any, keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(r, k) if not isinstance(r, dict) else r[k] for k in keys) for r in rows]


def _normal(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # stored values come back as Decimal with the column's scale and enum lists sorted: compare so
    return [tuple(sorted(v) if isinstance(v, list) else v for v in row) for row in rows]


def _update(
    contract: Contract, values: Mapping[str, Any], terms: list[dict[str, Any]], bonds: list[dict[str, Any]]
) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(contract, name) != value:
            setattr(contract, name, value)
            changed = True
    if _normal(_rows_of(contract.payment_terms, TERM_KEYS)) != _normal(_rows_of(terms, TERM_KEYS)):
        contract.payment_terms = [PaymentTermRow(**t) for t in terms]
        changed = True
    if _normal(_rows_of(contract.bonds, BOND_KEYS)) != _normal(_rows_of(bonds, BOND_KEYS)):
        contract.bonds = [BondRow(**b) for b in bonds]
        changed = True
    return changed


def import_ocds(
    session: Session, actor: Actor, *, data: bytes, media_type: str, filename: str = ""
) -> OcdsImport:
    """Load a release package / record package / release (JSON) or JSON lines of releases.

    Everything happens in the caller's transaction: a body that is not JSON at all raises
    InvalidInput before anything is written; bad releases are reported in ``problems``.
    """
    actor.require_write()
    # parsed before the first statement: on SQLite that statement takes the write gate
    items = list(parse_body(data, media_type))
    importer = Importer(session, actor, unrecorded=unrecorded_kinds(data, "ocds"))
    for start in range(0, len(items), PREFETCH_BATCH):
        batch = items[start : start + PREFETCH_BATCH]
        importer.prefetch(batch)
        for item in batch:
            importer.load_release(item)
    out = importer.out
    session.flush()
    obligations = refresh_obligations(session, sorted(out.touched))
    return finish_import(session, actor, out, obligations, data=data, filename=filename)


def finish_import(
    session: Session, actor: Actor, out: Outcome, obligations: int, *, data: bytes, filename: str
) -> OcdsImport:
    """The import's row, audit entry and event, once its releases are loaded."""
    counts = {
        name: out.counts[name]
        for name in (
            "releases",
            "contracts",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "events_added",
            "purchasers_created",
            "suppliers_created",
            "problems",
        )
    }
    counts["obligations_written"] = obligations
    row = OcdsImport(
        organization_id=actor.organization_id,
        filename=filename[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        counts=counts,
        problems=out.problems,
        created_by=actor.label,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor.label,
        action="ocds_import.create",
        entity_type="ocds_import",
        entity_id=row.id,
        before=None,
        after={"sha256": row.sha256, "counts": counts, "contracts": sorted(out.touched)[:1000]},
    )
    emit_event(
        session,
        type="import.completed",
        organization_id=actor.organization_id,
        region_code=actor.region_code,
        data={"import_id": row.id, "import": f"/v1/imports/ocds/{row.id}", "counts": counts},
    )
    return row


def get_import(session: Session, actor: Actor, import_id: int) -> OcdsImport:
    """An import the caller may see: its own organization's (admin: any)."""
    row = session.get(OcdsImport, import_id)
    if row is None or (actor.role is not Role.ADMIN and row.organization_id != actor.organization_id):
        raise NotFound("导入", "import", import_id)
    return row
