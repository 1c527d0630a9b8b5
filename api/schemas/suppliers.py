"""Supplier input and output."""

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import Integer, PageLinksSchema, StrictSchema, wan
from rules.vocabulary import Industry, Size, SpecialStatus


class SizeFactsSchema(StrictSchema):
    """The facts that decide a firm's size (300号) and its special status, shared by a stored
    supplier and a supplier given inline to a check: one definition, one validator."""

    employees = Integer(validate=validate.Range(min=0), allow_none=True)
    revenue_wan = wan(allow_none=True)
    assets_wan = wan(allow_none=True)
    declared_size = fields.Enum(
        Size, by_value=True, allow_none=True, metadata={"description": "中小企业声明函"}
    )
    disabled_staff = Integer(
        validate=validate.Range(min=0),
        allow_none=True,
        metadata={"description": "welfare units: disabled persons among the employees (141号)"},
    )
    founded_on = fields.Date(
        allow_none=True,
        metadata={"description": "a firm founded this year or last may leave the figures blank"},
    )

    @validates_schema
    def _disabled_within_staff(self, data: dict[str, Any], **_: Any) -> None:
        disabled, staff = data.get("disabled_staff"), data.get("employees")
        if disabled is not None and staff is not None and disabled > staff:
            raise ValidationError(
                f"残疾人职工{disabled}人超过从业人员{staff}人 / disabled staff ({disabled}) exceed the "
                f"employees ({staff})",
                "disabled_staff",
            )


class SupplierCreateSchema(SizeFactsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    # null when not known (as a supplier without them is answered): the document must say so
    credit_code = fields.String(
        validate=validate.Length(equal=18),
        allow_none=True,
        metadata={"description": "统一社会信用代码, GB 32100-2015"},
    )
    external_id = fields.String(validate=validate.Length(min=1, max=200), allow_none=True)
    industry = fields.Enum(
        Industry,
        by_value=True,
        allow_none=True,
        metadata={"description": "size-table industry (划型标准, 工信部联企业〔2011〕300号)"},
    )
    special_status = fields.Enum(SpecialStatus, by_value=True)
    linked_to_large = fields.Boolean(
        metadata={"description": "controlled by or sharing a head with a large firm"}
    )


class SupplierSchema(SupplierCreateSchema):
    id = Integer(dump_only=True)
    region_code = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class SupplierPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(SupplierSchema))
