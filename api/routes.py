"""The one table of routes: the app adds them and the OpenAPI document describes them from here."""

from dataclasses import dataclass

from api.openapi import Operation
from api.schemas.common import HealthSchema, PageQuerySchema
from api.schemas.contracts import (
    ContractCreateSchema,
    ContractFieldsSchema,
    ContractListQuerySchema,
    ContractPageSchema,
    ContractSchema,
)
from api.schemas.events import EventCreateSchema, EventPageSchema, EventSchema
from api.schemas.suppliers import SupplierCreateSchema, SupplierPageSchema, SupplierSchema

WRITE_ERRORS = (401, 403, 409, 413, 422)
IDEMPOTENT = ("Idempotency-Key",)


@dataclass(frozen=True)
class Route:
    path: str  # Falcon template, converters included
    resource: str  # key into the resources create_app builds
    operations: tuple[Operation, ...]
    suffix: str | None = None


def _op(path: str, method: str, summary: str, tag: str, response: object, **kw: object) -> Operation:
    return Operation(path, method, summary, tag, response, **kw)  # type: ignore[arg-type]


ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/health",
        "health",
        (
            _op(
                "/v1/health",
                "get",
                "服务状态 / health",
                "service",
                HealthSchema,
                errors=(),
                auth=False,
            ),
        ),
    ),
    Route(
        "/v1/openapi.json",
        "openapi",
        (
            _op(
                "/v1/openapi.json",
                "get",
                "本文档 / this document",
                "service",
                None,
                errors=(),
                auth=False,
            ),
        ),
    ),
    Route(
        "/v1/suppliers",
        "suppliers",
        (
            _op(
                "/v1/suppliers",
                "post",
                "登记供应商 / register a supplier",
                "suppliers",
                SupplierSchema,
                status=201,
                request=SupplierCreateSchema,
                headers=IDEMPOTENT,
                errors=WRITE_ERRORS,
            ),
            _op(
                "/v1/suppliers",
                "get",
                "供应商列表 / list suppliers",
                "suppliers",
                SupplierPageSchema,
                query=PageQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/suppliers/{supplier_id:int}",
        "suppliers",
        (
            _op(
                "/v1/suppliers/{supplier_id}",
                "get",
                "供应商 / a supplier",
                "suppliers",
                SupplierSchema,
            ),
        ),
    ),
    Route(
        "/v1/contracts",
        "contracts",
        (
            _op(
                "/v1/contracts",
                "post",
                "登记合同 / create a contract",
                "contracts",
                ContractSchema,
                status=201,
                request=ContractCreateSchema,
                headers=IDEMPOTENT,
                errors=WRITE_ERRORS,
            ),
            _op(
                "/v1/contracts",
                "get",
                "合同列表 / list contracts",
                "contracts",
                ContractPageSchema,
                query=ContractListQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/contracts/{contract_id:int}",
        "contracts",
        (
            _op(
                "/v1/contracts/{contract_id}",
                "get",
                "合同（带ETag） / a contract",
                "contracts",
                ContractSchema,
            ),
            _op(
                "/v1/contracts/{contract_id}",
                "patch",
                "修改合同 / update a contract",
                "contracts",
                ContractSchema,
                request=ContractFieldsSchema,
                headers=("If-Match",),
                errors=(401, 403, 404, 409, 412, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/contracts/{contract_id:int}/events",
        "contract_events",
        (
            _op(
                "/v1/contracts/{contract_id}/events",
                "post",
                "记录履约事件 / record a performance event",
                "contracts",
                EventSchema,
                status=201,
                request=EventCreateSchema,
                headers=IDEMPOTENT,
            ),
            _op(
                "/v1/contracts/{contract_id}/events",
                "get",
                "履约事件 / list events",
                "contracts",
                EventPageSchema,
                query=PageQuerySchema,
            ),
        ),
    ),
)
