"""Barrier audits in and out: a document (multipart), text or structured requirements (JSON)."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from api.schemas.common import Integer, StrictSchema
from api.schemas.findings import FindingSchema, StoredFindingSchema
from rules.barriers import ClauseKind
from rules.vocabulary import Industry

TEXT_MAX_CHARS = 5_000_000
REQUIREMENTS_MAX_ITEMS = 2000


def industry() -> fields.Enum:
    return fields.Enum(
        Industry,
        by_value=True,
        load_default=None,
        allow_none=True,
        metadata={"description": "size-table industry of the procurement, used until the text names one"},
    )


class RequirementSchema(StrictSchema):
    kind = fields.Enum(ClauseKind, by_value=True, required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    points = fields.Decimal(
        as_string=True,
        allow_nan=False,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": "the points of a scoring item"},
    )


class BarrierCheckSchema(StrictSchema):
    """Either ``text`` (with an optional ``filename`` the findings cite) or ``requirements``."""

    text = fields.String(validate=validate.Length(min=1, max=TEXT_MAX_CHARS))
    filename = fields.String(validate=validate.Length(min=1, max=300))
    requirements = fields.List(
        fields.Nested(RequirementSchema), validate=validate.Length(min=1, max=REQUIREMENTS_MAX_ITEMS)
    )
    industry = industry()

    @validates_schema
    def _one_input(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("text" in data) == ("requirements" in data):
            message = "须提供 text 或 requirements 之一 / send either text or requirements"
            raise ValidationError(message, "text" if "text" in data else "_schema")
        if "text" in data and not data["text"].strip():
            raise ValidationError("文本不能为空白 / the text is blank", "text")
        if "requirements" in data and "filename" in data:
            raise ValidationError("filename 只用于 text / filename goes with text", "filename")


class DocumentUploadSchema(Schema):
    """The multipart/form-data form (documented only; the resource reads the parts)."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": ".txt (UTF-8/GBK), .docx or .pdf"},
    )
    industry = industry()


class PageProblemSchema(Schema):
    """A page that could not be read (the rest of the document was audited)."""

    page = Integer(allow_none=True, metadata={"description": "null: the whole document (a failed job)"})
    code = fields.String(
        metadata={
            "description": "page_unreadable, page_unrenderable, no_text_layer; job_failed or a document error"
        }
    )
    zh = fields.String()
    en = fields.String()


class AuditSummarySchema(Schema):
    findings = Integer()
    clauses_flagged = Integer(metadata={"description": "clauses with at least one finding"})
    by_category = fields.Dict(keys=fields.String(), values=Integer())
    by_severity = fields.Dict(keys=fields.String(), values=Integer())
    clauses_read = Integer()
    segments_read = Integer(metadata={"description": "paragraphs, table cells, pages or lines"})
    format = fields.String()
    encoding = fields.String(allow_none=True)
    pages = Integer(allow_none=True)
    paragraphs = Integer(allow_none=True)
    table_cells = Integer(allow_none=True)
    characters = Integer()
    ocr_pages = fields.List(Integer(), metadata={"description": "PDF pages read by OCR (scans)"})
    problems = fields.List(fields.Nested(PageProblemSchema))


class AuditProgressSchema(Schema):
    pages_done = Integer(metadata={"description": "pages read so far by the job reading a long scan"})
    pages_total = Integer(allow_none=True, metadata={"description": "pages of the PDF, once opened"})


class DocumentAuditSchema(Schema):
    """An audit with its findings (dumped from ``AuditWithFindings``)."""

    id = Integer()
    state = fields.String(
        metadata={
            "description": "completed (findings stored); a long scan is queued, then running, while a "
            "background job reads its pages; failed when no page could be read or the job failed",
            "enum": ["queued", "running", "completed", "failed"],
        }
    )
    job_id = Integer(
        allow_none=True, metadata={"description": "the job reading a long scan (GET /v1/jobs/{id})"}
    )
    progress = fields.Nested(AuditProgressSchema)
    organization_id = Integer()
    region_code = fields.String()
    filename = fields.String()
    media_type = fields.String()
    size_bytes = Integer()
    sha256 = fields.String()
    rules_version = fields.String()
    summary = fields.Nested(AuditSummarySchema)
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    findings = fields.List(fields.Nested(StoredFindingSchema))

    @pre_dump
    def _flatten(self, result: Any, **kwargs: Any) -> dict[str, Any]:
        audit = result.audit
        own = set(self.fields) - {"findings", "state", "progress"}
        shaped = {name: getattr(audit, name) for name in own}
        shaped["state"] = (result.state or audit.state).value
        shaped["progress"] = {"pages_done": audit.pages_done, "pages_total": audit.pages_total}
        shaped["findings"] = result.findings
        return shaped


class BarrierCheckResultSchema(Schema):
    rules_version = fields.String()
    summary = fields.Nested(AuditSummarySchema)
    findings = fields.List(fields.Nested(FindingSchema))


class IndustryFormSchema(StrictSchema):
    """The optional ``industry`` part of the upload form."""

    industry = industry()
