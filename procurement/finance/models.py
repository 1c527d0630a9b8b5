"""Obligations derived from a contract's terms and events, and the finance department's audit runs.

Obligations are recomputed whenever a contract or its events change, so a regional report is one
aggregate query over them instead of running the payment clock over a million contracts.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.jobs.models import Job
from procurement.orm import Base, Money, enum_column, utcnow


class ObligationKind(StrEnum):
    PAYMENT = "payment"
    BOND_RETURN = "bond_return"
    RETENTION_RELEASE = "retention_release"


class ContractObligation(Base):
    __tablename__ = "contract_obligations"
    __table_args__ = (Index("ix_contract_obligations_region_due", "region_code", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    signed_on: Mapped[date | None]  # the contract's, so the report filters without a join
    kind: Mapped[ObligationKind] = mapped_column(enum_column(ObligationKind))
    ref: Mapped[str] = mapped_column(String(100))  # which term or bond (e.g. "final", "performance")
    amount: Mapped[Decimal] = mapped_column(Money)
    arises_on: Mapped[date | None]  # when the duty arose (its trigger happened); None: not yet
    due_on: Mapped[date | None]
    settled_on: Mapped[date | None]
    settled_amount: Mapped[Decimal | None] = mapped_column(Money)
    approximate: Mapped[bool] = mapped_column(default=False)  # e.g. a year the holiday calendar lacks
    policy_version: Mapped[str] = mapped_column(String(64), default="")
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)  # how the due date was reached, with citations


class AuditRunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


ACTIVE_RUN_STATES = (AuditRunState.QUEUED, AuditRunState.RUNNING)


class AuditRun(Base):
    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))  # the scope: this region and below
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # one purchaser
    period_from: Mapped[date]
    period_to: Mapped[date]
    as_of: Mapped[date]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # counts by finding kind, coverage table
    state: Mapped[AuditRunState] = mapped_column(
        enum_column(AuditRunState), default=AuditRunState.QUEUED, server_default="completed", index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey(Job.id))  # the background job running it
    contracts_total: Mapped[int] = mapped_column(default=0, server_default="0")
    contracts_done: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class StoredAudit(Base):
    """What the rules say of a contract whatever the day one looks, derived with its obligations.

    ``refresh_obligations`` writes it beside the contract's obligations (delete + insert): the
    mandatory-term findings (``terms.*``, which depend on the terms and the pack, not on the day)
    and each rule's coverage reason. An audit run then reads these rows and the obligations with SQL
    instead of running the rules per contract; ``book`` names the policy packs they were derived
    under, so a row derived under other packs is not trusted (the run audits that contract anew).
    """

    __tablename__ = "contract_audits"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True)
    book: Mapped[str] = mapped_column(String(64))  # procurement.finance.derived.book_fingerprint
    consistent: Mapped[bool]  # False: its events contradict each other (the audit reports an error)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON)  # rule -> reason (None: evaluated)
    terms: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # terms.* findings, upsert content
    # the audit run that last audited this row set-based (its findings carry that run's id as
    # ``source_id``): a run on the same day finds the same, so it only refreshes them
    # (``set_audit.refresh_unchanged``); deriving the row again (delete + insert) leaves it empty
    audited_run_id: Mapped[int | None] = mapped_column(default=None)
