"""Performance events: delivery, acceptance, invoice, payment, bond and retention movements."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import Integer, PageLinksSchema, StrictSchema, money
from rules.vocabulary import EventKind

NEEDS_AMOUNT = {EventKind.PAID, EventKind.RETENTION_WITHHELD, EventKind.RETENTION_RELEASED}


class EventCreateSchema(StrictSchema):
    kind = fields.Enum(EventKind, by_value=True, required=True)
    occurred_on = fields.Date(required=True)
    amount = money(allow_none=True)
    ref = fields.String(validate=validate.Length(max=100), allow_none=True)
    note = fields.String(validate=validate.Length(max=1000))

    @validates_schema
    def _amount_where_needed(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") in NEEDS_AMOUNT and data.get("amount") is None:
            raise ValidationError("此类事件必须有金额 / this kind of event needs an amount", "amount")


class EventSchema(EventCreateSchema):
    id = Integer(dump_only=True)
    contract_id = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class EventPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(EventSchema))
