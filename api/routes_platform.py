"""Routes of the platform-integration surface (jobs, webhooks, OCDS out, organizations); kept apart
from api/routes.py, whose ROUTES includes them."""

from api.route import Route, op
from api.schemas.jobs import JobSchema

ID = "int(min=1, max=2147483647)"

PLATFORM_ROUTES: tuple[Route, ...] = (
    Route(
        f"/v1/jobs/{{job_id:{ID}}}",
        "jobs",
        (op("/v1/jobs/{job_id}", "get", "后台任务状态 / a background job", "jobs", JobSchema),),
    ),
)
