"""Stateless checks for platforms: /v1/checks/terms, /sme-size, /price-deduction (read-only).

Each builds nothing per request beyond its answer: schemas, the policy book and its snapshots'
plans are built once and shared.
"""

from collections.abc import Callable
from datetime import date

import falcon

from api.body import load_json
from api.schemas.checks import PriceDeductionCheckSchema, SizeCheckSchema, TermsCheckSchema
from procurement.terms import services
from rules.policy import PolicyBook

TERMS = TermsCheckSchema()
SIZE = SizeCheckSchema()
DEDUCTION = PriceDeductionCheckSchema()


class _Check:
    read_only = True

    def __init__(self, book: PolicyBook, clock: Callable[[], date] = services.today_in_china) -> None:
        self._book = book
        self._clock = clock


class TermsCheck(_Check):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, TERMS)
        resp.media = services.check_terms(fields, book=self._book, today=self._clock())


class SizeCheck(_Check):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, SIZE)
        snapshot = self._book.at(fields.pop("jurisdiction"), fields.pop("on", None) or self._clock())
        resp.media = services.check_size(
            industry=fields["industry"],
            employees=fields.get("employees"),
            revenue_wan=fields.get("revenue_wan"),
            assets_wan=fields.get("assets_wan"),
            declared_size=fields.get("declared_size"),
            special_status=fields["special_status"],
            linked_to_large=fields["linked_to_large"],
            is_enterprise=fields["is_enterprise"],
            snapshot=snapshot,
        )


class PriceDeductionCheck(_Check):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = load_json(req, DEDUCTION)
        snapshot = self._book.at(fields.pop("jurisdiction"), fields.pop("announced_on"))
        resp.media = services.check_price_deduction(
            snapshot=snapshot,
            category=fields["category"],
            quote=fields["quote"],
            stated_percent=fields["stated_percent"],
            kind=fields["kind"],
            bidder_size=fields.get("bidder_size"),
            small_micro_share_percent=fields.get("small_micro_share_percent"),
            reserved=fields["reserved"],
        )
