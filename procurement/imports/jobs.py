"""Large OCDS imports run as a background job (``ocds_import``) instead of inside the request, in
batches of short write transactions (procurement/imports/batched.py)."""

from typing import Any

from procurement.imports.batched import import_ocds_batched
from procurement.jobs.registry import JobContext, job_kind
from procurement.jobs.services import actor_from

KIND = "ocds_import"


# one attempt: a retry would be safe (every batch is idempotent), but a second run of a file the
# caller may have fixed and re-sent meanwhile would surprise them
@job_kind(KIND)
def run_ocds_import(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    data = ctx.input_data()
    row = import_ocds_batched(
        ctx.session,
        actor_from(params["actor"]),
        data=data,
        media_type=params["media_type"],
        filename=params.get("filename", ""),
        progress=ctx.progress,
    )
    releases = int(row.counts.get("releases", 0))
    ctx.progress(releases, releases)
    return {"import_id": row.id, "import": f"/v1/imports/ocds/{row.id}", "counts": row.counts}
