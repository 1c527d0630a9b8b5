"""/v1/keys (an admin lists and makes API keys) and /v1/keys/{id} (revoke, set or clear the expiry)."""

import falcon

from api.body import load_json
from api.resources.base import actor_of, load_query, page_body, page_limit, session_of
from api.schemas.keys import (
    ApiKeyChangeSchema,
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListQuerySchema,
    ApiKeySchema,
)
from procurement.auditlog import services as auditlog
from procurement.organizations import keys
from procurement.organizations.models import Role
from procurement.organizations.services import create_api_key

CREATE = ApiKeyCreateSchema()
CHANGE = ApiKeyChangeSchema()
QUERY = ApiKeyListQuerySchema()
OUT = ApiKeySchema()
CREATED = ApiKeyCreatedSchema()


class ApiKeys:
    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, QUERY)
        limit = page_limit(req, query)
        page = keys.list_keys(
            session_of(req),
            actor_of(req),
            after=query.get("after"),
            limit=limit,
            organization_id=query.get("organization_id"),
        )
        resp.media = page_body(req, page, OUT, limit)

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        actor = actor_of(req)
        actor.require(Role.ADMIN)
        fields = load_json(req, CREATE)
        session = session_of(req)
        row, key = create_api_key(
            session,
            organization_id=fields["organization_id"],
            role=fields["role"],
            label=fields["label"],
            expires_at=fields["expires_at"],
        )
        auditlog.record(
            session,
            actor=actor.label,
            action="api_key.create",
            entity_type="api_key",
            entity_id=row.id,
            before=None,
            after=keys.key_state(row),
        )
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/keys/{row.id}"
        resp.media = {**CREATED.dump(row), "key": key}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, key_id: int) -> None:
        actor = actor_of(req)
        actor.require(Role.ADMIN)
        fields = load_json(req, CHANGE, partial=True)
        session = session_of(req)
        row = keys.change_key(
            session,
            actor.label,
            keys.find_key(session, key_id),
            revoke=fields.get("revoked", False),
            expires_at=fields.get("expires_at"),
            clear_expiry="expires_at" in fields and fields["expires_at"] is None,
        )
        resp.media = OUT.dump(row)
