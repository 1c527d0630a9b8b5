"""The audit run as a background job: ``execute_audit_run`` on a worker, committing per batch.

Each batch's findings and the run's counters are committed before the job reports its progress
(on SQLite the progress write needs the lock this job's transaction would otherwise hold), so
``GET /v1/audit-runs/{id}`` and ``GET /v1/jobs/{id}`` show the percent done while it works. A run
that stops on an error is marked failed with it, so that its scope may be audited again.
"""

from typing import Any

from procurement.db import begin_write
from procurement.finance.audit_runs import execute_audit_run, fail_audit_run
from procurement.jobs.registry import JobContext, job_kind

KIND = "audit_run"


# one attempt: a second one would find the first one's findings and count them as refreshed, so
# the run is started again by the caller instead (nothing it wrote is lost: findings are keyed)
@job_kind(KIND)
def run_audit(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    run_id = int(params["audit_run_id"])
    session = ctx.session()
    try:
        begin_write(session)

        def progress(done: int, total: int) -> None:
            session.commit()
            ctx.progress(done, total)
            begin_write(session)

        run = execute_audit_run(session, run_id, progress=progress)
        result = {
            "audit_run_id": run.id,
            "audit_run": f"/v1/audit-runs/{run.id}",
            "findings": run.summary.get("findings", {}),
            "written": run.summary.get("written", {}),
        }
        total = run.contracts_total
        session.commit()
    except Exception as exc:
        session.rollback()
        with ctx.session() as failed, failed.begin():
            begin_write(failed)
            fail_audit_run(failed, run_id, f"{type(exc).__name__}: {exc}")
        raise
    finally:
        session.close()
    ctx.progress(total, total)
    return result
