"""Contract input and output: the contract, its payment terms, bonds and consortium."""

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from api.schemas.common import Integer, PageLinksSchema, StrictSchema, money, percent
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    DayType,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

HUNDRED = Decimal(100)


class PaymentTermSchema(StrictSchema):
    kind = fields.Enum(PaymentKind, by_value=True, required=True)
    percent = percent(required=True)
    trigger = fields.Enum(Trigger, by_value=True, required=True)
    days = Integer(required=True, validate=validate.Range(min=0, max=3650))
    day_type = fields.Enum(DayType, by_value=True, load_default=DayType.CALENDAR)
    held_months = Integer(validate=validate.Range(min=0, max=120), allow_none=True)


class BondSchema(StrictSchema):
    kind = fields.Enum(BondKind, by_value=True, required=True)
    percent = percent(required=True)
    forms = fields.List(fields.Enum(BondForm, by_value=True), required=True, validate=validate.Length(min=1))
    return_days = Integer(validate=validate.Range(min=0, max=3650), allow_none=True)


class ConsortiumMemberSchema(StrictSchema):
    supplier_id = Integer(required=True)
    share_percent = percent(required=True)


class GoodsItemSchema(StrictSchema):
    """One item as the SME declaration letter lists it: what, made by whom, that maker's size."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    manufacturer = fields.String(required=True, validate=validate.Length(min=1, max=200))
    manufacturer_size = fields.Enum(
        Size,
        by_value=True,
        allow_none=True,
        metadata={"description": "required when the supplier claims SME status (46号 Art. 4)"},
    )


def check_consortium_shares(members: list[dict[str, Any]], key: str) -> None:
    """Every member once, shares adding up to exactly 100 (the lead included)."""
    if not members:
        return
    seen: set[Any] = set()
    for index, member in enumerate(members):
        if member[key] in seen:
            raise ValidationError(
                {str(index): {key: [f"联合体成员重复 / the member appears twice: {member[key]}"]}},
                "consortium",
            )
        seen.add(member[key])
    total = sum((m["share_percent"] for m in members), Decimal(0))
    if total != HUNDRED:
        shown = format(total.normalize(), "f")
        raise ValidationError(
            f"联合体各方份额合计应为100，现为{shown} / consortium shares must add up to 100, not {shown}",
            "consortium",
        )


WHO_BENEFITS = {
    "goods_items": "goods: each item's manufacturer and its size (46号 Art. 4)",
    "all_goods_made_by": "goods without items listed: the declaration that every item is made by "
    "firms of at most this size",
    "builder_size": "works: the builder's size when it is not the supplier",
}


class ContractFieldsSchema(StrictSchema):
    """What a caller may send; required-ness is decided by the create schema."""

    external_ref = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the platform's own reference, unique per sending organization"},
    )
    purchaser_id = Integer(metadata={"description": "required for platform and admin keys"})
    supplier_id = Integer(allow_none=True)
    consortium = fields.List(
        fields.Nested(ConsortiumMemberSchema),
        metadata={"description": "every member, the lead included; shares add up to 100"},
    )
    goods_items = fields.List(
        fields.Nested(GoodsItemSchema), metadata={"description": WHO_BENEFITS["goods_items"]}
    )
    all_goods_made_by = fields.Enum(
        Size, by_value=True, allow_none=True, metadata={"description": WHO_BENEFITS["all_goods_made_by"]}
    )
    builder_name = fields.String(validate=validate.Length(max=200), allow_none=True)
    builder_size = fields.Enum(
        Size, by_value=True, allow_none=True, metadata={"description": WHO_BENEFITS["builder_size"]}
    )
    title = fields.String(validate=validate.Length(max=500))
    category = fields.Enum(Category, by_value=True)
    amount = money()
    currency = fields.String(validate=validate.OneOf(["CNY"]))
    purchaser_type = fields.Enum(PurchaserType, by_value=True)
    announced_on = fields.Date(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    jurisdiction = fields.String(
        validate=validate.Regexp(r"^(\d{6}|cn(-\d{2})?)$"),
        metadata={"description": "region code (6 digits) or pack id; default the purchaser's region"},
    )
    sme_reserved = fields.Boolean()
    status = fields.Enum(ContractStatus, by_value=True)
    acceptance_period_days = Integer(validate=validate.Range(min=0, max=3650), allow_none=True)
    warranty_months = Integer(validate=validate.Range(min=0, max=240), allow_none=True)
    settlement_tied_to_audit = fields.Boolean(
        metadata={"description": "payment waits for a final-accounts audit (以审计结果作为结算依据)"}
    )
    payment_terms = fields.List(fields.Nested(PaymentTermSchema))
    bonds = fields.List(fields.Nested(BondSchema))

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        announced, signed = data.get("announced_on"), data.get("signed_on")
        if announced and signed and announced > signed:
            raise ValidationError("签订日期早于公告日期 / signed_on is before announced_on", "signed_on")
        terms = data.get("payment_terms") or []
        if sum((t["percent"] for t in terms), Decimal(0)) > HUNDRED:
            raise ValidationError(
                "付款比例合计超过100% / payment percents add up to more than 100", "payment_terms"
            )

    @validates_schema
    def _consortium(self, data: dict[str, Any], **_: Any) -> None:
        check_consortium_shares(data.get("consortium") or [], "supplier_id")

    @validates_schema
    def _who_makes_the_goods(self, data: dict[str, Any], **_: Any) -> None:
        # the items or the declaration, not both: two answers to one question
        if data.get("goods_items") and data.get("all_goods_made_by") is not None:
            raise ValidationError(
                "已列明货物制造商时不应再声明全部货物的制造商规模 / give goods_items or all_goods_made_by, "
                "not both",
                "all_goods_made_by",
            )
        category = data.get("category")
        if category is not None and category is not Category.GOODS and data.get("goods_items"):
            raise ValidationError("仅货物采购列明货物制造商 / goods_items are for goods only", "goods_items")


class ContractCreateSchema(ContractFieldsSchema):
    external_ref = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.Enum(Category, by_value=True, required=True)
    amount = money(required=True)
    purchaser_type = fields.Enum(PurchaserType, by_value=True, required=True)


class ContractSchema(ContractCreateSchema):
    id = Integer(dump_only=True)
    purchaser_id = Integer(dump_only=True)
    owner_org_id = Integer(dump_only=True)
    region_code = fields.String(dump_only=True)
    version = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ContractPageSchema(PageLinksSchema):
    items = fields.List(fields.Nested(ContractSchema))


class ContractListQuerySchema(StrictSchema):
    after = Integer(validate=validate.Range(min=0))
    limit = Integer(validate=validate.Range(min=1))
    status = fields.Enum(ContractStatus, by_value=True)
    external_ref = fields.String()
    supplier_id = Integer()
