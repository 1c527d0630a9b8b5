"""API keys as an admin manages them: never the key itself, except once when it is made."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, PageLinksSchema, StrictSchema
from procurement.organizations.models import Role


class ApiKeySchema(Schema):
    id = Integer()
    organization_id = Integer()
    role = fields.Enum(Role, by_value=True)
    prefix = fields.String(metadata={"description": "the public part of the key (smp_<prefix>_...)"})
    label = fields.String()
    created_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)
    expires_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "last authentication, to the minute"}
    )


class ApiKeyCreatedSchema(ApiKeySchema):
    key = fields.String(metadata={"description": "the key itself: shown this once, only its hash is kept"})


class ApiKeyCreateSchema(StrictSchema):
    organization_id = Integer(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    label = fields.String(validate=validate.Length(max=200), load_default="")
    expires_at = fields.AwareDateTime(allow_none=True, load_default=None)


class ApiKeyChangeSchema(StrictSchema):
    revoked = fields.Boolean(
        validate=validate.Equal(True), metadata={"description": "true revokes the key for good"}
    )
    expires_at = fields.AwareDateTime(allow_none=True, metadata={"description": "null: never expires"})


class ApiKeyListQuerySchema(StrictSchema):
    after = Integer(validate=validate.Range(min=0))
    limit = Integer(validate=validate.Range(min=1))
    organization_id = Integer()


class ApiKeyPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(ApiKeySchema))
