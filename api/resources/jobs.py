"""/v1/jobs/{id}: a background job's state, progress and error."""

import falcon

from api.resources.base import actor_of, session_of
from api.schemas.jobs import JobSchema
from procurement.jobs.services import get_job

OUT = JobSchema()


class Jobs:
    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: int) -> None:
        job = get_job(session_of(req), actor_of(req), job_id)
        resp.media = OUT.dump(job)
        if job.state in ("queued", "running"):
            resp.set_header("Retry-After", "2")
