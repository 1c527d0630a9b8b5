"""/v1/contracts, /v1/contracts/{id} (ETag / If-Match) and /v1/contracts/{id}/events."""

import json

import falcon

from api.body import load_json
from api.cache import RepresentationCache
from api.resources.base import (
    actor_of,
    contract_etag,
    expected_version,
    load_query,
    page_body,
    page_limit,
    session_of,
)
from api.schemas.common import PageQuerySchema
from api.schemas.contracts import (
    ContractCreateSchema,
    ContractFieldsSchema,
    ContractListQuerySchema,
    ContractSchema,
)
from api.schemas.events import EventCreateSchema, EventSchema
from procurement.contracts import services

CREATE = ContractCreateSchema()
UPDATE = ContractFieldsSchema()
OUT = ContractSchema()
LIST_QUERY = ContractListQuerySchema()
EVENT_IN = EventCreateSchema()
EVENT_OUT = EventSchema()
PAGE_QUERY = PageQuerySchema()


class Contracts:
    idempotent = True

    def __init__(self, representations: RepresentationCache | None = None) -> None:
        # serialized contracts by (id, version): shared by the worker's threads, never request state
        self._representations = representations or RepresentationCache()

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, CREATE)
        contract = services.create_contract(session_of(req), actor_of(req), fields=fields)
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/contracts/{contract.id}"
        resp.etag = contract_etag(contract.version)
        resp.media = OUT.dump(contract.values)

    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, LIST_QUERY)
        limit = page_limit(req, query)
        after = query.pop("after", None)
        page = services.list_contracts(session_of(req), actor_of(req), after=after, limit=limit, **query)
        resp.media = page_body(req, page, OUT, limit)

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        session, actor = session_of(req), actor_of(req)
        version = services.visible_version(session, actor, contract_id)
        resp.etag = contract_etag(version)
        if req.if_none_match and resp.etag in [f'"{t}"' for t in req.if_none_match]:
            resp.status = falcon.HTTP_304
            return
        body = self._representations.get((contract_id, version))
        if body is None:
            contract = services.get_contract(session, actor, contract_id)
            body = json.dumps(OUT.dump(contract), ensure_ascii=False, separators=(",", ":")).encode()
            self._representations.put((contract.id, contract.version), body)
        resp.data = body
        resp.content_type = falcon.MEDIA_JSON

    def on_patch(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        fields = load_json(req, UPDATE, partial=True)
        contract = services.update_contract(
            session_of(req),
            actor_of(req),
            contract_id,
            fields=fields,
            expected_version=expected_version(req),
        )
        resp.etag = contract_etag(contract.version)
        resp.media = OUT.dump(contract)


class ContractEvents:
    idempotent = True

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        fields = load_json(req, EVENT_IN)
        event = services.add_event(session_of(req), actor_of(req), contract_id, fields=fields)
        resp.status = falcon.HTTP_201
        resp.media = EVENT_OUT.dump(event)

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        query = load_query(req, PAGE_QUERY)
        limit = page_limit(req, query)
        page = services.list_events(
            session_of(req), actor_of(req), contract_id, after=query.get("after"), limit=limit
        )
        resp.media = page_body(req, page, EVENT_OUT, limit)
