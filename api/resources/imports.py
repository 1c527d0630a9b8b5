"""/v1/imports/ocds (load OCDS releases into contracts) and /v1/imports/ocds/{id} (a past import).

The body is a release package, record package or release (application/json), or JSON lines of
compiled releases (application/x-ndjson, application/jsonl); the whole import is one transaction.
A body over ``import_job_bytes`` is imported by the worker: 202 with the job's URL.
"""

import falcon

from api.body import raw_body
from api.resources.base import actor_of, load_query, session_of
from api.schemas.imports import ImportQuerySchema, OcdsImportSchema
from procurement.imports import services
from procurement.imports.jobs import KIND as IMPORT_JOB
from procurement.imports.services import JSON_LINES
from procurement.jobs.services import actor_params, enqueue_job

QUERY = ImportQuerySchema()
OUT = OcdsImportSchema()
ACCEPTED = frozenset({"application/json", *JSON_LINES})


class OcdsImports:
    idempotent = True

    def __init__(self, max_upload_bytes: int, job_above_bytes: int) -> None:
        self.max_body_bytes = max_upload_bytes  # read by the body-limit middleware
        self._job_above_bytes = job_above_bytes

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        media = (req.content_type or "").split(";")[0].strip().lower()
        if media not in ACCEPTED:
            raise falcon.HTTPUnsupportedMediaType(description=f"send one of: {', '.join(sorted(ACCEPTED))}")
        query = load_query(req, QUERY)
        data = raw_body(req)
        if len(data) > self._job_above_bytes:
            actor = actor_of(req)
            actor.require_write()
            job = enqueue_job(
                session_of(req),
                kind=IMPORT_JOB,
                params={
                    "actor": actor_params(actor),
                    "media_type": media,
                    "filename": query.get("filename", ""),
                },
                actor=actor,
                input_data=data,
            )
            resp.status = falcon.HTTP_202
            resp.location = f"/v1/jobs/{job.id}"
            resp.media = {"job": resp.location, "state": job.state.value}
            return
        row = services.import_ocds(
            session_of(req),
            actor_of(req),
            data=data,
            media_type=media,
            filename=query.get("filename", ""),
        )
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/imports/ocds/{row.id}"
        resp.media = OUT.dump(row)

    def on_get(self, req: falcon.Request, resp: falcon.Response, import_id: int) -> None:
        resp.media = OUT.dump(services.get_import(session_of(req), actor_of(req), import_id))
