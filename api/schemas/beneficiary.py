"""Who benefits from a contract (46号 Arts. 4, 9): the size the SME terms follow and why."""

from marshmallow import fields, validate

from api.schemas.common import BilingualSchema, CitationSchema, StrictSchema
from rules.beneficiary import Basis, Role
from rules.vocabulary import Size

SIZES = [s.value for s in Size]


class PartySchema(StrictSchema):
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    name = fields.String()
    size = fields.String(allow_none=True, validate=validate.OneOf(SIZES))
    share_percent = fields.String(allow_none=True)


class BenefitSchema(StrictSchema):
    size = fields.String(
        allow_none=True,
        validate=validate.OneOf(SIZES),
        metadata={"description": "the size the SME terms follow; null: unknown, no SME terms"},
    )
    is_sme = fields.Boolean()
    is_small_or_micro = fields.Boolean()
    basis = fields.String(
        validate=validate.OneOf([b.value for b in Basis]),
        metadata={"description": "whose size decided: manufacturers, declaration, builder, provider"},
    )
    reason = fields.Nested(BilingualSchema)
    parties = fields.List(fields.Nested(PartySchema))
    citations = fields.List(fields.Nested(CitationSchema))
