"""The new-draft form: its fields named by the API's dotted paths (``payment_terms.0.percent``), so
the API's schema validates it and its errors land beside the field that caused them."""

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from api.errors import flatten_errors
from api.schemas.contracts import ContractCreateSchema
from api.schemas.suppliers import SupplierCreateSchema
from rules.vocabulary import ContractStatus

CREATE = ContractCreateSchema()
SUPPLIER = SupplierCreateSchema()
PAYMENT_ROWS = 4
BOND_ROWS = 2
SCALARS = (
    "external_ref",
    "title",
    "category",
    "amount",
    "purchaser_type",
    "announced_on",
    "signed_on",
    "acceptance_period_days",
    "warranty_months",
)
TERM_COLUMNS = ("kind", "percent", "trigger", "days", "day_type", "held_months")
BOND_COLUMNS = ("kind", "percent", "return_days")
SUPPLIER_FIELDS = (
    "name",
    "credit_code",
    "industry",
    "employees",
    "revenue_wan",
    "assets_wan",
    "declared_size",
)
NEW_SUPPLIER = "new"


def _rows(
    values: Mapping[str, str], prefix: str, columns: tuple[str, ...], count: int
) -> list[dict[str, Any]]:
    rows = []
    for index in range(count):
        row = {c: values.get(f"{prefix}.{index}.{c}", "") for c in columns}
        if any(row[c] for c in ("kind", "percent")):
            rows.append({c: v for c, v in row.items() if v != ""})
    return rows


def flat_values(raw: Mapping[str, list[str]]) -> dict[str, str]:
    """The form as typed (first value of each name, trimmed), to fill the form again on an error."""
    return {name: values[0].strip() for name, values in raw.items() if values}


def contract_fields(raw: Mapping[str, list[str]], values: Mapping[str, str]) -> dict[str, Any]:
    """The API's create body from the form (blank fields left out, as an API client would)."""
    body: dict[str, Any] = {name: values[name] for name in SCALARS if values.get(name)}
    body["status"] = ContractStatus.DRAFT.value
    body["payment_terms"] = _rows(values, "payment_terms", TERM_COLUMNS, PAYMENT_ROWS)
    bonds = _rows(values, "bonds", BOND_COLUMNS, BOND_ROWS)
    for index, bond in enumerate(bonds):
        bond["forms"] = list(raw.get(f"bonds.{index}.forms", []))
    body["bonds"] = bonds
    supplier = values.get("supplier_id", "")
    if supplier and supplier != NEW_SUPPLIER:
        body["supplier_id"] = supplier
    return body


def supplier_fields(values: Mapping[str, str]) -> dict[str, Any] | None:
    if values.get("supplier_id") != NEW_SUPPLIER:
        return None
    return {name: values[f"supplier.{name}"] for name in SUPPLIER_FIELDS if values.get(f"supplier.{name}")}


def validate(
    raw: Mapping[str, list[str]],
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, list[str]]]:
    """(contract fields, new supplier's fields or None, errors by dotted field path)."""
    values = flat_values(raw)
    errors: dict[str, list[str]] = {}
    supplier: dict[str, Any] | None = None
    new_supplier = supplier_fields(values)
    if new_supplier is not None:
        try:
            supplier = SUPPLIER.load(new_supplier)
        except ValidationError as error:
            errors.update({f"supplier.{k}": v for k, v in flatten_errors(error.messages).items()})
    body = contract_fields(raw, values)
    contract: dict[str, Any] = {}
    try:
        contract = CREATE.load(body)
    except ValidationError as error:
        errors.update(flatten_errors(error.messages))
    return contract, supplier, errors
