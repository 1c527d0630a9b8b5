"""The reservation duty of a project (46号 Arts. 7-8): request and answer of /v1/checks/reservation."""

from marshmallow import fields, validate

from api.schemas.checks import JURISDICTION
from api.schemas.common import BilingualSchema, CitationSchema, StrictSchema, money
from rules.vocabulary import Category


class ReservationCheckSchema(StrictSchema):
    jurisdiction = fields.String(required=True, validate=JURISDICTION)
    announced_on = fields.Date(
        required=True, metadata={"description": "the procurement announcement date selects the rules"}
    )
    category = fields.Enum(Category, by_value=True, required=True)
    budget = money(required=True, metadata={"description": "the project budget, yuan"})
    suitable_amount = money(
        allow_none=True,
        metadata={"description": "the part suitable for SMEs, yuan (default: the whole budget)"},
    )
    suitable_for_sme = fields.Boolean(load_default=True)
    above_procurement_threshold = fields.Boolean(
        load_default=True, metadata={"description": "above the local procurement threshold (限额标准)"}
    )


class ReservationResultSchema(StrictSchema):
    has_duty = fields.Boolean()
    whole_project = fields.Boolean(metadata={"description": "the whole project is for SMEs (Art. 7)"})
    min_reserved_amount = fields.String(metadata={"description": "yuan, rounded up to the fen"})
    min_reserved_percent = fields.String(
        allow_none=True, metadata={"description": "of the suitable part (Art. 8; works 40% from 2022-07-01)"}
    )
    min_small_micro_amount = fields.String()
    min_small_micro_percent = fields.String(allow_none=True, metadata={"description": "of the reserved part"})
    reason = fields.Nested(BilingualSchema)
    legal_force = fields.String(allow_none=True, validate=validate.OneOf(["mandatory", "encouraged"]))
    citations = fields.List(fields.Nested(CitationSchema))
    announced_on = fields.Date()
    policy_pack = fields.String()
    policy_version = fields.String()
