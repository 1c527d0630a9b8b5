"""Domain errors, named for what went wrong; they know nothing of HTTP (api/errors.py maps them).

DomainError
├── NotAuthenticated          no key, or a key that is unknown or revoked
├── NotPermitted              the caller's role may not do this
├── NotFound                  absent, or invisible to the caller (the same answer for both)
├── InvalidInput              a field's value breaks a domain rule (carries field -> messages)
│   └── IdempotencyKeyReused  the same Idempotency-Key with another request
├── Conflict                  a uniqueness rule (e.g. external_ref) or a concurrent retry
└── StaleVersion              If-Match or the row's version no longer matches
"""

from collections.abc import Mapping


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class NotPermitted(DomainError):
    code = "not_permitted"


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, entity_zh: str, entity_en: str, entity_id: object) -> None:
        super().__init__(f"未找到{entity_zh} {entity_id}", f"{entity_en} {entity_id} not found")


class InvalidInput(DomainError):
    code = "invalid_input"

    def __init__(
        self, errors: Mapping[str, str | list[str]], message_zh: str = "", message_en: str = ""
    ) -> None:
        self.errors = {k: v if isinstance(v, list) else [v] for k, v in errors.items()}
        fields = ", ".join(self.errors)
        super().__init__(message_zh or f"字段有误：{fields}", message_en or f"invalid fields: {fields}")


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"


class Conflict(DomainError):
    code = "conflict"


class StaleVersion(DomainError):
    code = "stale_version"
