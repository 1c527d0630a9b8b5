"""The OCDS export's query."""

from marshmallow import fields, validate

from api.schemas.common import StrictSchema


class OcdsReleasesQuerySchema(StrictSchema):
    region = fields.String(
        validate=validate.Regexp(r"^\d{6}$", error="须为6位行政区划代码 / a 6-digit region code"),
        metadata={"description": "this region and below (default: all the caller may see)"},
    )
    signed_from = fields.Date(data_key="from", metadata={"description": "signed on or after"})
    signed_to = fields.Date(data_key="to", metadata={"description": "signed on or before"})
