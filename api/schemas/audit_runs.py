"""Audit runs in and out: the scope of a finance audit, and the run with its summary."""

from marshmallow import Schema, fields, validate

from api.schemas.common import Integer, StrictSchema
from procurement.finance.models import AuditRunState

REGION = validate.Regexp(r"^\d{6}$", error="须为6位行政区划代码 / a 6-digit region code")


def _percent(done: int, total: int, state: AuditRunState) -> float:
    if state is AuditRunState.COMPLETED:
        return 100.0
    return round(100 * done / total, 2) if total else 0.0


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
            "description": "once completed: contracts, audited, audited_one_by_one (contracts the "
            "set-based run audited one by one), findings (count by rule id), "
            "by_legal_force (mandatory violations and encouraged-target misses apart), written "
            "(opened, reopened, refreshed, resolved_as_cleared: what the run did to the stored "
            "findings), coverage (per rule: evaluated or the reason it could not evaluate, with "
            "counts), errors (contract_id, message)"
        }
    )
    job = fields.Function(
        lambda run: f"/v1/jobs/{run.job_id}" if run.job_id else None,
        allow_none=True,
        metadata={"description": "the background job executing the run"},
    )
    findings = fields.Function(
        lambda run: f"/v1/findings?source=audit_run&source_id={run.id}",
        metadata={"description": "the run's findings (shared finding lifecycle)"},
    )
    state = fields.Enum(
        AuditRunState, by_value=True, metadata={"description": "queued, running, completed or failed"}
    )
    contracts_total = Integer(metadata={"description": "contracts in scope (known once running)"})
    contracts_done = Integer()
    percent_done = fields.Function(
        lambda run: _percent(run.contracts_done, run.contracts_total, run.state),
        metadata={"description": "0-100, two decimals at most"},
    )
    error = fields.String(metadata={"description": "why a failed run stopped"})
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
