"""``emit_event``: add an event to the outbox in the caller's transaction.

The event exists exactly when the change that caused it is committed: a rolled-back change sends
nothing, and a committed one is delivered even if the process dies right after (the worker reads
the table). Nothing is sent from inside a request.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from procurement.errors import InvalidInput
from procurement.events.models import OutboxEvent

# every event a subscription may ask for; data is documented per type in the README
EVENT_TYPES: tuple[str, ...] = (
    "contract.terms_applied",
    "finding.opened",
    "finding.status_changed",
    "payment.overdue",
    "audit_run.completed",
    "import.completed",
    "webhook.disabled",
)


def _jsonable(value: Any) -> Any:
    """Decimals as strings (money is never a float), dates as ISO text, enums as their value."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def emit_event(
    session: Session,
    *,
    type: str,
    organization_id: int,
    region_code: str,
    data: Mapping[str, Any],
) -> OutboxEvent:
    """Write ``type`` about ``organization_id`` (located at ``region_code``) to the outbox.

    Call it inside the transaction that makes the change; ``data`` becomes the webhook's ``data``
    (Decimals, dates and enums are converted; keep it small: ids and the changed fields, with the
    resource's URL so a receiver can fetch the rest).
    """
    if type not in EVENT_TYPES:
        raise InvalidInput({"type": f"未知的事件类型 / unknown event type {type!r}"})
    event = OutboxEvent(
        type=type, organization_id=organization_id, region_code=region_code, data=_jsonable(data)
    )
    session.add(event)
    session.flush()
    return event
