"""Findings in and out: a rule's verdict with its evidence and citations, and its lifecycle."""

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from api.schemas.common import (
    BilingualSchema,
    CitationSchema,
    Integer,
    PageLinksSchema,
    PageQuerySchema,
    StrictSchema,
)
from procurement.findings.models import FindingSource, FindingStatus
from procurement.findings.services import REASON_MAX_CHARS
from rules.vocabulary import LegalForce, Severity


def _shape(finding: Any) -> dict[str, Any]:
    """A rule's Finding or a StoredFinding as one mapping, messages and remedies paired."""
    return {
        "rule_id": finding.rule_id,
        "category": finding.category,
        "legal_force": finding.legal_force,
        "severity": finding.severity,
        "citations": list(finding.citations),
        "message": {"zh": finding.message_zh, "en": finding.message_en},
        "remedy": {"zh": finding.remedy_zh, "en": finding.remedy_en},
        "evidence": dict(finding.evidence),
        "policy_version": finding.policy_version,
    }


class FindingSchema(Schema):
    """What a rule found (a stateless check returns these)."""

    rule_id = fields.String()
    category = fields.String(metadata={"description": "e.g. scale.registered_capital"})
    legal_force = fields.Enum(LegalForce, by_value=True)
    severity = fields.Enum(Severity, by_value=True)
    citations = fields.List(fields.Nested(CitationSchema))
    message = fields.Nested(BilingualSchema)
    remedy = fields.Nested(BilingualSchema)
    evidence = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "where and what: for a document, its name (document), location (page, "
            "paragraph, table/row/column, line or item), character offsets (start, end), the clause "
            "text (clause), its kind (clause_kind: qualification, scoring, unknown), the trigger word "
            "and the values extracted (values: kind, value, comparator, text, offsets)"
        },
    )
    policy_version = fields.String(metadata={"description": "rules or policy version applied"})

    @pre_dump
    def _pair_texts(self, finding: Any, **kwargs: Any) -> dict[str, Any]:
        return _shape(finding)


class StoredFindingSchema(FindingSchema):
    """A stored finding: where it came from, whose it is, and where it stands."""

    id = Integer()
    key = fields.String(
        metadata={
            "description": "what the finding is about (contract or document, rule, obligation or "
            "clause): every audit of the same thing updates the finding with this key"
        }
    )
    source = fields.Enum(FindingSource, by_value=True)
    source_id = Integer(metadata={"description": "the document audit or audit run that last found it"})
    first_source_id = Integer(metadata={"description": "the audit that first found it"})
    organization_id = Integer()
    region_code = fields.String()
    contract_id = Integer(allow_none=True)
    status = fields.Enum(FindingStatus, by_value=True)
    status_reason = fields.String()
    status_changed_at = fields.AwareDateTime(allow_none=True)
    status_changed_by = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    last_seen_at = fields.AwareDateTime(metadata={"description": "when an audit last found it"})
    contract_terms_declined = fields.List(
        fields.Dict(),
        dump_only=True,
        metadata={
            "description": "SME terms adjustments declined on the contract (latest apply): rule_id, "
            "reason, legal_force, message, legal_basis"
        },
    )

    @pre_dump
    def _pair_texts(self, finding: Any, **kwargs: Any) -> dict[str, Any]:
        shaped = _shape(finding)
        for name in (
            "id",
            "key",
            "source",
            "source_id",
            "first_source_id",
            "organization_id",
            "region_code",
            "contract_id",
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "created_at",
            "last_seen_at",
        ):
            shaped[name] = getattr(finding, name)
        return shaped


class FindingTransitionSchema(Schema):
    at = fields.AwareDateTime()
    by = fields.String(metadata={"description": "the API key (key:<id>) or the audit (audit_run:<id>)"})
    from_status = fields.Enum(
        FindingStatus,
        by_value=True,
        allow_none=True,
        data_key="from",
        metadata={"description": "null: found"},
    )
    to_status = fields.Enum(FindingStatus, by_value=True, data_key="to")
    reason = fields.String()


class FindingWithHistorySchema(StoredFindingSchema):
    """One finding with every change of its status, oldest first; dumps a (finding, history) pair."""

    history = fields.List(fields.Nested(FindingTransitionSchema))

    @pre_dump
    def _pair_texts(self, pair: Any, **kwargs: Any) -> dict[str, Any]:
        finding, history = pair
        return super()._pair_texts(finding, **kwargs) | {"history": history}


class FindingPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(StoredFindingSchema))


class FindingListQuerySchema(PageQuerySchema):
    status = fields.Enum(FindingStatus, by_value=True)
    category = fields.String(validate=validate.Length(min=1, max=100))
    org = Integer(metadata={"description": "the owning organization's id"})
    source = fields.Enum(FindingSource, by_value=True)
    source_id = Integer(metadata={"description": "the document audit or audit run"})
    rule_id = fields.String(validate=validate.Length(min=1, max=100))
    legal_force = fields.Enum(
        LegalForce,
        by_value=True,
        metadata={"description": "mandatory (violations) or encouraged (target misses, not violations)"},
    )


class FindingStatusChangeSchema(StrictSchema):
    status = fields.Enum(FindingStatus, by_value=True, required=True)
    reason = fields.String(
        validate=validate.Length(max=REASON_MAX_CHARS),
        load_default=None,
        allow_none=True,
        metadata={"description": "required (non-blank) to dismiss"},
    )
