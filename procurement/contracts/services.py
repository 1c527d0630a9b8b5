"""Create, read, update and list contracts, and append their performance events."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procurement.auditlog import services as auditlog
from procurement.contracts.models import (
    BondRow,
    ConsortiumMember,
    Contract,
    ContractEvent,
    PaymentTermRow,
)
from procurement.contracts.queries import VERSION_IN_SCOPE
from procurement.errors import Conflict, InvalidInput, NotFound, StaleVersion
from procurement.organizations.models import Organization, Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, region_covers
from procurement.suppliers.models import Supplier
from rules.vocabulary import ContractStatus, EventKind, OrganizationKind

SCALAR_FIELDS = (
    "external_ref",
    "title",
    "category",
    "amount",
    "currency",
    "purchaser_type",
    "announced_on",
    "signed_on",
    "jurisdiction",
    "sme_reserved",
    "status",
    "acceptance_period_days",
    "warranty_months",
    "settlement_tied_to_audit",
)
# statuses a contract may move to from each status; terminated and completed are final
NEXT_STATUSES = {
    ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.TERMINATED},
    ContractStatus.SIGNED: {
        ContractStatus.PERFORMING,
        ContractStatus.COMPLETED,
        ContractStatus.TERMINATED,
    },
    ContractStatus.PERFORMING: {ContractStatus.COMPLETED, ContractStatus.TERMINATED},
    ContractStatus.COMPLETED: set(),
    ContractStatus.TERMINATED: set(),
}
# a performance bond is commonly lodged before signing; every other event follows the signature
EVENTS_BEFORE_SIGNING = {EventKind.BOND_RECEIVED}


def contract_state(contract: Contract) -> dict[str, Any]:
    state: dict[str, Any] = {
        name: getattr(contract, name) for name in ("id", "purchaser_id", "supplier_id", *SCALAR_FIELDS)
    }
    state["consortium"] = [(m.supplier_id, m.share_percent) for m in contract.consortium]
    state["payment_terms"] = [
        (t.kind, t.percent, t.trigger, t.days, t.day_type, t.held_months) for t in contract.payment_terms
    ]
    state["bonds"] = [(b.kind, b.percent, sorted(b.forms), b.return_days) for b in contract.bonds]
    return state


def _visible_contract(session: Session, actor: Actor, contract_id: int) -> Contract:
    contract = session.execute(
        select(Contract).where(
            Contract.id == contract_id, actor.visible(Contract.purchaser_id, Contract.region_code)
        )
    ).scalar_one_or_none()
    if contract is None:
        raise NotFound("合同", "contract", contract_id)
    return contract


def _purchaser_for(session: Session, actor: Actor, purchaser_id: int | None) -> Organization:
    if actor.role is Role.OFFICER:
        if purchaser_id not in (None, actor.organization_id):
            raise InvalidInput(
                {"purchaser_id": "经办人只能为本单位起草合同 / an officer acts for its own organization only"}
            )
        purchaser_id = actor.organization_id
    if purchaser_id is None:
        raise InvalidInput({"purchaser_id": "必须指明采购人 / required for this role"})
    purchaser = session.get(Organization, purchaser_id)
    if (
        purchaser is None
        or purchaser.kind is not OrganizationKind.PURCHASER
        or (actor.role is Role.PLATFORM and not region_covers(actor.region_code, purchaser.region_code))
    ):
        raise InvalidInput({"purchaser_id": "采购人不存在或不在您的辖区 / no such purchaser in your region"})
    return purchaser


def _check_supplier(session: Session, actor: Actor, supplier_id: int | None, field: str) -> None:
    if supplier_id is None:
        return
    visible = session.execute(
        select(Supplier.id).where(
            Supplier.id == supplier_id, actor.visible(Supplier.owner_org_id, Supplier.region_code)
        )
    ).first()
    if visible is None:
        raise InvalidInput({field: f"供应商 {supplier_id} 不存在或不可见 / supplier {supplier_id} not found"})


def _set_children(session: Session, actor: Actor, contract: Contract, fields: Mapping[str, Any]) -> None:
    if "consortium" in fields:
        for index, member in enumerate(fields["consortium"]):
            _check_supplier(session, actor, member["supplier_id"], f"consortium.{index}.supplier_id")
        contract.consortium = [ConsortiumMember(**member) for member in fields["consortium"]]
    if "payment_terms" in fields:
        contract.payment_terms = [
            PaymentTermRow(position=i, **term) for i, term in enumerate(fields["payment_terms"])
        ]
    if "bonds" in fields:
        contract.bonds = [BondRow(position=i, **bond) for i, bond in enumerate(fields["bonds"])]


def _check_signed(contract: Contract) -> None:
    if contract.status is not ContractStatus.DRAFT and contract.signed_on is None:
        raise InvalidInput({"signed_on": "已签订的合同必须有签订日期 / a signed contract needs signed_on"})
    if contract.announced_on and contract.signed_on and contract.announced_on > contract.signed_on:
        raise InvalidInput({"signed_on": "签订日期早于公告日期 / signed_on is before announced_on"})


def _flush_unique(session: Session) -> None:
    # No savepoint: a duplicate fails the whole request, which the session middleware rolls back.
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "本机构已有相同外部编号（external_ref）的合同",
            "a contract with this external_ref already exists for this organization",
        ) from exc


def create_contract(session: Session, actor: Actor, *, fields: Mapping[str, Any]) -> Contract:
    actor.require_write()
    purchaser = _purchaser_for(session, actor, fields.get("purchaser_id"))
    _check_supplier(session, actor, fields.get("supplier_id"), "supplier_id")
    scalars = {name: fields[name] for name in SCALAR_FIELDS if name in fields}
    scalars.setdefault("jurisdiction", purchaser.region_code)
    scalars.setdefault("status", ContractStatus.DRAFT)
    contract = Contract(
        owner_org_id=actor.organization_id,
        purchaser_id=purchaser.id,
        supplier_id=fields.get("supplier_id"),
        region_code=purchaser.region_code,
        **scalars,
    )
    _set_children(session, actor, contract, fields)
    _check_signed(contract)
    session.add(contract)
    _flush_unique(session)
    auditlog.record(
        session,
        actor=actor.label,
        action="contract.create",
        entity_type="contract",
        entity_id=contract.id,
        before=None,
        after=contract_state(contract),
    )
    return contract


def visible_version(session: Session, actor: Actor, contract_id: int) -> int:
    """The contract's current version, checked for visibility with one narrow query (no children)."""
    kind, params = actor.scope
    version = (
        session.connection().execute(VERSION_IN_SCOPE[kind], {"contract_id": contract_id, **params}).scalar()
    )
    if version is None:
        raise NotFound("合同", "contract", contract_id)
    return int(version)


def get_contract(session: Session, actor: Actor, contract_id: int) -> Contract:
    return _visible_contract(session, actor, contract_id)


def list_contracts(
    session: Session,
    actor: Actor,
    *,
    after: int | None,
    limit: int,
    status: ContractStatus | None = None,
    external_ref: str | None = None,
    supplier_id: int | None = None,
) -> Page[Contract]:
    query = select(Contract).where(actor.visible(Contract.purchaser_id, Contract.region_code))
    if status is not None:
        query = query.where(Contract.status == status)
    if external_ref is not None:
        query = query.where(Contract.external_ref == external_ref)
    if supplier_id is not None:
        query = query.where(Contract.supplier_id == supplier_id)
    return fetch_page(session, query, Contract.id, after=after, limit=limit)


def update_contract(
    session: Session,
    actor: Actor,
    contract_id: int,
    *,
    fields: Mapping[str, Any],
    expected_version: int | None,
) -> Contract:
    actor.require_write()
    contract = _visible_contract(session, actor, contract_id)
    if expected_version is not None and expected_version != contract.version:
        raise StaleVersion(
            f"合同已被他人修改（当前版本{contract.version}），请重新读取后再改",
            f"the contract changed since you read it (now version {contract.version})",
        )
    before = contract_state(contract)
    new_status = fields.get("status")
    if (
        new_status is not None
        and new_status != contract.status
        and new_status not in NEXT_STATUSES[contract.status]
    ):
        raise InvalidInput(
            {
                "status": f"合同状态不能从{contract.status.value}变为{new_status.value} / "
                f"cannot move from {contract.status.value} to {new_status.value}"
            }
        )
    if "purchaser_id" in fields:
        raise InvalidInput({"purchaser_id": "采购人不能修改 / the purchaser cannot be changed"})
    if "supplier_id" in fields:
        _check_supplier(session, actor, fields["supplier_id"], "supplier_id")
        contract.supplier_id = fields["supplier_id"]
    for name in SCALAR_FIELDS:
        if name in fields:
            setattr(contract, name, fields[name])
    _set_children(session, actor, contract, fields)
    _check_signed(contract)
    if contract_state(contract) == before:
        return contract
    # touch the parent row so its version (and ETag) moves even when only child rows changed
    contract.updated_at = utcnow()
    contract.version = contract.version  # the mapper bumps version_id_col on every flush of a change
    try:
        _flush_unique(session)
    except StaleDataError as exc:
        raise StaleVersion("合同已被他人同时修改", "the contract was changed concurrently") from exc
    auditlog.record(
        session,
        actor=actor.label,
        action="contract.update",
        entity_type="contract",
        entity_id=contract.id,
        before=before,
        after=contract_state(contract),
    )
    return contract


def _validate_event(session: Session, contract: Contract, fields: Mapping[str, Any]) -> None:
    kind: EventKind = fields["kind"]
    occurred_on: date = fields["occurred_on"]
    if contract.signed_on is None and kind not in EVENTS_BEFORE_SIGNING:
        raise InvalidInput({"kind": "合同尚未签订，不能记录履约事件 / the contract is not signed yet"})
    if (
        contract.signed_on is not None
        and occurred_on < contract.signed_on
        and kind not in EVENTS_BEFORE_SIGNING
    ):
        raise InvalidInput(
            {
                "occurred_on": f"事件日期早于合同签订日期{contract.signed_on} / "
                f"before the signing date {contract.signed_on}"
            }
        )
    if kind is EventKind.PAID:
        paid = session.execute(
            select(func.coalesce(func.sum(ContractEvent.amount), 0)).where(
                ContractEvent.contract_id == contract.id, ContractEvent.kind == EventKind.PAID
            )
        ).scalar_one()
        if Decimal(paid or 0) + fields["amount"] > contract.amount:
            raise InvalidInput(
                {
                    "amount": f"累计付款{Decimal(paid or 0) + fields['amount']}元"
                    f"超过合同金额{contract.amount}元 / "
                    f"payments would exceed the contract amount {contract.amount}"
                }
            )
    if kind is EventKind.ACCEPTED:
        delivered = session.execute(
            select(func.min(ContractEvent.occurred_on)).where(
                ContractEvent.contract_id == contract.id, ContractEvent.kind == EventKind.DELIVERED
            )
        ).scalar_one()
        if delivered is not None and occurred_on < delivered:
            raise InvalidInput(
                {"occurred_on": f"验收日期早于交付日期{delivered} / acceptance before delivery"}
            )


def add_event(
    session: Session, actor: Actor, contract_id: int, *, fields: Mapping[str, Any]
) -> ContractEvent:
    actor.require_write()
    contract = _visible_contract(session, actor, contract_id)
    _validate_event(session, contract, fields)
    event = ContractEvent(contract_id=contract.id, recorded_by_org_id=actor.organization_id, **fields)
    session.add(event)
    session.flush()
    auditlog.record(
        session,
        actor=actor.label,
        action=f"event.{event.kind.value}",
        entity_type="contract_event",
        entity_id=event.id,
        before=None,
        after={"contract_id": contract.id, **fields},
    )
    return event


def list_events(
    session: Session, actor: Actor, contract_id: int, *, after: int | None, limit: int
) -> Page[ContractEvent]:
    contract = _visible_contract(session, actor, contract_id)
    query = select(ContractEvent).where(ContractEvent.contract_id == contract.id)
    return fetch_page(session, query, ContractEvent.id, after=after, limit=limit)


def events_of(session: Session, contract_id: int) -> Sequence[ContractEvent]:
    query = (
        select(ContractEvent)
        .where(ContractEvent.contract_id == contract_id)
        .order_by(ContractEvent.occurred_on)
    )
    return session.execute(query).scalars().all()
