"""Create, read, update and list contracts, and append their performance events."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from procurement.auditlog import services as auditlog
from procurement.contracts import queries
from procurement.contracts.facts import WHO_BENEFITS_FIELDS, check_who_benefits, new_contract_facts
from procurement.contracts.models import (
    BondRow,
    ConsortiumMember,
    Contract,
    ContractEvent,
    GoodsItemRow,
    PaymentTermRow,
)
from procurement.errors import Conflict, InvalidInput, NotFound, StaleVersion
from procurement.finance.obligations import record_new_contract, refresh_obligations
from procurement.integrity import is_unique
from procurement.organizations.models import Role
from procurement.orm import as_dict, utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, one_visible, region_covers
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
    "all_goods_made_by",
    "builder_name",
    "builder_size",
)
STATE_FIELDS = ("id", "purchaser_id", "supplier_id", *SCALAR_FIELDS)
MEMBER_FIELDS = ("supplier_id", "share_percent")
ITEM_FIELDS = ("name", "manufacturer", "manufacturer_size")
TERM_FIELDS = ("kind", "percent", "trigger", "days", "day_type", "held_months")
BOND_FIELDS = ("kind", "percent", "forms", "return_days")
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
CHILD_INSERTS = (
    ("consortium", queries.INSERT_MEMBERS),
    ("goods_items", queries.INSERT_ITEMS),
    ("payment_terms", queries.INSERT_TERMS),
    ("bonds", queries.INSERT_BONDS),
)
# a performance bond is commonly lodged before signing; every other event follows the signature
EVENTS_BEFORE_SIGNING = {EventKind.BOND_RECEIVED}


def contract_state(contract: Contract) -> dict[str, Any]:
    """What the audit log digests of a stored contract (see ``state_of``)."""
    return state_of(
        {
            **{name: getattr(contract, name) for name in STATE_FIELDS},
            "consortium": [as_dict(m, MEMBER_FIELDS) for m in contract.consortium],
            "goods_items": [as_dict(i, ITEM_FIELDS) for i in contract.goods_items],
            "payment_terms": [as_dict(t, TERM_FIELDS) for t in contract.payment_terms],
            "bonds": [as_dict(b, BOND_FIELDS) for b in contract.bonds],
        }
    )


def state_of(contract: Mapping[str, Any]) -> dict[str, Any]:
    """A contract's fields and child rows in order, from plain values (as ``create_contract`` has them)."""
    state: dict[str, Any] = {name: contract[name] for name in STATE_FIELDS}
    state["consortium"] = [(m["supplier_id"], m["share_percent"]) for m in contract["consortium"]]
    state["goods_items"] = [tuple(i[name] for name in ITEM_FIELDS) for i in contract["goods_items"]]
    state["payment_terms"] = [tuple(t[name] for name in TERM_FIELDS) for t in contract["payment_terms"]]
    state["bonds"] = [
        (b["kind"], b["percent"], sorted(b["forms"]), b["return_days"]) for b in contract["bonds"]
    ]
    return state


def _visible_contract(
    session: Session, actor: Actor, contract_id: int, *, for_update: bool = False
) -> Contract:
    return one_visible(
        session,
        actor,
        Contract,
        contract_id,
        org_column=Contract.purchaser_id,
        region_column=Contract.region_code,
        names=("合同", "contract"),
        for_update=for_update,
    )


def _purchaser_id_for(actor: Actor, purchaser_id: int | None) -> int:
    if actor.role is Role.OFFICER:
        if purchaser_id not in (None, actor.organization_id):
            raise InvalidInput(
                {"purchaser_id": "经办人只能为本单位起草合同 / an officer acts for its own organization only"}
            )
        return actor.organization_id
    if purchaser_id is None:
        raise InvalidInput({"purchaser_id": "必须指明采购人 / required for this role"})
    return purchaser_id


def _purchaser_region(connection: Connection, actor: Actor, purchaser_id: int) -> str:
    """The purchaser's region code, once it is known to be a purchaser the caller may act for."""
    purchaser = connection.execute(queries.PURCHASER, {"purchaser_id": purchaser_id}).first()
    if (
        purchaser is None
        or purchaser.kind is not OrganizationKind.PURCHASER
        or (actor.role is Role.PLATFORM and not region_covers(actor.region_code, purchaser.region_code))
    ):
        raise InvalidInput({"purchaser_id": "采购人不存在或不在您的辖区 / no such purchaser in your region"})
    return str(purchaser.region_code)


def purchaser_region(session: Session, actor: Actor, purchaser_id: int | None) -> str:
    """The region of the purchaser a contract of ``actor`` is for (an officer: its own)."""
    return _purchaser_region(session.connection(), actor, _purchaser_id_for(actor, purchaser_id))


def _check_supplier(session: Session, actor: Actor, supplier_id: int | None, field: str) -> None:
    if supplier_id is None:
        return
    kind, params = actor.scope
    visible = (
        session.connection()
        .execute(queries.SUPPLIER_IN_SCOPE[kind], {"supplier_id": supplier_id, **params})
        .first()
    )
    if visible is None:
        raise InvalidInput({field: f"供应商 {supplier_id} 不存在或不可见 / supplier {supplier_id} not found"})


def _set_children(session: Session, actor: Actor, contract: Contract, fields: Mapping[str, Any]) -> None:
    if "consortium" in fields:
        for index, member in enumerate(fields["consortium"]):
            _check_supplier(session, actor, member["supplier_id"], f"consortium.{index}.supplier_id")
        contract.consortium = [ConsortiumMember(**member) for member in fields["consortium"]]
    if "goods_items" in fields:
        contract.goods_items = [
            GoodsItemRow(position=i, **item) for i, item in enumerate(fields["goods_items"])
        ]
    if "payment_terms" in fields:
        contract.payment_terms = [
            PaymentTermRow(position=i, **term) for i, term in enumerate(fields["payment_terms"])
        ]
    if "bonds" in fields:
        contract.bonds = [BondRow(position=i, **bond) for i, bond in enumerate(fields["bonds"])]


def _check_signed(status: ContractStatus, announced_on: date | None, signed_on: date | None) -> None:
    if status is not ContractStatus.DRAFT and signed_on is None:
        raise InvalidInput({"signed_on": "已签订的合同必须有签订日期 / a signed contract needs signed_on"})
    if announced_on and signed_on and announced_on > signed_on:
        raise InvalidInput({"signed_on": "签订日期早于公告日期 / signed_on is before announced_on"})


DUPLICATE_REF = (
    "本机构已有相同外部编号（external_ref）的合同",
    "a contract with this external_ref already exists for this organization",
)


UNIQUE_REF = "uq_contracts_owner_org_id_external_ref"


def _flush_unique(session: Session) -> None:
    # No savepoint: a duplicate fails the whole request, which the session middleware rolls back.
    # Any other integrity error is not a duplicate: api/errors.py answers it by its constraint.
    try:
        session.flush()
    except IntegrityError as exc:
        if is_unique(exc, UNIQUE_REF):
            raise Conflict(*DUPLICATE_REF) from exc
        raise


@dataclass(frozen=True, slots=True)
class CreatedContract:
    """A contract just stored, as plain values equal to what reading it back gives."""

    id: int
    version: int
    values: Mapping[str, Any]  # every column, and consortium, payment_terms and bonds as lists of rows


def create_contract(session: Session, actor: Actor, *, fields: Mapping[str, Any]) -> CreatedContract:
    """Insert a contract and its child rows, and append to the audit log.

    Core statements, not the unit of work: this is the busiest write, and on SQLite everything from
    the first statement to the commit holds the database's one write lock, so what needs no database
    is done before the first statement.
    """
    actor.require_write()
    purchaser_id = _purchaser_id_for(actor, fields.get("purchaser_id"))
    contract = {
        **queries.CONTRACT_DEFAULTS,
        **{name: fields[name] for name in SCALAR_FIELDS if name in fields},
        "owner_org_id": actor.organization_id,
        "purchaser_id": purchaser_id,
        "supplier_id": fields.get("supplier_id"),
    }
    _check_signed(contract["status"], contract["announced_on"], contract["signed_on"])
    children: dict[str, list[dict[str, Any]]] = {
        "consortium": [{**queries.MEMBER_DEFAULTS, **member} for member in fields.get("consortium", ())],
        "goods_items": [
            {**queries.ITEM_DEFAULTS, **item, "position": i}
            for i, item in enumerate(fields.get("goods_items", ()))
        ],
        "payment_terms": [
            {**queries.TERM_DEFAULTS, **term, "position": i}
            for i, term in enumerate(fields.get("payment_terms", ()))
        ],
        # stored sorted (EnumList): sort them here too, so the values equal what a read gives back
        "bonds": [
            {**queries.BOND_DEFAULTS, **bond, "forms": sorted(bond["forms"]), "position": i}
            for i, bond in enumerate(fields.get("bonds", ()))
        ],
    }

    connection = session.connection()
    contract["region_code"] = _purchaser_region(connection, actor, purchaser_id)
    contract["jurisdiction"] = fields.get("jurisdiction", contract["region_code"])
    _check_supplier(session, actor, contract["supplier_id"], "supplier_id")
    for index, member in enumerate(children["consortium"]):
        _check_supplier(session, actor, member["supplier_id"], f"consortium.{index}.supplier_id")
    contract["created_at"] = contract["updated_at"] = utcnow()
    try:
        contract["id"] = connection.execute(queries.INSERT_CONTRACT, contract).scalar_one()
    except IntegrityError as exc:
        if is_unique(exc, UNIQUE_REF):
            raise Conflict(*DUPLICATE_REF) from exc
        raise
    for name, statement in CHILD_INSERTS:
        rows = contract[name] = children[name]
        for row in rows:
            row["contract_id"] = contract["id"]
        if rows:
            connection.execute(statement, rows)  # one executemany per table
    auditlog.record(
        session,
        actor=actor.label,
        action="contract.create",
        entity_type="contract",
        entity_id=contract["id"],
        before=None,
        after=state_of(contract),
    )
    record_new_contract(session, contract, new_contract_facts(session, contract))
    return CreatedContract(id=contract["id"], version=contract["version"], values=contract)


def visible_version(session: Session, actor: Actor, contract_id: int) -> int:
    """The contract's current version, checked for visibility with one narrow query (no children)."""
    kind, params = actor.scope
    version = (
        session.connection()
        .execute(queries.VERSION_IN_SCOPE[kind], {"contract_id": contract_id, **params})
        .scalar()
    )
    if version is None:
        raise NotFound("合同", "contract", contract_id)
    return int(version)


def get_contract(session: Session, actor: Actor, contract_id: int, *, for_update: bool = False) -> Contract:
    """The contract if visible; ``for_update`` locks its row until the transaction ends."""
    return _visible_contract(session, actor, contract_id, for_update=for_update)


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
    # Row lock: concurrent updates queue here and each reads the version the one before committed,
    # so an update without If-Match always succeeds, and with If-Match compares against the latest.
    # (SQLite: the write gate already serializes writers; FOR UPDATE is not emitted there.)
    contract = _visible_contract(session, actor, contract_id, for_update=True)
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
    _check_signed(contract.status, contract.announced_on, contract.signed_on)
    if WHO_BENEFITS_FIELDS & set(fields):
        check_who_benefits(session, contract)
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
    refresh_obligations(session, [contract.id])
    return contract


def _validate_event(session: Session, contract: Contract, fields: Mapping[str, Any]) -> None:
    kind: EventKind = fields["kind"]
    occurred_on: date = fields["occurred_on"]
    # an event records what happened: a date past tomorrow (any time zone) is a typing mistake
    if occurred_on > utcnow().date() + timedelta(days=1):
        raise InvalidInput({"occurred_on": f"事件日期{occurred_on}在未来 / {occurred_on} is in the future"})
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
    refresh_obligations(session, [contract.id])
    return event


def list_events(
    session: Session, actor: Actor, contract_id: int, *, after: int | None, limit: int
) -> Page[ContractEvent]:
    contract = _visible_contract(session, actor, contract_id)
    query = select(ContractEvent).where(ContractEvent.contract_id == contract.id)
    return fetch_page(session, query, ContractEvent.id, after=after, limit=limit)
