"""/v1/audit-runs (start a finance audit of a region or purchaser) and /v1/audit-runs/{id}.

A POST stores the run and answers 202 at once; once the request's transaction has committed the
queued run, the runner the app was built with executes it, and GET shows its state and percent done.
"""

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import falcon

from api.body import load_json
from api.middleware import after_commit
from api.resources.base import actor_of, session_of
from api.schemas.audit_runs import AuditRunCreateSchema, AuditRunSchema
from procurement.finance import audit_runs

CREATE_IN = AuditRunCreateSchema()
OUT = AuditRunSchema()

RunAudit = Callable[[int], Any]


class AuditRuns:
    idempotent = True

    def __init__(self, run_audit: RunAudit) -> None:
        self._run_audit = run_audit

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_json(req, CREATE_IN)
        run = audit_runs.start_audit_run(
            session_of(req),
            actor_of(req),
            region_code=body.get("region_code"),
            organization_id=body.get("organization_id"),
            period_from=body["period_from"],
            period_to=body["period_to"],
            as_of=body.get("as_of") or date.today(),
        )
        resp.status = falcon.HTTP_202
        resp.location = f"/v1/audit-runs/{run.id}"
        resp.media = OUT.dump(run)
        after_commit(req, partial(self._run_audit, run.id))

    def on_get(self, req: falcon.Request, resp: falcon.Response, run_id: int) -> None:
        resp.media = OUT.dump(audit_runs.get_audit_run(session_of(req), actor_of(req), run_id))
