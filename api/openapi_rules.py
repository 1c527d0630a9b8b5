"""What makes the OpenAPI document say what the server does (and nothing else):

- money, percentages and 万元 are decimal *strings* in JSON, so they are ``type: string`` with a
  ``pattern`` (apispec would call them numbers, with string bounds no validator can use);
- ``limit`` is bounded by the server's maximum page size;
- every status the server can answer is documented: 400 (malformed JSON, a malformed
  ``Idempotency-Key``), 413 and 415 for a body,
  401 for a key, 406 where the client chooses among media types, 429 (rate limits) and 503 (the
  database unavailable, with ``Retry-After``), all as application/problem+json.
"""

import re
from decimal import Decimal
from typing import Any

from marshmallow import fields, validate

PROBLEM = {
    "description": "problem",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}}
BINARY = {"type": "string", "format": "binary"}


def _decimal_pattern(field: fields.Decimal) -> str:
    exponent: object = field.places.as_tuple().exponent if isinstance(field.places, Decimal) else 0
    places = -exponent if isinstance(exponent, int) else 0
    ranges = [v for v in field.validators if isinstance(v, validate.Range)]
    top = Decimal(ranges[0].max) if ranges and ranges[0].max is not None else None
    sign = "" if ranges and ranges[0].min is not None and Decimal(ranges[0].min) >= 0 else "-?"
    fraction = rf"(\.\d{{1,{places}}})?" if places else ""
    if top == 100:
        return rf"^(100(\.0{{1,{places}}})?|\d{{1,2}}{fraction})$"
    digits = len(str(int(top))) if top is not None else 18
    return rf"^{sign}\d{{1,{digits}}}{fraction}$"


def decimal_strings(self: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a Decimal written as a string is a string with a pattern."""
    if not isinstance(field, fields.Decimal) or not field.as_string:
        return {}
    ret.pop("minimum", None)
    ret.pop("maximum", None)
    nullable = isinstance(ret.get("type"), list) and "null" in ret["type"]
    return {
        "type": ["string", "null"] if nullable else "string",
        "format": "decimal",
        "pattern": _decimal_pattern(field),
    }


INT32_MAX = 2**31 - 1
PATH_PARAMETER = re.compile(r"{(\w+)}")


def _path_parameters(path: str) -> list[dict[str, Any]]:
    """Ids (``..._id``) are the 32-bit integers the routes' converters take; others are strings."""
    return [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
            if name.endswith("_id")
            else {"type": "string"},
        }
        for name in PATH_PARAMETER.findall(path)
    ]


def finish(spec: dict[str, Any], *, max_page_size: int) -> dict[str, Any]:
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            _bound_limit(operation, max_page_size)
            if path_parameters := _path_parameters(path):
                operation["parameters"] = path_parameters + operation.get("parameters", [])
                operation["responses"].setdefault("404", PROBLEM)
            responses = operation["responses"]
            if "requestBody" in operation:
                for status in ("400", "413", "415"):
                    responses.setdefault(status, PROBLEM)
            if _takes_header(operation, "Idempotency-Key"):  # a key of the wrong length is a 400
                responses.setdefault("400", PROBLEM)
            if operation.get("security"):
                responses.setdefault("401", PROBLEM)
            responses.setdefault("429", {**PROBLEM, "headers": RETRY_AFTER})
            responses.setdefault("503", {**PROBLEM, "headers": RETRY_AFTER})
            success = next(s for s in responses if s.startswith("2"))
            if len(responses[success].get("content", {})) > 1:
                responses.setdefault("406", PROBLEM)
    return spec


def _takes_header(operation: dict[str, Any], name: str) -> bool:
    return any(p.get("in") == "header" and p.get("name") == name for p in operation.get("parameters", ()))


def _bound_limit(operation: dict[str, Any], max_page_size: int) -> None:
    for parameter in operation.get("parameters", ()):
        if parameter.get("in") == "query" and parameter.get("name") == "limit":
            parameter["schema"]["maximum"] = max_page_size
            parameter["description"] = f"items per page, at most {max_page_size} (more is a 422)"
