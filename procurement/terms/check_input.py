"""The terms check in the contract create format: a supplier by id, a purchaser by id.

``POST /v1/checks/terms`` and ``smeproc terms`` take what ``POST /v1/contracts`` takes. Ids are
resolved here into what the stateless check needs (the supplier's facts, the jurisdiction), within
what the caller may see; the CLI, which has no caller, reads the database it is configured with.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from procurement.contracts import services as contracts
from procurement.errors import InvalidInput
from procurement.organizations.models import Organization
from procurement.scope import Actor
from procurement.suppliers import services as suppliers
from procurement.suppliers.models import Supplier

ID_FIELDS = ("supplier_id", "purchaser_id")


def needs_database(fields: Mapping[str, Any]) -> bool:
    """Whether the answer depends on stored rows or on the caller (and so may not be cached)."""
    return any(fields.get(name) is not None for name in ID_FIELDS) or "jurisdiction" not in fields


def supplier_fields(supplier: Supplier) -> dict[str, Any]:
    return {
        "industry": supplier.industry,
        "employees": supplier.employees,
        "revenue_wan": supplier.revenue_wan,
        "assets_wan": supplier.assets_wan,
        "declared_size": supplier.declared_size,
        "special_status": supplier.special_status,
        "linked_to_large": supplier.linked_to_large,
        "disabled_staff": supplier.disabled_staff,
        "founded_on": supplier.founded_on,
        "name": supplier.name,
    }


def resolve_ids(fields: Mapping[str, Any], *, session: Session | None, actor: Actor | None) -> dict[str, Any]:
    """``fields`` with ``supplier_id`` made inline supplier facts and the jurisdiction filled in."""
    out = {k: v for k, v in fields.items() if k not in ("external_ref", *ID_FIELDS)}
    supplier_id, purchaser_id = fields.get("supplier_id"), fields.get("purchaser_id")
    if session is None and (supplier_id is not None or purchaser_id is not None):
        raise InvalidInput(
            {
                name: "按编号查询需要数据库 / an id needs the database"
                for name in ID_FIELDS
                if fields.get(name)
            }
        )
    if supplier_id is not None:
        assert session is not None
        if actor is not None:
            supplier = suppliers.get_supplier(session, actor, supplier_id)
        else:
            found = session.get(Supplier, supplier_id)
            if found is None:
                raise InvalidInput({"supplier_id": f"供应商{supplier_id}不存在 / no supplier {supplier_id}"})
            supplier = found
        out["supplier"] = supplier_fields(supplier)
    if "jurisdiction" not in fields:
        out["jurisdiction"] = _jurisdiction(session, actor, purchaser_id)
    return out


def _jurisdiction(session: Session | None, actor: Actor | None, purchaser_id: int | None) -> str:
    if session is not None and actor is not None:
        return contracts.purchaser_region(session, actor, purchaser_id)
    if session is not None and purchaser_id is not None:
        purchaser = session.get(Organization, purchaser_id)
        if purchaser is not None:
            return purchaser.region_code
        raise InvalidInput({"purchaser_id": f"采购人{purchaser_id}不存在 / no purchaser {purchaser_id}"})
    raise InvalidInput(
        {"jurisdiction": "须给出 jurisdiction 或 purchaser_id / give jurisdiction or purchaser_id"}
    )
