"""Field types and base schemas shared by every resource."""

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

PERCENT_RANGE = validate.Range(min=Decimal(0), max=Decimal(100))
NON_NEGATIVE = validate.Range(min=Decimal(0))


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


def money(**kwargs: Any) -> fields.Decimal:
    """Yuan with fen precision, written as a string in JSON so no float ever touches it."""
    return fields.Decimal(places=2, as_string=True, allow_nan=False, validate=NON_NEGATIVE, **kwargs)


def percent(**kwargs: Any) -> fields.Decimal:
    """A percentage of the contract amount, 0 to 100 (``"12.5"`` is 12.5%)."""
    return fields.Decimal(places=4, as_string=True, allow_nan=False, validate=PERCENT_RANGE, **kwargs)


def wan(**kwargs: Any) -> fields.Decimal:
    """A figure in 万元 (ten thousand yuan), as the size table states them."""
    return fields.Decimal(places=2, as_string=True, allow_nan=False, validate=NON_NEGATIVE, **kwargs)


class PageQuerySchema(StrictSchema):
    after = fields.Integer(
        validate=validate.Range(min=0), metadata={"description": "id of the last item seen"}
    )
    limit = fields.Integer(validate=validate.Range(min=1))


class PageLinksSchema(Schema):
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page; null on the last"})


class BilingualSchema(Schema):
    """A text for officers and auditors (zh) with the same for integrators (en)."""

    zh = fields.String()
    en = fields.String()


class CitationSchema(Schema):
    """One legal source of a rule, finding or parameter."""

    doc_id = fields.String(metadata={"description": "short id of the legal source, e.g. 46号 or 802号令"})
    article = fields.String()
    title = fields.String()
    url = fields.String(allow_none=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, with a stable code, bilingual message and per-field errors."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    message = fields.Dict(keys=fields.String(), values=fields.String())
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    version = fields.String()
