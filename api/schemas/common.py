"""Field types and base schemas shared by every resource."""

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from procurement.orm import MONEY_MAX

PERCENT_RANGE = validate.Range(min=Decimal(0), max=Decimal(100))
# the largest values the columns hold (Numeric(18, 2) money, Numeric(14, 2) 万元, 32-bit integers):
# a larger value is the caller's mistake and must be a 422 naming the field, not a database error
MONEY_RANGE = validate.Range(min=Decimal(0), max=MONEY_MAX)
WAN_RANGE = validate.Range(min=Decimal(0), max=Decimal("999999999999.99"))
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class Integer(fields.Integer):
    """An integer that fits the database's integer columns (ids, counts, days)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=INT32_MIN, max=INT32_MAX))


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class ExactDecimal(fields.Decimal):
    """A decimal that must be exact to ``input_places`` on input: more is a 422, never rounded.

    Output keeps the field's ``places`` (stored percents carry 4 decimals, e.g. from OCDS amounts).
    """

    def __init__(self, *, input_places: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_places = input_places
        self._unit = Decimal(1).scaleb(-input_places)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        number: Decimal = super()._deserialize(value, attr, data, **kwargs)
        try:
            raw = Decimal(str(value))
        except ArithmeticError:
            return number
        if raw.is_finite() and raw != raw.quantize(self._unit):
            raise ValidationError(
                f"最多{self.input_places}位小数，不作四舍五入 / at most {self.input_places} decimals: "
                "the value is not rounded for you"
            )
        return number


def money(**kwargs: Any) -> fields.Decimal:
    """Yuan with fen precision, written as a string in JSON so no float ever touches it."""
    return ExactDecimal(
        input_places=2, places=2, as_string=True, allow_nan=False, validate=MONEY_RANGE, **kwargs
    )


def percent(**kwargs: Any) -> fields.Decimal:
    """A percentage of the contract amount, 0 to 100 (``"12.5"`` is 12.5%), at most 2 decimals."""
    return ExactDecimal(
        input_places=2, places=4, as_string=True, allow_nan=False, validate=PERCENT_RANGE, **kwargs
    )


def wan(**kwargs: Any) -> fields.Decimal:
    """A figure in 万元 (ten thousand yuan), as the size table states them."""
    return fields.Decimal(places=2, as_string=True, allow_nan=False, validate=WAN_RANGE, **kwargs)


class PageQuerySchema(StrictSchema):
    after = Integer(validate=validate.Range(min=0), metadata={"description": "id of the last item seen"})
    limit = Integer(validate=validate.Range(min=1))


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
    status = Integer()
    detail = fields.String()
    code = fields.String()
    message = fields.Dict(keys=fields.String(), values=fields.String())
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    version = fields.String()
