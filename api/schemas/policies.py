"""Policy packs: which packs exist and cover what, and the parameters in force on a date."""

from marshmallow import fields

from api.schemas.common import BilingualSchema, CitationSchema, StrictSchema


class CoverageSchema(StrictSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date(allow_none=True)


class PackSchema(StrictSchema):
    id = fields.String()
    title = fields.Nested(BilingualSchema)
    extends = fields.String(allow_none=True)
    regions = fields.List(fields.String(), metadata={"description": "region code prefixes covered"})
    coverage = fields.List(fields.Nested(CoverageSchema))
    version = fields.String()


class PackListSchema(StrictSchema):
    packs = fields.List(fields.Nested(PackSchema))


class PolicyQuerySchema(StrictSchema):
    on = fields.Date(metadata={"description": "YYYY-MM-DD; default today (Beijing)"})


class ParameterSchema(StrictSchema):
    name = fields.String()
    value = fields.Raw(metadata={"description": "percent for unit percent"})
    unit = fields.String()
    legal_force = fields.String()
    citations = fields.List(fields.Nested(CitationSchema))
    is_default = fields.Boolean(metadata={"description": "a regional default the finance department set"})
    effective_from = fields.Date()
    confidence = fields.String()
    note = fields.String()
    description = fields.Nested(BilingualSchema)


class SizeTableRefSchema(StrictSchema):
    effective_from = fields.Date()
    citations = fields.List(fields.Nested(CitationSchema))


class PolicyInForceSchema(StrictSchema):
    jurisdiction = fields.String()
    on = fields.Date()
    policy_pack = fields.String()
    policy_version = fields.String()
    parameters = fields.List(fields.Nested(ParameterSchema))
    size_table = fields.Nested(SizeTableRefSchema)
