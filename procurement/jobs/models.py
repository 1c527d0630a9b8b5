"""The jobs table: what was asked, who asked, and how far the worker got."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.orm import Base, enum_column, utcnow


class JobState(StrEnum):
    QUEUED = "queued"  # stored, waiting for a worker (also between retries)
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # its error says why; retried first where the kind allows


class Job(Base):
    __tablename__ = "jobs"
    # the sweeper looks for queued and stale running jobs
    __table_args__ = (Index("ix_jobs_state_heartbeat", "state", "heartbeat_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # a large input (an uploaded file), read by the job only: never loaded with the row
    input_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # who may read it: the requesting organization, and callers whose region covers region_code
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    created_by: Mapped[str] = mapped_column(String(200))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # the running worker touches this as it reports progress; a stale one means the worker died
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
