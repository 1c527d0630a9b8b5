"""A scanned PDF with more pages to OCR than one request reads, audited as a background job.

The POST stores the audit ``queued`` with the upload as the job's input and answers 202; the job
reads the PDF page by page (OCR at ~2 s a page), keeps each page's text or problem in
``document_audit_pages`` and reports pages done / total on the audit and the job. When every page
is kept, the kept pages are scanned in order (the same scanner, context and OCR confidences as the
synchronous audit) and the findings stored at once, so their identities are those a synchronous
audit of the same file would give. A job that stops (a worker killed, a crash) is run again by the
sweeper and goes on from the first page not kept; a page is kept once (unique per audit and page),
and the findings are written in the transaction that completes the audit: no duplicates.
Memory: one rendered page and the text layers of the document's pages.
"""

import hashlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from procurement.barrier_audits.models import DocumentAudit, DocumentAuditPage, DocumentAuditState
from procurement.barrier_audits.services import (
    AuditWithFindings,
    display_name,
    record_findings,
    scan_segments,
)
from procurement.db import begin_write
from procurement.documents.errors import DocumentError
from procurement.documents.pdf_reader import PdfPages
from procurement.documents.reader import FileInfo, TextSegment
from procurement.documents.services import default_scanner
from procurement.errors import NotFound
from procurement.jobs.registry import JobContext, job_kind
from procurement.jobs.services import actor_from, actor_params, enqueue_job
from procurement.scope import Actor

KIND = "document_audit_scan"
MAX_ATTEMPTS = 3


def start_scan_audit(
    session: Session,
    actor: Actor,
    *,
    data: bytes,
    filename: str,
    media_type: str,
    industry: str | None = None,
) -> AuditWithFindings:
    """Store the audit ``queued`` and enqueue the job that reads it (in the caller's transaction)."""
    audit = DocumentAudit(
        organization_id=actor.organization_id,
        region_code=actor.region_code,
        filename=display_name(filename),
        media_type=media_type[:100],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        rules_version=default_scanner().catalogue.version,
        summary={},
        created_by=actor.label,
        state=DocumentAuditState.QUEUED,
    )
    session.add(audit)
    session.flush()
    job = enqueue_job(
        session,
        kind=KIND,
        params={"audit_id": audit.id, "industry": industry, "actor": actor_params(actor)},
        actor=actor,
        input_data=data,
    )
    audit.job_id = job.id
    session.flush()
    return AuditWithFindings(audit, [])


# idempotent (pages are kept once, findings written with the completion): a stopped job is retried
@job_kind(KIND, max_attempts=MAX_ATTEMPTS)
def run_scan_audit(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    audit_id = int(params["audit_id"])
    with ctx.session() as session:
        audit = session.get(DocumentAudit, audit_id)
        if audit is None:
            raise NotFound("门槛审查", "document audit", audit_id)  # read on the job: zh / en
        if audit.state is DocumentAuditState.COMPLETED:  # finished by an earlier attempt
            return _result(audit)
        filename = audit.filename
    data = ctx.input_data()
    info = FileInfo(name=filename, format="pdf", size_bytes=len(data))
    try:
        pages = PdfPages(data, filename, info)
    except DocumentError as exc:  # checked by the POST already; a changed reader may still refuse
        _fail(ctx, audit_id, {"page": None, "code": exc.code, "zh": exc.message_zh, "en": exc.message_en})
        return {"audit_id": audit_id, "audit": f"/v1/audits/{audit_id}", "state": "failed"}
    try:
        _read_pages(ctx, audit_id, pages, info)
        return _complete(ctx, audit_id, params, info)
    except Exception as exc:
        if ctx.attempt >= MAX_ATTEMPTS:  # no retry left: the audit says so, not "running" for ever
            problem = {
                "page": None,
                "code": "job_failed",
                "zh": f"审查任务失败：{exc}",
                "en": f"the job failed: {exc}",
            }
            _fail(ctx, audit_id, problem)
        raise
    finally:
        pages.close()


def _read_pages(ctx: JobContext, audit_id: int, pages: PdfPages, info: FileInfo) -> None:
    """Each page not kept yet: read it (OCR for a scanned one) and keep it with the progress."""
    with ctx.session() as session:
        kept = set(
            session.execute(
                select(DocumentAuditPage.page).where(DocumentAuditPage.audit_id == audit_id)
            ).scalars()
        )
    total = pages.count
    _set_progress(ctx, audit_id, len(kept), total, DocumentAuditState.RUNNING)
    ctx.progress(len(kept), total)
    for number in range(1, total + 1):
        if number in kept:
            continue
        problems_before = len(info.problems)
        segment = pages.segment(number)
        problem = info.problems[problems_before] if len(info.problems) > problems_before else None
        with ctx.session() as session, session.begin():
            begin_write(session)
            session.add(
                DocumentAuditPage(
                    audit_id=audit_id,
                    page=number,
                    text=segment.text if segment is not None else None,
                    location=dict(segment.location) if segment is not None else {"page": number},
                    confidence_spans=(
                        [list(span) for span in segment.confidence_spans]
                        if segment is not None and segment.confidence_spans is not None
                        else None
                    ),
                    problem=problem,
                )
            )
            kept.add(number)
            session.execute(
                update(DocumentAudit).where(DocumentAudit.id == audit_id).values(pages_done=len(kept))
            )
        ctx.progress(len(kept), total)


def _kept_segments(session: Session, audit_id: int, info: FileInfo) -> Iterator[TextSegment]:
    """The kept pages in order as the reader gives them, the info filled in as it would be."""
    query = (
        select(DocumentAuditPage)
        .where(DocumentAuditPage.audit_id == audit_id)
        .order_by(DocumentAuditPage.page)
        .execution_options(yield_per=20)
    )
    for page in session.execute(query).scalars():
        if page.problem is not None:
            info.problems.append(dict(page.problem))
        if page.text is None:
            continue
        info.characters += len(page.text)
        spans = None
        if page.confidence_spans is not None:
            info.ocr_pages.append(page.page)
            spans = tuple((int(s), int(e), float(c)) for s, e, c in page.confidence_spans)
        yield TextSegment(page.text, dict(page.location), confidence_spans=spans)
        session.expunge(page)  # one page's text in memory at a time


def _complete(ctx: JobContext, audit_id: int, params: dict[str, Any], info: FileInfo) -> dict[str, Any]:
    """Scan the kept pages and store the findings and summary with the completion, at once."""
    actor = actor_from(params["actor"])
    scanner = default_scanner()
    with ctx.session() as session, session.begin():
        begin_write(session)
        audit = session.get(DocumentAudit, audit_id)
        assert audit is not None
        if audit.state is DocumentAuditState.COMPLETED:
            return _result(audit)
        info.problems.clear()
        info.ocr_pages.clear()
        info.characters = 0
        result = scan_segments(
            info,
            _kept_segments(session, audit_id, info),
            document=audit.filename,
            industry=params.get("industry"),
            scanner=scanner,
            region=audit.region_code,
        )
        readable = session.execute(
            select(func.count())
            .select_from(DocumentAuditPage)
            .where(DocumentAuditPage.audit_id == audit_id, DocumentAuditPage.text.is_not(None))
        ).scalar_one()
        audit.summary = result.summary
        audit.rules_version = result.rules_version
        audit.pages_done = audit.pages_total or audit.pages_done
        if not readable:  # nothing could be read: never "no findings"
            audit.state = DocumentAuditState.FAILED
        else:
            audit.state = DocumentAuditState.COMPLETED
            record_findings(session, actor, audit, result.findings)
        session.flush()
        return _result(audit)


def _set_progress(ctx: JobContext, audit_id: int, done: int, total: int, state: DocumentAuditState) -> None:
    with ctx.session() as session, session.begin():
        begin_write(session)
        session.execute(
            update(DocumentAudit)
            .where(DocumentAudit.id == audit_id)
            .values(pages_done=done, pages_total=total, state=state)
        )


def _fail(ctx: JobContext, audit_id: int, problem: dict[str, Any]) -> None:
    with ctx.session() as session, session.begin():
        begin_write(session)
        session.execute(
            update(DocumentAudit)
            .where(DocumentAudit.id == audit_id)
            .values(state=DocumentAuditState.FAILED, summary={"problems": [problem]})
        )


def _result(audit: DocumentAudit) -> dict[str, Any]:
    return {
        "audit_id": audit.id,
        "audit": f"/v1/audits/{audit.id}",
        "state": audit.state.value,
        "findings": int(audit.summary.get("findings", 0)),
        "pages": audit.pages_total,
    }
