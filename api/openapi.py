"""The OpenAPI 3.1 document, generated from the marshmallow schemas; committed as openapi.yaml."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from api.openapi_rules import BINARY, decimal_strings, finish
from api.schemas.common import ProblemSchema
from config.settings import Settings

DEFAULT_MAX_PAGE_SIZE = Settings().max_page_size


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    summary: str
    tag: str
    response: type[Schema] | None
    status: int = 200
    request: type[Schema] | None = None
    query: type[Schema] | None = None
    errors: tuple[int, ...] = (401, 403, 404, 422)
    auth: bool = True
    headers: tuple[str, ...] = field(default=())
    request_media: str = "application/json"  # the media type of ``request`` (an upload: multipart)
    more_requests: tuple[tuple[str, type[Schema]], ...] = ()  # other media types it accepts
    # other media types of the success response, chosen by Accept (CSV, XLSX, .docx)
    more_responses: tuple[str, ...] = ()
    # other success statuses answered with the same schema: (status, description)
    also_status: tuple[tuple[int, str], ...] = ()


def service_version() -> str:
    try:
        return version("smeproc")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


HEADER_PARAMS = {
    "Idempotency-Key": {
        "in": "header",
        "name": "Idempotency-Key",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": "A retry with the same key and body replays the first response.",
    },
    "If-Match": {
        "in": "header",
        "name": "If-Match",
        "schema": {"type": "string"},
        "description": "The ETag last read; a stale one is answered 412.",
    },
}


def _operation_id(op: Operation) -> str:
    words = op.path.strip("/").replace("{", "").replace("}", "").replace(".", "_").split("/")
    return "_".join([op.method, *words])


def build_spec(
    operations: Iterable[Operation], *, max_page_size: int = DEFAULT_MAX_PAGE_SIZE
) -> dict[str, Any]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title="smeproc",
        version=service_version(),
        openapi_version="3.1.0",
        plugins=[plugin],
        info={
            "description": "政府采购促进中小企业发展：合同条款、门槛审查与支付审计 / "
            "SME-fair government procurement: contract terms, barrier audits and payment audits."
        },
    )
    assert plugin.converter is not None
    plugin.converter.add_attribute_function(decimal_strings)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        operation: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": _operation_id(op),
            "responses": {str(op.status): {"description": "OK"}},
        }
        if op.response is not None:
            operation["responses"][str(op.status)]["content"] = {"application/json": {"schema": op.response}}
            for media in op.more_responses:
                text = media.startswith("text/")
                operation["responses"][str(op.status)]["content"][media] = {
                    "schema": {"type": "string"} if text else BINARY
                }
        for status, description in op.also_status:
            operation["responses"][str(status)] = {"description": description}
            if op.response is not None:
                operation["responses"][str(status)]["content"] = {"application/json": {"schema": op.response}}
        for status in op.errors:
            operation["responses"][str(status)] = {
                "description": "problem",
                "content": {"application/problem+json": {"schema": "Problem"}},
            }
        parameters: list[Any] = [HEADER_PARAMS[h] for h in op.headers]
        if op.query is not None:
            parameters.append({"in": "query", "schema": op.query})
        if parameters:
            operation["parameters"] = parameters
        if op.request is not None:
            content = {op.request_media: {"schema": op.request}}
            content.update({media: {"schema": schema} for media, schema in op.more_requests})
            operation["requestBody"] = {"required": True, "content": content}
        if op.auth:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(op.path, {})[op.method] = operation
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return finish(spec.to_dict(), max_page_size=max_page_size)


def as_yaml(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)
