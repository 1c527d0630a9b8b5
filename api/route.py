"""One route: a Falcon path template, the resource serving it, and the operations it documents."""

from dataclasses import dataclass

from api.openapi import Operation

# what a write may answer besides success; the idempotency header every POST accepts
WRITE_ERRORS = (401, 403, 409, 413, 422)
IDEMPOTENT = ("Idempotency-Key",)


@dataclass(frozen=True)
class Route:
    path: str  # Falcon template, converters included
    resource: str  # key into the resources create_app builds
    operations: tuple[Operation, ...]
    suffix: str | None = None


def op(path: str, method: str, summary: str, tag: str, response: object, **kw: object) -> Operation:
    return Operation(path, method, summary, tag, response, **kw)  # type: ignore[arg-type]
