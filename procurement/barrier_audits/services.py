"""Barrier audits of tender documents, stored: the audit (file hash, rules version, summary) and its
findings; and the same checks without storing anything (stateless checks).

An audit belongs to the caller's organization and region; what cannot be read (a scan without text,
a corrupt file) raises a DocumentError before anything is written.
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.barrier_audits.models import DocumentAudit, DocumentAuditState
from procurement.documents import FileInfo, TextSegment, iter_findings, read_segments, scan_requirements
from procurement.documents.reader import iter_text
from procurement.documents.services import default_scanner
from procurement.findings.identity import document_scope
from procurement.findings.models import FindingSource, StoredFinding
from procurement.findings.services import findings_of, store_findings
from procurement.findings.upsert import resolve_unseen
from procurement.jobs.models import Job, JobState
from procurement.scope import Actor, one_visible
from rules.barriers import BarrierScanner, Requirement
from rules.barriers.catalogue import ProjectCategory
from rules.findings import Finding

REQUIREMENTS_NAME = "requirements.json"
REQUIREMENTS_MEDIA_TYPE = "application/json"
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
FILENAME_MAX_CHARS = 300
# the scanner's own clause delimiters: a clause read is a non-blank run between two of them
_CLAUSE_SPLIT = re.compile(r"[。；;！？!?\n\r]")


@dataclass(frozen=True, slots=True)
class AuditWithFindings:
    audit: DocumentAudit
    findings: list[StoredFinding]
    state: DocumentAuditState | None = None  # when it differs from the row's (a job that died)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A stateless check: what an audit would store, without storing it."""

    rules_version: str
    summary: dict[str, Any]
    findings: list[Finding]


class _ClauseCounter:
    """Passes the segments through and counts the clauses in them (for the audit's summary)."""

    def __init__(self, segments: Iterable[TextSegment]) -> None:
        self._segments = segments
        self.segments = 0
        self.clauses = 0

    def __iter__(self) -> Iterator[TextSegment]:
        for segment in self._segments:
            self.segments += 1
            self.clauses += sum(1 for part in _CLAUSE_SPLIT.split(segment.text) if part.strip())
            yield segment


def display_name(filename: str) -> str:
    """The base name of an uploaded file (browsers may send a path), within the column's size."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if len(name) <= FILENAME_MAX_CHARS:
        return name
    stem, dot, ext = name.rpartition(".")
    keep = FILENAME_MAX_CHARS - len(ext) - 1
    return f"{stem[:keep]}.{ext}" if dot and keep > 0 else name[:FILENAME_MAX_CHARS]


def _summary(
    findings: Sequence[Finding], *, clauses: int, segments: int, info: FileInfo | None
) -> dict[str, Any]:
    flagged = {
        (
            json.dumps(f.evidence.get("location", {}), sort_keys=True),
            f.evidence.get("start"),
            f.evidence.get("end"),
        )
        for f in findings
    }
    summary: dict[str, Any] = {
        "findings": len(findings),
        # one clause can break several rules: 10 findings on 9 clauses is 9 clauses flagged
        "clauses_flagged": len(flagged),
        "by_category": dict(sorted(Counter(f.category for f in findings).items())),
        "by_severity": dict(sorted(Counter(f.severity.value for f in findings).items())),
        "clauses_read": clauses,
        "segments_read": segments,
    }
    if info is not None:
        summary.update(
            format=info.format,
            encoding=info.encoding,
            pages=info.pages,
            paragraphs=info.paragraphs,
            table_cells=info.table_cells,
            characters=info.characters,
            ocr_pages=list(info.ocr_pages),
            # pages that could not be read: the audit covers the rest, and says which
            problems=list(info.problems),
        )
    return summary


def scan_segments(
    info: FileInfo,
    segments: Iterable[TextSegment],
    *,
    document: str,
    industry: str | None,
    scanner: BarrierScanner,
    region: str | None = None,
    category: str | None = None,
) -> CheckResult:
    counter = _ClauseCounter(segments)
    what = ProjectCategory(category) if category else None
    findings = list(
        iter_findings(
            counter, document=document, industry=industry, scanner=scanner, region=region, category=what
        )
    )
    summary = _summary(findings, clauses=counter.clauses, segments=counter.segments, info=info)
    return CheckResult(scanner.catalogue.version, summary, findings)


def check_document(
    data: bytes,
    filename: str,
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
    region: str | None = None,
    ocr_max_pages: int | None = None,
) -> CheckResult:
    """A .txt, .docx or .pdf file's barrier clauses (the format from the name); DocumentError if
    it cannot be read. ``region`` (a region code) adds that region's local rules;
    ``ocr_max_pages`` bounds the scanned pages one call reads (None: all)."""
    scanner = scanner or default_scanner()
    name = display_name(filename)
    info, segments = read_segments(data, name, ocr_max_pages=ocr_max_pages)
    return scan_segments(info, segments, document=name, industry=industry, scanner=scanner, region=region)


def check_text(
    text: str,
    filename: str,
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
    region: str | None = None,
    category: str | None = None,
) -> CheckResult:
    """Text sent as text: read line by line whatever ``filename`` (the name findings cite) says.
    ``category`` (goods, services, works) holds until the text states its own 采购类别."""
    scanner = scanner or default_scanner()
    name = display_name(filename)
    data = text.encode("utf-8")
    info = FileInfo(name=name, format="text", size_bytes=len(data))
    segments = iter_text([data], name, info)
    return scan_segments(
        info, segments, document=name, industry=industry, scanner=scanner, region=region, category=category
    )


def check_requirements(
    items: Sequence[Requirement | Mapping[str, Any]],
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
) -> CheckResult:
    """Structured qualification and scoring items; InvalidRequirement names the item at fault."""
    scanner = scanner or default_scanner()
    findings = scan_requirements(items, industry=industry, scanner=scanner)
    summary = _summary(findings, clauses=len(items), segments=len(items), info=None)
    return CheckResult(scanner.catalogue.version, summary, findings)


def _store(
    session: Session,
    actor: Actor,
    result: CheckResult,
    *,
    data: bytes,
    filename: str,
    media_type: str,
) -> AuditWithFindings:
    """Store the audit under the caller's own organization and region. Every role may audit a
    tender document, the finance department's auditors first of all (they are its users); what
    an audit reads is the caller's own upload and what it writes stays in the caller's scope."""
    audit = DocumentAudit(
        organization_id=actor.organization_id,
        region_code=actor.region_code,
        filename=filename,
        media_type=media_type[:100],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        rules_version=result.rules_version,
        summary=result.summary,
        created_by=actor.label,
        pages_done=result.summary.get("pages") or 0,
        pages_total=result.summary.get("pages"),
    )
    session.add(audit)
    session.flush()
    return AuditWithFindings(audit, record_findings(session, actor, audit, result.findings))


def record_findings(
    session: Session, actor: Actor, audit: DocumentAudit, findings: Sequence[Finding]
) -> list[StoredFinding]:
    """Store an audit's findings (all of them at once: a clause repeated in the document is told
    apart by its order), resolve those of the document's earlier audits it did not find, and log it."""
    # the same document audited again (same organization, same bytes, whatever its file name)
    # updates its findings; a file of the same name with other content is another document
    scope = document_scope(audit.organization_id, audit.sha256)
    stored = store_findings(
        session,
        source=FindingSource.DOCUMENT_AUDIT,
        source_id=audit.id,
        organization_id=audit.organization_id,
        region_code=audit.region_code,
        findings=findings,
        scope=scope,
        by=actor.label,
    )
    cleared = resolve_unseen(
        session,
        and_(
            StoredFinding.organization_id == audit.organization_id,
            StoredFinding.key.startswith(scope + ":", autoescape=True),
        ),
        source=FindingSource.DOCUMENT_AUDIT,
        source_id=audit.id,
        by=actor.label,
    )
    record(
        session,
        actor=actor.label,
        action="document_audit.create",
        entity_type="document_audit",
        entity_id=audit.id,
        before=None,
        after={
            "filename": audit.filename,
            "sha256": audit.sha256,
            "rules_version": audit.rules_version,
            "findings": [f.id for f in stored],
            "resolved_as_cleared": cleared,
        },
    )
    return stored


def audit_document(
    session: Session,
    actor: Actor,
    *,
    data: bytes,
    filename: str,
    media_type: str,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
    ocr_max_pages: int | None = None,
) -> AuditWithFindings:
    """Audit an uploaded .txt, .docx or .pdf and store the audit with its findings (all open)."""
    result = check_document(
        data,
        filename,
        industry=industry,
        scanner=scanner,
        region=actor.region_code,
        ocr_max_pages=ocr_max_pages,
    )
    return _store(session, actor, result, data=data, filename=display_name(filename), media_type=media_type)


def audit_text(
    session: Session,
    actor: Actor,
    *,
    text: str,
    filename: str,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
) -> AuditWithFindings:
    """Audit text sent as JSON and store it like an uploaded plain-text file."""
    result = check_text(text, filename, industry=industry, scanner=scanner, region=actor.region_code)
    return _store(
        session,
        actor,
        result,
        data=text.encode("utf-8"),
        filename=display_name(filename),
        media_type=TEXT_MEDIA_TYPE,
    )


def audit_requirements(
    session: Session,
    actor: Actor,
    *,
    items: Sequence[Mapping[str, Any]],
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
) -> AuditWithFindings:
    """Audit structured requirements; the stored hash is of their canonical JSON."""
    result = check_requirements(items, industry=industry, scanner=scanner)
    canonical = json.dumps(
        [dict(item) for item in items], ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")
    ).encode()
    return _store(
        session, actor, result, data=canonical, filename=REQUIREMENTS_NAME, media_type=REQUIREMENTS_MEDIA_TYPE
    )


def get_audit(session: Session, actor: Actor, audit_id: int) -> AuditWithFindings:
    """An audit the caller may see, with its findings; NotFound otherwise."""
    audit = one_visible(
        session,
        actor,
        DocumentAudit,
        audit_id,
        org_column=DocumentAudit.organization_id,
        region_column=DocumentAudit.region_code,
        names=("门槛审查", "document audit"),
    )
    state = audit.state
    if state in (DocumentAuditState.QUEUED, DocumentAuditState.RUNNING) and audit.job_id is not None:
        job = session.get(Job, audit.job_id)
        if job is not None and job.state is JobState.FAILED:  # its worker died on the last attempt
            state = DocumentAuditState.FAILED
    return AuditWithFindings(
        audit, findings_of(session, source=FindingSource.DOCUMENT_AUDIT, source_id=audit.id), state
    )
