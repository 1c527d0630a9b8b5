"""Statements on the hot read path, built once with bind parameters (building costs more than running)."""

from typing import Any

from sqlalchemy import Select, bindparam, select

from procurement.contracts.models import Contract

_ID = Contract.id == bindparam("contract_id")
VERSION_IN_SCOPE: dict[str, Select[Any]] = {
    "all": select(Contract.version).where(_ID),
    "organization": select(Contract.version).where(
        _ID, Contract.purchaser_id == bindparam("organization_id")
    ),
    "region": select(Contract.version).where(_ID, Contract.region_code.like(bindparam("region_pattern"))),
}
