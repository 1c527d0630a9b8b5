"""/v1/webhooks (subscribe, list), /v1/webhooks/{id} (read, delete), its delivery log and redelivery."""

import falcon

from api.body import load_json
from api.resources.base import actor_of, load_query, page_limit, session_of
from api.schemas.common import PageQuerySchema
from api.schemas.webhooks import (
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookSchema,
)
from procurement.webhooks import services
from procurement.webhooks.urls import Resolver, resolve

CREATE = WebhookCreateSchema()
CREATED = WebhookCreatedSchema()
OUT = WebhookSchema()
DELIVERY = DeliverySchema()
PAGE_QUERY = PageQuerySchema()


def _next(req: falcon.Request, next_after: int | None, limit: int) -> str | None:
    if next_after is None:
        return None
    return f"{req.path}?after={next_after}&limit={limit}"


class Webhooks:
    idempotent = True

    def __init__(self, *, allow_private: bool, resolver: Resolver = resolve) -> None:
        self._allow_private = allow_private
        self._resolver = resolver

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = load_json(req, CREATE)
        subscription = services.create_subscription(
            session_of(req),
            actor_of(req),
            url=body["url"],
            event_types=body["event_types"],
            description=body["description"],
            allow_private=self._allow_private,
            resolver=self._resolver,
        )
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/webhooks/{subscription.id}"
        resp.media = CREATED.dump(subscription)

    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, PAGE_QUERY)
        limit = page_limit(req, query)
        page = services.list_subscriptions(
            session_of(req), actor_of(req), after=query.get("after"), limit=limit
        )
        resp.media = {"items": OUT.dump(page.items, many=True), "next": _next(req, page.next_after, limit)}

    def on_get(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        resp.media = OUT.dump(services.get_subscription(session_of(req), actor_of(req), webhook_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        services.delete_subscription(session_of(req), actor_of(req), webhook_id)
        resp.status = falcon.HTTP_204


class WebhookDeliveries:
    idempotent = True

    def on_get(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        query = load_query(req, PAGE_QUERY)
        limit = page_limit(req, query)
        session = session_of(req)
        page = services.list_deliveries(
            session, actor_of(req), webhook_id, after=query.get("after"), limit=limit
        )
        log = services.delivery_log(session, page.items)
        resp.media = {"items": DELIVERY.dump(log, many=True), "next": _next(req, page.next_after, limit)}

    def on_post_redeliver(
        self, req: falcon.Request, resp: falcon.Response, webhook_id: int, delivery_id: int
    ) -> None:
        session = session_of(req)
        delivery = services.redeliver(session, actor_of(req), webhook_id, delivery_id)
        resp.status = falcon.HTTP_202
        resp.media = DELIVERY.dump(services.delivery_log(session, [delivery])[0])
