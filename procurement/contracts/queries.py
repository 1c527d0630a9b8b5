"""Statements on the hot paths (reading a contract, creating one), built once with bind parameters:
building a statement costs more than running it."""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from procurement.contracts.models import (
    BondRow,
    ConsortiumMember,
    Contract,
    ContractEvent,
    GoodsItemRow,
    PaymentTermRow,
)
from procurement.organizations.models import Organization
from procurement.suppliers.models import Supplier

_ID = Contract.id == bindparam("contract_id")
VERSION_IN_SCOPE: dict[str, Select[Any]] = {
    "all": select(Contract.version).where(_ID),
    "organization": select(Contract.version).where(
        _ID, Contract.purchaser_id == bindparam("organization_id")
    ),
    "region": select(Contract.version).where(_ID, Contract.region_code.like(bindparam("region_pattern"))),
}

PURCHASER = select(Organization.kind, Organization.region_code).where(
    Organization.id == bindparam("purchaser_id")
)
_SUPPLIER_ID = Supplier.id == bindparam("supplier_id")
SUPPLIER_IN_SCOPE: dict[str, Select[Any]] = {
    "all": select(Supplier.id).where(_SUPPLIER_ID),
    "organization": select(Supplier.id).where(
        _SUPPLIER_ID, Supplier.owner_org_id == bindparam("organization_id")
    ),
    "region": select(Supplier.id).where(_SUPPLIER_ID, Supplier.region_code.like(bindparam("region_pattern"))),
}


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def insert_defaults(table: Table) -> dict[str, Any]:
    """Each column's value when an insert leaves it out: its constant default, else NULL.

    Callable defaults (timestamps) are left to the caller, which needs the values it stored.
    """
    return {
        column.name: getattr(column.default, "arg", None)
        if column.default is not None and column.default.is_scalar
        else None
        for column in table.columns
        if not column.primary_key
    }


CONTRACT_DEFAULTS = insert_defaults(_table(Contract))
MEMBER_DEFAULTS = insert_defaults(_table(ConsortiumMember))
ITEM_DEFAULTS = insert_defaults(_table(GoodsItemRow))
TERM_DEFAULTS = insert_defaults(_table(PaymentTermRow))
BOND_DEFAULTS = insert_defaults(_table(BondRow))

INSERT_CONTRACT: Insert = insert(_table(Contract)).returning(Contract.id)
INSERT_MEMBERS: Insert = insert(_table(ConsortiumMember))
INSERT_ITEMS: Insert = insert(_table(GoodsItemRow))
INSERT_TERMS: Insert = insert(_table(PaymentTermRow))
INSERT_BONDS: Insert = insert(_table(BondRow))


def events_of(session: Session, contract_id: int) -> Sequence[ContractEvent]:
    query = (
        select(ContractEvent)
        .where(ContractEvent.contract_id == contract_id)
        .order_by(ContractEvent.occurred_on)
    )
    return session.execute(query).scalars().all()
