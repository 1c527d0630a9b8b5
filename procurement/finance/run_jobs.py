"""Executing a stored audit run in a session of its own, committing progress as it goes.

``run_audit_job`` is what a job queue calls; until the platform's queue is wired, ``ThreadRunner``
runs the jobs one at a time on a thread of the API process, after the response. A run that fails is
marked failed with the error, so that its scope may be audited again.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from sqlalchemy.orm import Session

from procurement.finance.audit_runs import execute_audit_run, fail_audit_run
from rules.payment_clock import PolicyAt

log = logging.getLogger(__name__)


def run_audit_job(
    session_factory: Callable[[], Session], run_id: int, *, policy_at: PolicyAt | None = None
) -> None:
    """Execute run ``run_id``; each batch's findings and the progress counters are committed, so
    ``GET /v1/audit-runs/{id}`` shows the percent done while it works."""
    session = session_factory()
    try:
        execute_audit_run(session, run_id, policy_at=policy_at, progress=lambda done, total: session.commit())
        session.commit()
    except Exception as exc:  # whatever stopped it, the run must not stay "running" forever
        session.rollback()
        log.exception("audit run %s failed", run_id)
        fail_audit_run(session, run_id, f"{type(exc).__name__}: {exc}")
        session.commit()
    finally:
        session.close()


class ThreadRunner:
    """Audit runs on one background thread of this process, in the order they were started."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._factory = session_factory
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-run")

    def __call__(self, run_id: int) -> Future[None]:
        return self._pool.submit(partial(run_audit_job, self._factory, run_id))
