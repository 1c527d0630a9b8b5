"""/v1/findings (list in the caller's scope), /v1/findings/{id} (read, PATCH its status)."""

import falcon

from api.body import load_json
from api.resources.base import actor_of, load_query, page_body, page_limit, session_of
from api.schemas.findings import FindingListQuerySchema, FindingStatusChangeSchema, StoredFindingSchema
from procurement.findings import services

LIST_QUERY = FindingListQuerySchema()
STATUS_IN = FindingStatusChangeSchema()
OUT = StoredFindingSchema()


class Findings:
    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, LIST_QUERY)
        limit = page_limit(req, query)
        after = query.pop("after", None)
        page = services.list_findings(session_of(req), actor_of(req), after=after, limit=limit, **query)
        resp.media = page_body(req, page, OUT, limit)

    def on_get(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        resp.media = OUT.dump(services.get_finding(session_of(req), actor_of(req), finding_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        body = load_json(req, STATUS_IN)
        finding = services.change_status(
            session_of(req), actor_of(req), finding_id, status=body["status"], reason=body["reason"]
        )
        resp.media = OUT.dump(finding)
