"""Webhook subscriptions in and out, and the delivery log."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, PageLinksSchema, StrictSchema
from procurement.events.services import EVENT_TYPES


class WebhookCreateSchema(StrictSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "https URL on a public address (receivers on a private network: 422)"},
    )
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
    )
    description = fields.String(validate=validate.Length(max=500), load_default="")


class WebhookSchema(Schema):
    id = Integer()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String()
    enabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True, metadata={"description": "why it was disabled"})
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    deliveries = fields.Function(lambda s: f"/v1/webhooks/{s.id}/deliveries")


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(
        metadata={
            "description": "the signing secret (whsec_...) for standardwebhooks' Webhook(secret).verify; "
            "shown in this answer only"
        }
    )


class WebhookPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(WebhookSchema))


class AttemptSchema(Schema):
    attempted_at = fields.AwareDateTime()
    status_code = Integer(allow_none=True, metadata={"description": "null: no HTTP answer"})
    error = fields.String(allow_none=True)
    duration_ms = Integer()


class DeliverySchema(Schema):
    id = Integer()
    webhook_id = fields.String(metadata={"description": "the webhook-id header: the same on every attempt"})
    event_type = fields.String()
    occurred_at = fields.AwareDateTime()
    state = fields.String(metadata={"enum": ["pending", "succeeded", "failed"]})
    attempts = Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    last_status = Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    log = fields.List(fields.Nested(AttemptSchema), metadata={"description": "every attempt, oldest first"})


class DeliveryPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(DeliverySchema))
