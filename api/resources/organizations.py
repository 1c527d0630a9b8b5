"""/v1/organizations and /v1/organizations/{id}: what the caller may see."""

import falcon

from api.resources.base import actor_of, load_query, page_body, page_limit, session_of
from api.schemas.organizations import OrganizationQuerySchema, OrganizationSchema
from procurement.organizations import services
from rules.vocabulary import OrganizationKind

QUERY = OrganizationQuerySchema()
OUT = OrganizationSchema()


class Organizations:
    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, QUERY)
        limit = page_limit(req, query)
        page = services.list_organizations(
            session_of(req),
            actor_of(req),
            region_code=query.get("region"),
            kind=OrganizationKind(query["kind"]) if "kind" in query else None,
            external_id=query.get("external_id"),
            after=query.get("after"),
            limit=limit,
        )
        resp.media = page_body(req, page, OUT, limit)

    def on_get(self, req: falcon.Request, resp: falcon.Response, organization_id: int) -> None:
        resp.media = OUT.dump(services.get_organization(session_of(req), actor_of(req), organization_id))
