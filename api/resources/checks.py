"""Stateless checks for platforms: /v1/checks/terms, /sme-size, /price-deduction, /reservation.

Nothing is built per request beyond the answer: schemas, the policy book and its snapshots' plans
are built once and shared. An answer depends only on the body, the policy book and (for unsigned
drafts and undated size checks) today's date, so answers are kept by (body, date) and a repeated
check costs a lookup.
"""

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import falcon
import orjson
from marshmallow import Schema

from api.body import load_json, raw_body
from api.cache import RepresentationCache
from api.resources.base import actor_of, session_of
from api.schemas.checks import PriceDeductionCheckSchema, SizeCheckSchema, TermsCheckSchema
from api.schemas.reservation import ReservationCheckSchema
from procurement.evaluation.services import check_reservation
from procurement.terms import services
from procurement.terms.check_input import needs_database, resolve_ids
from rules.policy import PolicyBook

TERMS = TermsCheckSchema()
SIZE = SizeCheckSchema()
DEDUCTION = PriceDeductionCheckSchema()
RESERVATION = ReservationCheckSchema()
MAX_CACHED_BODY_BYTES = 8 * 1024  # larger bodies are answered, not kept (bounds the memory held)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Check:
    read_only = True
    schema: Schema

    def __init__(
        self,
        book: PolicyBook,
        clock: Callable[[], date] = services.today_in_china,
        answers: RepresentationCache | None = None,
    ) -> None:
        self._book = book
        self._clock = clock
        # shared by the worker's threads; keyed by (body bytes, date), never request state
        self._answers = answers or RepresentationCache(max_entries=1024)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        today = self._clock()
        data = raw_body(req)
        json_body = not req.content_type or req.content_type.startswith("application/json")
        key = (data, today)
        answer = self._answers.get(key) if json_body else None
        if answer is None:
            fields = load_json(req, self.schema)
            answer = orjson.dumps(self.answer(fields, today, req), default=_default)
            if len(data) <= MAX_CACHED_BODY_BYTES and self.cacheable(fields):
                self._answers.put(key, answer)
        resp.data = answer
        resp.content_type = falcon.MEDIA_JSON

    def answer(self, fields: Mapping[str, Any], today: date, req: falcon.Request) -> dict[str, Any]:
        raise NotImplementedError

    def cacheable(self, fields: Mapping[str, Any]) -> bool:
        return True


class TermsCheck(_Check):
    schema = TERMS

    def answer(self, fields: Mapping[str, Any], today: date, req: falcon.Request) -> dict[str, Any]:
        if needs_database(fields):
            fields = resolve_ids(fields, session=session_of(req), actor=actor_of(req))
        return services.check_terms(fields, book=self._book, today=today)

    def cacheable(self, fields: Mapping[str, Any]) -> bool:
        # ids and a jurisdiction taken from the caller make the answer depend on more than the body
        return not needs_database(fields)


class SizeCheck(_Check):
    schema = SIZE

    def answer(self, fields: Mapping[str, Any], today: date, req: falcon.Request) -> dict[str, Any]:
        snapshot = self._book.at(fields["jurisdiction"], fields.get("on") or today)
        return services.check_size(
            industry=fields["industry"],
            employees=fields.get("employees"),
            revenue_wan=fields.get("revenue_wan"),
            assets_wan=fields.get("assets_wan"),
            declared_size=fields.get("declared_size"),
            special_status=fields["special_status"],
            linked_to_large=fields["linked_to_large"],
            is_enterprise=fields["is_enterprise"],
            snapshot=snapshot,
            disabled_staff=fields.get("disabled_staff"),
            founded_on=fields.get("founded_on"),
        )


class PriceDeductionCheck(_Check):
    schema = DEDUCTION

    def answer(self, fields: Mapping[str, Any], today: date, req: falcon.Request) -> dict[str, Any]:
        snapshot = self._book.at(fields["jurisdiction"], fields["announced_on"])
        return services.check_price_deduction(
            snapshot=snapshot,
            category=fields["category"],
            quote=fields["quote"],
            stated_percent=fields["stated_percent"],
            kind=fields["kind"],
            bidder_size=fields.get("bidder_size"),
            small_micro_share_percent=fields.get("small_micro_share_percent"),
            reserved=fields["reserved"],
        )


class ReservationCheck(_Check):
    schema = RESERVATION

    def answer(self, fields: Mapping[str, Any], today: date, req: falcon.Request) -> dict[str, Any]:
        return check_reservation(
            snapshot=self._book.at(fields["jurisdiction"], fields["announced_on"]),
            category=fields["category"],
            budget=fields["budget"],
            suitable_amount=fields.get("suitable_amount"),
            suitable_for_sme=fields["suitable_for_sme"],
            above_procurement_threshold=fields["above_procurement_threshold"],
        )
