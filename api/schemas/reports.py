"""The payments report: its query and its figures (JSON; CSV and XLSX carry the same columns)."""

from marshmallow import Schema, fields

from api.schemas.audit_runs import REGION
from api.schemas.common import BilingualSchema, Integer, StrictSchema


class PaymentsReportQuerySchema(StrictSchema):
    region = fields.String(validate=REGION, metadata={"description": "default: the caller's region"})
    period_from = fields.Date(data_key="from", metadata={"description": "signing date from"})
    period_to = fields.Date(data_key="to", metadata={"description": "signing date to"})
    as_of = fields.Date(metadata={"description": "default today"})


class GroupStatsSchema(Schema):
    key = fields.String()
    name = fields.String()
    contracts = Integer()
    value = fields.String(metadata={"description": "yuan"})
    sme_contracts = Integer()
    sme_value = fields.String()
    sme_value_share = fields.String(allow_none=True, metadata={"description": "fraction 0-1"})
    small_micro_contracts = Integer()
    small_micro_value = fields.String()
    small_micro_value_share = fields.String(allow_none=True)
    payments_due = Integer()
    on_time_rate = fields.String(allow_none=True, metadata={"description": "fraction 0-1"})
    average_days_to_pay = fields.String(allow_none=True)
    overdue_amount = fields.String()
    overdue_count = Integer()
    bonds_past_due_amount = fields.String()
    bonds_past_due_count = Integer()
    retention_past_due_amount = fields.String()
    retention_past_due_count = Integer()


class PurchaserStatsSchema(GroupStatsSchema):
    organization_id = Integer()
    external_id = fields.String(allow_none=True)
    region_code = fields.String()


class LeftOutSchema(Schema):
    reason = fields.String(metadata={"description": "currency or status"})
    currency = fields.String()
    status = fields.String()
    contracts = Integer()
    amount = fields.String(metadata={"description": "in the contracts' own currency"})


class PaymentsReportSchema(Schema):
    region_code = fields.String()
    period_from = fields.Date(data_key="from", allow_none=True)
    period_to = fields.Date(data_key="to", allow_none=True)
    as_of = fields.Date()
    counted = fields.Nested(BilingualSchema, metadata={"description": "what the figures count"})
    left_out = fields.List(
        fields.Nested(LeftOutSchema), metadata={"description": "contracts left out of every sum, and why"}
    )
    total = fields.Nested(GroupStatsSchema)
    regions = fields.List(fields.Nested(GroupStatsSchema))
    purchasers = fields.List(fields.Nested(PurchaserStatsSchema))
