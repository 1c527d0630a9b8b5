"""/v1/audit-runs (start a finance audit of a region or purchaser) and /v1/audit-runs/{id}.

A POST stores the run, enqueues the job that executes it (``procurement.finance.jobs``) and answers
202 at once; GET shows the run's state, percent done and, once completed, its summary.
"""

from datetime import date

import falcon

from api.body import load_json
from api.resources.base import actor_of, session_of
from api.schemas.audit_runs import AuditRunCreateSchema, AuditRunSchema
from procurement.finance import audit_runs
from procurement.finance.jobs import KIND
from procurement.jobs.services import actor_params, enqueue_job

CREATE_IN = AuditRunCreateSchema()
OUT = AuditRunSchema()


class AuditRuns:
    idempotent = True

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_json(req, CREATE_IN)
        session, actor = session_of(req), actor_of(req)
        run = audit_runs.start_audit_run(
            session,
            actor,
            region_code=body.get("region_code"),
            organization_id=body.get("organization_id"),
            period_from=body["period_from"],
            period_to=body["period_to"],
            as_of=body.get("as_of") or date.today(),
        )
        job = enqueue_job(
            session,
            kind=KIND,
            params={"audit_run_id": run.id, "actor": actor_params(actor)},
            actor=actor,
            region_code=run.region_code,
        )
        run.job_id = job.id
        session.flush()
        resp.status = falcon.HTTP_202
        resp.location = f"/v1/audit-runs/{run.id}"
        resp.media = OUT.dump(run)

    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: int) -> None:
        resp.media = OUT.dump(audit_runs.get_audit_run(session_of(req), actor_of(req), run_id))
