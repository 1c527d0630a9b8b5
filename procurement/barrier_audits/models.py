"""One audited document (or list of requirements); its findings live in the findings table.

A long scan is audited by a background job (scan_jobs): the audit is stored at once, ``queued``,
and each page the job has read is kept in ``document_audit_pages`` (its text, or the problem that
kept it from being read), so a job that stops half way goes on from the last page it kept.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from procurement.jobs.models import Job
from procurement.orm import Base, enum_column, utcnow


class DocumentAuditState(StrEnum):
    QUEUED = "queued"  # a long scan waiting for a worker
    RUNNING = "running"  # its pages being read
    COMPLETED = "completed"  # findings stored (every synchronous audit)
    FAILED = "failed"  # no page could be read, or the job failed: see summary.problems / the job


class DocumentAudit(Base):
    __tablename__ = "document_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts by category, pages, clauses read
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[DocumentAuditState] = mapped_column(
        enum_column(DocumentAuditState), default=DocumentAuditState.COMPLETED, server_default="completed"
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey(Job.id))  # the job reading a long scan
    pages_done: Mapped[int] = mapped_column(default=0, server_default="0")
    pages_total: Mapped[int | None]


class DocumentAuditPage(Base):
    """A page of a long scan as the job read it: its text (with the OCR line confidences), or
    None and the problem that kept it from being read."""

    __tablename__ = "document_audit_pages"
    __table_args__ = (UniqueConstraint("audit_id", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey(DocumentAudit.id, ondelete="CASCADE"), index=True)
    page: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)
    location: Mapped[dict[str, Any]] = mapped_column(JSON)
    # (start, end, confidence) of each OCR line, None for a text-layer page
    confidence_spans: Mapped[list[list[float]] | None] = mapped_column(JSON(none_as_null=True))
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
