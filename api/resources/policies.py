"""/v1/policies (packs, versions, coverage) and /v1/policies/{jurisdiction}?on= (parameters in force)."""

from collections.abc import Callable
from datetime import date

import falcon

from api.resources.base import load_query
from api.schemas.policies import PolicyQuerySchema
from procurement.terms import services
from rules.policy import PolicyBook

QUERY = PolicyQuerySchema()


class Policies:
    def __init__(self, book: PolicyBook, clock: Callable[[], date] = services.today_in_china) -> None:
        self._book = book
        self._clock = clock
        self._packs = services.policy_packs(book)  # the book never changes while the process runs

    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._packs

    def on_get(self, req: falcon.Request, resp: falcon.Response, jurisdiction: str) -> None:
        query = load_query(req, QUERY)
        resp.media = services.policy_in_force(self._book, jurisdiction, query.get("on") or self._clock())
