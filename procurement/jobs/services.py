"""Start jobs in the caller's transaction, read them with the caller's scope, and run one.

The job row is written in the caller's transaction, and the queue is told only after that commits
(``after_commit``), so a worker never looks for a job that is not there. If the process dies in
between, the worker's sweeper finds the queued row and dispatches it: nothing is lost.
"""

import json
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from procurement.db import begin_write
from procurement.errors import DomainError, InvalidInput, NotFound
from procurement.jobs.catalog import kind_named
from procurement.jobs.models import Job, JobState
from procurement.organizations.models import Role
from procurement.orm import utcnow
from procurement.scope import Actor, region_covers

# session.info keys: the queue a session's committed jobs go to, and the jobs waiting for commit
QUEUE_INFO = "smeproc_job_queue"
PENDING_INFO = "smeproc_jobs_pending"
MAX_ERROR_CHARS = 4000
# a running job whose worker has not reported for this long is taken to be dead
STALE_AFTER = timedelta(minutes=5)


def actor_params(actor: Actor) -> dict[str, Any]:
    """The caller as JSON, for a job that must act with the caller's rights (see ``actor_from``)."""
    return {
        "api_key_id": actor.api_key_id,
        "organization_id": actor.organization_id,
        "role": actor.role.value,
        "region_code": actor.region_code,
    }


def actor_from(params: dict[str, Any]) -> Actor:
    return Actor(
        api_key_id=params["api_key_id"],
        organization_id=params["organization_id"],
        role=Role(params["role"]),
        region_code=params["region_code"],
    )


def enqueue_job(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    actor: Actor,
    region_code: str | None = None,
    input_data: bytes | None = None,
) -> Job:
    """Store a queued job in the caller's transaction; it is dispatched once that commits.

    ``params`` must be JSON-able (``actor_params(actor)`` inside it lets the job act as the caller);
    ``region_code`` widens who may read the job (default: the caller's region); ``input_data`` is a
    large input such as an uploaded file.
    """
    job_kind = kind_named(kind)
    if job_kind is None:
        raise InvalidInput({"kind": f"未知的任务类型 / unknown job kind {kind!r}"})
    job = Job(
        kind=kind,
        params=params,
        organization_id=actor.organization_id,
        region_code=region_code or actor.region_code,
        created_by=actor.label,
        max_attempts=job_kind.max_attempts,
        input_data=input_data,
    )
    session.add(job)
    session.flush()
    session.info.setdefault(PENDING_INFO, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    pending: list[int] = session.info.pop(PENDING_INFO, [])
    queue = session.info.get(QUEUE_INFO)
    if queue is None or not pending:
        return  # no queue in this process (tests, some commands): the worker's sweeper finds them
    for job_id in pending:
        queue.dispatch(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(PENDING_INFO, None)


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    """A job the caller may see: its own organization's, or one in its region (platform, auditor)."""
    job = session.get(Job, job_id)
    visible = job is not None and (
        actor.role is Role.ADMIN
        or job.organization_id == actor.organization_id
        or (actor.role in (Role.PLATFORM, Role.AUDITOR) and region_covers(actor.region_code, job.region_code))
    )
    if job is None or not visible:
        raise NotFound("任务", "job", job_id)
    return job


class _Context:
    def __init__(self, job_id: int, attempt: int, session_factory: Callable[[], Session]) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self._factory = session_factory

    def session(self) -> Session:
        return self._factory()

    def progress(self, done: int, total: int | None = None) -> None:
        values: dict[str, Any] = {"progress_done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["progress_total"] = total
        with self._factory() as session, session.begin():
            begin_write(session)
            session.execute(update(Job).where(Job.id == self.job_id).values(**values))

    def input_data(self) -> bytes:
        with self._factory() as session:
            data = session.execute(select(Job.input_data).where(Job.id == self.job_id)).scalar_one()
        return data or b""


def _claim(session_factory: Callable[[], Session], job_id: int) -> Job | None:
    """Move the job from queued to running; None if another worker has it or it is finished."""
    now = utcnow()
    with session_factory() as session, session.begin():
        begin_write(session)
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.QUEUED)
            .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now, heartbeat_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get(Job, job_id)


def run_job(session_factory: Callable[[], Session], job_id: int) -> JobState | None:
    """Run one job to its end and record the outcome; the state it was left in (None: not ours).

    A failure with attempts left goes back to ``queued`` with its error kept; the caller decides
    when to dispatch it again.
    """
    job = _claim(session_factory, job_id)
    if job is None:
        return None
    job_kind = kind_named(job.kind)
    values: dict[str, Any]
    try:
        if job_kind is None:
            raise LookupError(f"no job kind {job.kind!r} in this worker (catalog.JOB_MODULES)")
        result = job_kind.func(_Context(job.id, job.attempts, session_factory), dict(job.params))
        values = {"state": JobState.SUCCEEDED, "result": result, "error": None}
    except Exception as exc:  # a job's failure is recorded on the job, never lost
        retry = job.attempts < job.max_attempts
        values = {
            "state": JobState.QUEUED if retry else JobState.FAILED,
            "error": _describe(exc)[:MAX_ERROR_CHARS],
        }
    now = utcnow()
    values |= {"heartbeat_at": now, "finished_at": None if values["state"] is JobState.QUEUED else now}
    with session_factory() as session, session.begin():
        begin_write(session)
        session.execute(update(Job).where(Job.id == job_id).values(**values))
    state: JobState = values["state"]
    return state


def _describe(exc: Exception) -> str:
    """A domain error as its users read it (zh / en, fields); anything else with its traceback."""
    if isinstance(exc, DomainError):
        fields = getattr(exc, "errors", None)
        detail = f" {json.dumps(fields, ensure_ascii=False)}" if fields else ""
        return f"{exc.message_zh} / {exc.message_en}{detail}"
    error = "".join(traceback.format_exception_only(exc)).strip()
    return f"{error}\n\n{traceback.format_exc(limit=5)}"


def sweep(
    session_factory: Callable[[], Session],
    *,
    queued_before: datetime,
    stale_before: datetime,
    limit: int = 500,
) -> list[int]:
    """Jobs to dispatch again: queued ones nobody took since ``queued_before`` (a lost dispatch, a
    retry) and running ones whose worker went silent before ``stale_before`` (killed). The latter
    go back to queued if they may be retried, else fail saying so."""
    with session_factory() as session, session.begin():
        begin_write(session)
        stale = session.execute(
            select(Job.id, Job.attempts, Job.max_attempts).where(
                Job.state == JobState.RUNNING, Job.heartbeat_at < stale_before
            )
        ).all()
        for job_id, attempts, max_attempts in stale:
            retry = attempts < max_attempts
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.RUNNING)
                .values(
                    state=JobState.QUEUED if retry else JobState.FAILED,
                    error="任务执行进程中断 / the worker running this job stopped",
                    finished_at=None if retry else utcnow(),
                )
            )
        queued = session.execute(
            select(Job.id)
            .where(
                Job.state == JobState.QUEUED,
                (Job.heartbeat_at.is_(None) & (Job.created_at < queued_before))
                | (Job.heartbeat_at < queued_before),
            )
            .order_by(Job.id)
            .limit(limit)
        ).scalars()
        ids = list(queued)
        if not ids:
            return ids
        # not again until queued_before passes anew, even if the queue holds a backlog
        session.execute(update(Job).where(Job.id.in_(ids)).values(heartbeat_at=utcnow()))
        return ids
