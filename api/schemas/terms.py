"""SME contract terms: the preview and apply bodies, adjustments, findings and citations."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.beneficiary import BenefitSchema
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
    parameters = fields.List(
        fields.Nested(lambda: ParameterUsedSchema()),
        metadata={"description": "the policy pack parameters the target comes from"},
    )
    legal_basis = fields.Nested(
        BilingualSchema,
        metadata={"description": "what binds and what is advice; a pack default says it is one"},
    )
    legal_note = fields.Nested(BilingualSchema, allow_none=True)
    clause_zh = fields.String(
        metadata={
            "description": "the clauses of the decided contract this adjustment concerns (preview: "
            "as if every adjustment were accepted; apply: as decided)"
        }
    )


class ParameterUsedSchema(StrictSchema):
    name = fields.String()
    value = fields.String()
    is_default = fields.Boolean(metadata={"description": "set by the finance department, not law"})
    confidence = fields.String(validate=validate.OneOf(["H", "M", "L"]))
    legal_force = fields.String()
    effective_from = fields.Date()


class ClauseSchema(StrictSchema):
    ref = fields.String(metadata={"description": "what the clause states, e.g. payment_terms[0]"})
    heading_zh = fields.String()
    text_zh = fields.String(metadata={"description": "amounts in figures and capital numerals, to the fen"})


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
    clauses = fields.List(
        fields.Nested(ClauseSchema),
        metadata={
            "description": "the clauses of the contract as decided (preview: every adjustment accepted)"
        },
    )
    findings = fields.List(fields.Nested(RuleFindingSchema))
    policy_version = fields.String()
    policy_pack = fields.String()
    evaluated_on = fields.Date(metadata={"description": "the date whose policy applies (signing date)"})
    evaluated_on_basis = fields.String(
        validate=validate.OneOf(["signed_on", "earliest_signing"]),
        metadata={"description": "earliest_signing: an unsigned draft, judged on today (Beijing)"},
    )
    benefit = fields.Nested(BenefitSchema, allow_none=True, metadata={"description": "who benefits"})


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


class DeclinedItemSchema(StrictSchema):
    rule_id = fields.String()
    reason = fields.String()
    legal_force = fields.String(allow_none=True)
    message = fields.Nested(BilingualSchema, allow_none=True)
    legal_basis = fields.Nested(BilingualSchema, allow_none=True)


class TermsDecisionSchema(StrictSchema):
    id = Integer()
    evaluated_version = Integer()
    policy_pack = fields.String()
    policy_version = fields.String()
    evaluated_on = fields.Date()
    accepted = fields.List(fields.String())
    declined = fields.List(fields.Nested(DeclinedItemSchema))
    applied_by = fields.String()
    created_at = fields.DateTime()
    clauses = fields.List(fields.Nested(ClauseSchema))


class TermsDecisionsSchema(StrictSchema):
    contract_id = Integer()
    contract_version = Integer()
    decisions = fields.List(fields.Nested(TermsDecisionSchema), metadata={"description": "newest first"})
