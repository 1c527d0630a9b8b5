"""A stored finding: what a rule found, where, on what legal basis, and where it stands now.

A finding has an identity, its ``key`` (what it is about: contract, rule and obligation or clause):
every audit upserts by it, so a re-run refreshes the evidence and keeps the decisions taken on it.
Every change of status is kept as a ``FindingTransition``.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, enum_column, utcnow
from rules.vocabulary import LegalForce, Severity


class FindingStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"  # with a reason


class FindingSource(StrEnum):
    DOCUMENT_AUDIT = "document_audit"  # barrier audit of a tender document
    AUDIT_RUN = "audit_run"  # finance audit of a region and period


class StoredFinding(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_source", "source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "contract:12:payment.overdue:0", "document:4:招标文件.docx:scale.capital:1f3a…"
    key: Mapped[str] = mapped_column(String(400), unique=True)
    source: Mapped[FindingSource] = mapped_column(enum_column(FindingSource))
    source_id: Mapped[int]  # the audit that last saw it (the first one is first_source_id)
    first_source_id: Mapped[int]
    # whose finding it is, for scoping: the audited purchaser (or the uploader) and its region
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(100), index=True)
    legal_force: Mapped[LegalForce] = mapped_column(enum_column(LegalForce))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    remedy_zh: Mapped[str] = mapped_column(Text, default="")
    remedy_en: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    # digest of the evidence that matters (not what only moves with the day one looks): a
    # dismissed or resolved finding reopens when it changes
    evidence_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")
    policy_version: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[FindingStatus] = mapped_column(
        enum_column(FindingStatus), default=FindingStatus.OPEN, index=True
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None]
    status_changed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class FindingTransition(Base):
    """One change of a finding's status: who, when, from, to and why (from is None on creation)."""

    __tablename__ = "finding_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[FindingStatus | None] = mapped_column(enum_column(FindingStatus))
    to_status: Mapped[FindingStatus] = mapped_column(enum_column(FindingStatus))
    reason: Mapped[str] = mapped_column(Text, default="")
