"""/v1/audits/documents (upload a document, or send text or requirements, to be audited and stored)
and /v1/audits/{id} (an audit with its findings).

A scanned PDF with more pages to OCR than one request reads (SMEPROC_OCR_MAX_PAGES) is stored at
once and read by a background job: 202 with the audit's location, whose GET shows the pages done.

The upload is multipart/form-data (part ``file``, optional ``industry``). The body is read once
within this resource's limit (the Idempotency-Key fingerprint needs it too), then parsed by Falcon's
MultipartFormHandler from those bytes: the request stream cannot be read twice.
"""

import io
from dataclasses import dataclass

import falcon
from falcon.media import MultipartFormHandler
from falcon.media.multipart import MultipartParseOptions

from api.body import load_json, raw_body
from api.resources.base import actor_of, session_of
from api.schemas.audits import BarrierCheckSchema, DocumentAuditSchema, IndustryFormSchema
from procurement.barrier_audits import scan_jobs, services
from procurement.barrier_audits.services import AuditWithFindings
from procurement.documents import TooManyScannedPages
from procurement.errors import InvalidInput

CHECK_IN = BarrierCheckSchema()
INDUSTRY_IN = IndustryFormSchema()
OUT = DocumentAuditSchema()
FORM_FIELDS = ("file", "industry")
DEFAULT_TEXT_NAME = "document.txt"


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    filename: str
    media_type: str
    industry: str | None


def multipart_handler() -> MultipartFormHandler:
    options = MultipartParseOptions()
    options.max_body_part_count = 8  # a file and an industry; more is not a form we sent
    return MultipartFormHandler(options)


def is_multipart(req: falcon.Request) -> bool:
    return (req.content_type or "").lower().startswith(falcon.MEDIA_MULTIPART)


def read_upload(req: falcon.Request, handler: MultipartFormHandler) -> Upload:
    """The form's file and industry; InvalidInput naming the field for anything else."""
    data = raw_body(req)
    form = handler.deserialize(io.BytesIO(data), req.content_type, len(data))
    files: list[tuple[bytes, str, str]] = []
    fields: dict[str, str] = {}
    unknown: dict[str, str] = {}
    try:
        for part in form:
            name = part.name or ""
            if name == "file":
                files.append((part.stream.read(), part.filename or "", part.content_type))
            elif name in FORM_FIELDS and name not in fields:
                fields[name] = part.data.decode("utf-8")
            else:
                unknown[name] = "未知字段或重复字段 / unknown or repeated field"
    except UnicodeDecodeError as exc:
        raise falcon.HTTPBadRequest(
            title="Malformed form", description="a form field or header is not UTF-8"
        ) from exc
    if unknown:
        raise InvalidInput(unknown)
    if len(files) != 1:
        raise InvalidInput({"file": "须上传且只上传一个文件（字段 file） / send exactly one file as 'file'"})
    content, filename, media_type = files[0]
    if not filename.strip():
        raise InvalidInput({"file": "文件须带文件名 / the file part needs a filename"})
    if not content:
        raise InvalidInput({"file": "文件为空，无可审查的内容 / the file is empty: nothing to audit"})
    industry = INDUSTRY_IN.load({"industry": fields["industry"]} if "industry" in fields else {})["industry"]
    return Upload(content, filename, media_type, industry.value if industry else None)


class DocumentAudits:
    """POST: audit an upload, text or requirements; the audit and its findings are stored."""

    idempotent = True

    def __init__(self, max_upload_bytes: int, *, ocr_max_pages: int | None = None) -> None:
        self.max_body_bytes = max_upload_bytes  # read by the body-limit middleware
        self.ocr_max_pages = ocr_max_pages  # scanned pages read by OCR in one request
        self._multipart = multipart_handler()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, actor = session_of(req), actor_of(req)
        result: AuditWithFindings
        if is_multipart(req):
            upload = read_upload(req, self._multipart)
            try:
                result = services.audit_document(
                    session,
                    actor,
                    data=upload.data,
                    filename=upload.filename,
                    media_type=upload.media_type,
                    industry=upload.industry,
                    ocr_max_pages=self.ocr_max_pages,
                )
            except TooManyScannedPages:
                # a long scan: stored now, read page by page by a background job (202, then GET)
                result = scan_jobs.start_scan_audit(
                    session,
                    actor,
                    data=upload.data,
                    filename=upload.filename,
                    media_type=upload.media_type,
                    industry=upload.industry,
                )
                resp.status = falcon.HTTP_202
                resp.location = f"/v1/audits/{result.audit.id}"
                resp.media = OUT.dump(result)
                return
        else:
            body = load_json(req, CHECK_IN)
            industry = body["industry"].value if body["industry"] else None
            if "requirements" in body:
                result = services.audit_requirements(
                    session, actor, items=body["requirements"], industry=industry
                )
            else:
                result = services.audit_text(
                    session,
                    actor,
                    text=body["text"],
                    filename=body.get("filename", DEFAULT_TEXT_NAME),
                    industry=industry,
                )
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/audits/{result.audit.id}"
        resp.media = OUT.dump(result)


class Audits:
    def on_get(self, req: falcon.Request, resp: falcon.Response, audit_id: int) -> None:
        resp.media = OUT.dump(services.get_audit(session_of(req), actor_of(req), audit_id))
