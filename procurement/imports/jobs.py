"""Large OCDS imports run as a background job (``ocds_import``) instead of inside the request."""

from typing import Any

from procurement.db import begin_write
from procurement.imports.services import import_ocds
from procurement.jobs.registry import JobContext, job_kind
from procurement.jobs.services import actor_from

KIND = "ocds_import"


# one attempt: the import is one transaction, so a failed attempt left nothing behind, but a
# second run of a file the caller may have fixed and re-sent meanwhile would surprise them
@job_kind(KIND)
def run_ocds_import(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    data = ctx.input_data()
    with ctx.session() as session, session.begin():
        begin_write(session)
        row = import_ocds(
            session,
            actor_from(params["actor"]),
            data=data,
            media_type=params["media_type"],
            filename=params.get("filename", ""),
        )
        releases = int(row.counts.get("releases", 0))
        result = {"import_id": row.id, "import": f"/v1/imports/ocds/{row.id}", "counts": row.counts}
    ctx.progress(releases, releases)
    return result
