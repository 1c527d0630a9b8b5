"""Audit runs in and out: the scope of a finance audit, and the run with its summary."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, StrictSchema

REGION = validate.Regexp(r"^\d{6}$", error="须为6位行政区划代码 / a 6-digit region code")


class AuditRunCreateSchema(StrictSchema):
    region_code = fields.String(
        validate=REGION, metadata={"description": "this region and below; default: the caller's"}
    )
    organization_id = Integer(metadata={"description": "one purchaser only (officers: their own)"})
    period_from = fields.Date(
        required=True, data_key="from", metadata={"description": "signing date from (inclusive)"}
    )
    period_to = fields.Date(
        required=True, data_key="to", metadata={"description": "signing date to (inclusive)"}
    )
    as_of = fields.Date(metadata={"description": "the day the audit looks from; default today"})


class AuditRunSchema(Schema):
    id = Integer()
    region_code = fields.String()
    organization_id = Integer(allow_none=True)
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")
    as_of = fields.Date()
    summary = fields.Dict(
        metadata={
            "description": "contracts, audited, findings (count by rule id), coverage (per rule: "
            "evaluated or the reason it could not evaluate, with counts), errors (contract_id, message)"
        }
    )
    findings = fields.Function(
        lambda run: f"/v1/findings?source=audit_run&source_id={run.id}",
        metadata={"description": "the run's findings (shared finding lifecycle)"},
    )
    created_by = fields.String()
    created_at = fields.AwareDateTime()
