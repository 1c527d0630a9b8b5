"""/v1/audit-runs (run a finance audit of a region or purchaser) and /v1/audit-runs/{id}."""

from datetime import date

import falcon

from api.body import load_json
from api.resources.base import actor_of, session_of
from api.schemas.audit_runs import AuditRunCreateSchema, AuditRunSchema
from procurement.finance import audit_runs

CREATE_IN = AuditRunCreateSchema()
OUT = AuditRunSchema()


class AuditRuns:
    idempotent = True

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_json(req, CREATE_IN)
        run = audit_runs.create_audit_run(
            session_of(req),
            actor_of(req),
            region_code=body.get("region_code"),
            organization_id=body.get("organization_id"),
            period_from=body["period_from"],
            period_to=body["period_to"],
            as_of=body.get("as_of") or date.today(),
        )
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/audit-runs/{run.id}"
        resp.media = OUT.dump(run)

    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: int) -> None:
        resp.media = OUT.dump(audit_runs.get_audit_run(session_of(req), actor_of(req), run_id))
