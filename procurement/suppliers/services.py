"""Register, read and list suppliers within the caller's scope."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from procurement.auditlog import services as auditlog
from procurement.errors import Conflict, InvalidInput
from procurement.integrity import classify
from procurement.organizations.models import Organization
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, one_visible
from procurement.suppliers.models import Supplier
from rules.credit_code import credit_code_problem

STATE_FIELDS = (
    "name",
    "credit_code",
    "external_id",
    "industry",
    "employees",
    "revenue_wan",
    "assets_wan",
    "declared_size",
    "special_status",
    "linked_to_large",
)


def supplier_state(supplier: Supplier) -> dict[str, Any]:
    return {name: getattr(supplier, name) for name in ("id", *STATE_FIELDS)}


def create_supplier(session: Session, actor: Actor, *, fields: Mapping[str, Any]) -> Supplier:
    actor.require_write()
    code = fields.get("credit_code")
    if code is not None and (problem := credit_code_problem(code)) is not None:
        raise InvalidInput({"credit_code": f"{problem[0]} / {problem[1]}"})
    owner = session.get(Organization, actor.organization_id)
    assert owner is not None  # the key's organization exists (foreign key)
    supplier = Supplier(owner_org_id=owner.id, region_code=owner.region_code, **fields)
    session.add(supplier)
    try:
        session.flush()  # a duplicate fails the request; the session middleware rolls it back
    except IntegrityError as exc:
        if classify(exc).kind != "unique":  # answered by its constraint in api/errors.py
            raise
        raise Conflict(
            "本机构已登记同一统一社会信用代码或外部编号的供应商",
            "this organization already registered a supplier with this credit code or external id",
        ) from exc
    auditlog.record(
        session,
        actor=actor.label,
        action="supplier.create",
        entity_type="supplier",
        entity_id=supplier.id,
        before=None,
        after=supplier_state(supplier),
    )
    return supplier


def get_supplier(session: Session, actor: Actor, supplier_id: int) -> Supplier:
    return one_visible(
        session,
        actor,
        Supplier,
        supplier_id,
        org_column=Supplier.owner_org_id,
        region_column=Supplier.region_code,
        names=("供应商", "supplier"),
    )


def list_suppliers(session: Session, actor: Actor, *, after: int | None, limit: int) -> Page[Supplier]:
    query = select(Supplier).where(actor.visible(Supplier.owner_org_id, Supplier.region_code))
    return fetch_page(session, query, Supplier.id, after=after, limit=limit)
