"""/v1/suppliers and /v1/suppliers/{id}."""

import falcon

from api.body import load_json
from api.resources.base import actor_of, load_query, page_body, page_limit, session_of
from api.schemas.common import PageQuerySchema
from api.schemas.suppliers import SupplierCreateSchema, SupplierSchema
from procurement.suppliers import services

CREATE = SupplierCreateSchema()
OUT = SupplierSchema()
PAGE_QUERY = PageQuerySchema()


class Suppliers:
    idempotent = True

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, CREATE)
        supplier = services.create_supplier(session_of(req), actor_of(req), fields=fields)
        resp.status = falcon.HTTP_201
        resp.location = f"/v1/suppliers/{supplier.id}"
        resp.media = OUT.dump(supplier)

    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, PAGE_QUERY)
        limit = page_limit(req, query)
        page = services.list_suppliers(session_of(req), actor_of(req), after=query.get("after"), limit=limit)
        resp.media = page_body(req, page, OUT, limit)

    def on_get(self, req: falcon.Request, resp: falcon.Response, supplier_id: int) -> None:
        resp.media = OUT.dump(services.get_supplier(session_of(req), actor_of(req), supplier_id))
