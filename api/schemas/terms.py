"""SME contract terms: the preview and apply bodies, adjustments, findings and citations."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import BilingualSchema, CitationSchema, Integer, StrictSchema


class AdjustmentSchema(StrictSchema):
    field = fields.String(metadata={"description": "the term to change, e.g. payment_terms[1].percent"})
    before = fields.Raw(metadata={"description": "percent for *.percent fields"})
    after = fields.Raw()
    rule_id = fields.String()
    legal_force = fields.String(validate=validate.OneOf(["mandatory", "encouraged"]))
    is_default = fields.Boolean(
        metadata={"description": "the target is a regional default the finance department set"}
    )
    citations = fields.List(fields.Nested(CitationSchema))
    message = fields.Nested(BilingualSchema)
    clause_zh = fields.String(metadata={"description": "the clause to put into the contract"})


class RuleFindingSchema(StrictSchema):
    rule_id = fields.String()
    category = fields.String()
    legal_force = fields.String()
    severity = fields.String(validate=validate.OneOf(["violation", "advice"]))
    citations = fields.List(fields.Nested(CitationSchema))
    message = fields.Nested(BilingualSchema)
    remedy = fields.Nested(BilingualSchema)
    evidence = fields.Dict()
    policy_version = fields.String()


class TermsResultFields(StrictSchema):
    adjustments = fields.List(fields.Nested(AdjustmentSchema))
    findings = fields.List(fields.Nested(RuleFindingSchema))
    policy_version = fields.String()
    policy_pack = fields.String()
    evaluated_on = fields.Date(metadata={"description": "the date whose policy applies (signing date)"})
    evaluated_on_basis = fields.String(
        validate=validate.OneOf(["signed_on", "earliest_signing"]),
        metadata={"description": "earliest_signing: an unsigned draft, judged on today (Beijing)"},
    )


class TermsPreviewSchema(TermsResultFields):
    contract_id = Integer()
    contract_version = Integer(metadata={"description": "send it as If-Match when applying"})


class DeclinedSchema(StrictSchema):
    rule_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "why the adjustment is not taken (stored and shown to auditors)"},
    )


class TermsApplySchema(StrictSchema):
    accepted = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list)
    declined = fields.List(fields.Nested(DeclinedSchema), load_default=list)

    @validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        declined = [d["rule_id"] for d in data.get("declined", [])]
        if len(set(declined)) != len(declined):
            raise ValidationError("同一规则只能拒绝一次 / decline each rule once", "declined")
        for index, item in enumerate(data.get("declined", [])):
            if not item["reason"].strip():
                raise ValidationError(
                    "不接受须说明理由 / a declined rule needs a reason", f"declined.{index}.reason"
                )


class TermsAppliedSchema(TermsResultFields):
    id = Integer(metadata={"description": "the stored terms result"})
    contract_id = Integer()
    evaluated_version = Integer(metadata={"description": "the version the adjustments were made on"})
    contract_version = Integer(metadata={"description": "the contract's version now (its ETag)"})
    accepted = fields.List(fields.String())
    declined = fields.List(fields.Nested(DeclinedSchema))
    applied_by = fields.String()
    created_at = fields.DateTime()
