"""Organizations as the API shows them, so a platform finds the purchaser ids it sends."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, PageLinksSchema, PageQuerySchema
from rules.vocabulary import OrganizationKind

KINDS = [k.value for k in OrganizationKind]


class OrganizationQuerySchema(PageQuerySchema):
    region = fields.String(
        validate=validate.Regexp(r"^\d{6}$", error="须为6位行政区划代码 / a 6-digit region code"),
        metadata={"description": "this region and below"},
    )
    kind = fields.String(validate=validate.OneOf(KINDS))
    external_id = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the id another system knows it by (an OCDS buyer's party id)"},
    )


class OrganizationSchema(Schema):
    id = Integer()
    name = fields.String()
    kind = fields.String(metadata={"enum": KINDS})
    region_code = fields.String(metadata={"description": "行政区划代码 (GB/T 2260)"})
    parent_id = Integer(allow_none=True)
    external_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class OrganizationPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(OrganizationSchema))
