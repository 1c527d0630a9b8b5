"""The auditor's work pages: read a tender document with its barrier findings highlighted in place,
and start a finance audit run and follow it."""

import io
from dataclasses import dataclass
from typing import Any

import falcon
from falcon.media import MultipartFormHandler
from falcon.media.multipart import MultipartParseOptions
from marshmallow import ValidationError

from api.body import raw_body
from api.errors import flatten_errors
from api.pages import web
from api.pages.web import PageError, Redirect, page
from api.schemas.audit_runs import AuditRunCreateSchema
from procurement import errors as domain
from procurement.barrier_audits import services as barriers
from procurement.dashboard import queries
from procurement.documents import read_segments
from procurement.documents.errors import DocumentError
from procurement.finance import audit_runs
from procurement.organizations.models import Role
from procurement.terms.services import today_in_china
from rules.errors import RulesError
from rules.findings import Finding

ROLES = (Role.AUDITOR,)
RUN_IN = AuditRunCreateSchema()


def _multipart() -> MultipartFormHandler:
    options = MultipartParseOptions()
    options.max_body_part_count = 4  # the token, the file, the industry
    return MultipartFormHandler(options)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    finding: int | None  # index into the findings list when this piece is highlighted


def highlighted(
    segments: list[tuple[int, str, dict[str, Any]]], found: list[Finding]
) -> list[dict[str, Any]]:
    """The document's segments cut into plain and highlighted pieces by the findings' offsets
    (``evidence.start``/``end`` count characters from the document's start, as the scanner read it)."""
    spans = sorted(
        (f.evidence.get("start", 0), f.evidence.get("end", 0), index)
        for index, f in enumerate(found)
        if isinstance(f.evidence.get("start"), int)
    )
    out = []
    for base, text, location in segments:
        pieces: list[Piece] = []
        cursor = 0
        for start, end, index in spans:
            lo, hi = max(start - base, cursor), min(end - base, len(text))
            if hi <= lo:
                continue
            if lo > cursor:
                pieces.append(Piece(text[cursor:lo], None))
            pieces.append(Piece(text[lo:hi], index))
            cursor = hi
        if cursor < len(text):
            pieces.append(Piece(text[cursor:], None))
        out.append({"location": location, "pieces": pieces})
    return out


class Documents:
    """GET: the upload form; POST: the document read back with its findings marked.

    An auditor's role writes nothing but audit runs and finding decisions, so the reading is the
    stateless check (``check_document``, the scanner the stored audits use): nothing is kept.
    """

    auth_required = False

    def __init__(self, max_upload_bytes: int) -> None:
        self.max_body_bytes = max_upload_bytes  # BodyLimit reads this for the upload

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        web.render(req, resp, "audit/documents.html", person=person, errors={}, result=None)

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        if not (req.content_type or "").startswith(falcon.MEDIA_MULTIPART):
            raise PageError(415, "请用表单上传文件", "upload the file with the form (multipart)")
        data = raw_body(req)
        fields: dict[str, str] = {}
        upload: tuple[bytes, str] | None = None
        for part in _multipart().deserialize(io.BytesIO(data), req.content_type, len(data)):
            if part.name == "file" and upload is None:
                upload = (part.stream.read(), part.filename or "")
            elif part.name in ("csrf_token", "industry"):
                fields[part.name] = part.data.decode("utf-8", "replace")
        web.check_csrf(fields.get("csrf_token", ""), person.csrf_token)
        if upload is None or not upload[0] or not upload[1].strip():
            errors = {"file": ["请选择一个非空文件 / choose a file that is not empty"]}
            web.render(
                req, resp, "audit/documents.html", status=422, person=person, errors=errors, result=None
            )
            return
        content, filename = upload
        try:
            result = barriers.check_document(content, filename, industry=fields.get("industry") or None)
            _, segments = read_segments(content, barriers.display_name(filename))
            parts = [(s.base_offset, s.text, dict(s.location)) for s in segments]
        except (DocumentError, RulesError) as error:
            errors = web.field_errors(error)
            web.render(
                req, resp, "audit/documents.html", status=422, person=person, errors=errors, result=None
            )
            return
        web.render(
            req,
            resp,
            "audit/documents.html",
            person=person,
            errors={},
            result=result,
            filename=barriers.display_name(filename),
            findings=result.findings,
            document=highlighted(parts, result.findings),
        )


class AuditRuns:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        runs = queries.recent_audit_runs(req.context.session, person.actor)
        web.render(req, resp, "audit/runs.html", person=person, errors={}, values={}, run=None, runs=runs)

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        raw = web.form(req)
        web.check_csrf(web.first(raw, "csrf_token"), person.csrf_token)
        values = {k: web.first(raw, k) for k in ("region_code", "from", "to")}
        session = req.context.session
        try:
            fields = RUN_IN.load({k: v for k, v in values.items() if v})
            run = audit_runs.create_audit_run(
                session,
                person.actor,
                region_code=fields.get("region_code"),
                period_from=fields["period_from"],
                period_to=fields["period_to"],
                as_of=fields.get("as_of") or today_in_china(),
            )
        except (ValidationError, domain.InvalidInput) as error:
            session.rollback()
            errors = (
                flatten_errors(error.messages) if isinstance(error, ValidationError) else dict(error.errors)
            )
            web.render(
                req,
                resp,
                "audit/runs.html",
                status=422,
                person=person,
                errors=errors,
                values=values,
                run=None,
            )
            return
        raise Redirect(f"/audit/runs/{run.id}")


class AuditRunPage:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: int) -> None:
        person = web.require(req, *ROLES)
        run = audit_runs.get_audit_run(req.context.session, person.actor, run_id)
        template = "audit/_run_status.html" if req.get_header("HX-Request") else "audit/runs.html"
        web.render(req, resp, template, person=person, errors={}, values={}, run=run)
